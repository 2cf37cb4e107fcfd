-- Queue KPIs per local interval (var interval_minutes): one row per queue and interval in
-- which a visit entered the queue or an agent was a member of it. Visits count in the
-- interval they ENTERED (int_queue_visits.interval_start_local), whenever they ended.
-- Waits are the whole seconds Asterisk logged (wait_s). Ratios are NULL when their
-- denominator is 0.
with visits as (
    select * from {{ ref('int_queue_visits') }}
),

call_work as (
    select * from {{ ref('int_call_work') }}
),

agent_intervals as (
    select * from {{ ref('int_queue_agent_intervals') }}
),

visits_with_work as (
    select
        visits.*,
        call_work.acw_s,
        -- Handling is known for an answered visit whose end was logged (talk_s) and whose
        -- agent's hold and after-call work spans for the call all ended.
        visits.outcome = 'answered'
            and visits.talk_s is not null
            and call_work.hold_s is not null
            and call_work.acw_s is not null as handling_known
    from visits
    left join call_work
        on visits.call_id = call_work.call_id
        and visits.agent = call_work.agent_id
        and visits.queue = call_work.queue
),

visit_counts as (
    select
        queue,
        interval_start_local,
        -- Offered: visits that entered the queue in the interval (an overflow or a
        -- transfer into the queue is offered again there).
        count(*) as offered,
        -- Answered: visits connected to an agent.
        count(*) filter (where outcome = 'answered') as answered,
        -- Abandoned: callers who hung up waiting after at least var short_abandon_s seconds.
        count(*) filter (
            where outcome = 'abandoned' and coalesce(wait_s >= {{ var('short_abandon_s') }}, true)
        ) as abandoned,
        -- Short abandoned: callers who hung up within var short_abandon_s seconds (wait_s <).
        count(*) filter (
            where outcome = 'abandoned' and wait_s < {{ var('short_abandon_s') }}
        ) as short_abandoned,
        -- Timed out: the queue's maximum wait expired (EXITWITHTIMEOUT).
        count(*) filter (where outcome = 'timeout') as timed_out,
        -- Exited with key: the caller pressed an exit key, e.g. for a callback (EXITWITHKEY).
        count(*) filter (where outcome = 'exitwithkey') as exited_with_key,
        -- Exited empty: no members left in the queue (EXITEMPTY).
        count(*) filter (where outcome = 'exitempty') as exited_empty,
        -- Unfinished: entered, never connected nor ended in the log.
        count(*) filter (where outcome = 'unfinished') as unfinished,
        -- Answered within target: answered with wait_s <= var sl_target_s.
        count(*) filter (
            where outcome = 'answered' and wait_s <= {{ var('sl_target_s') }}
        ) as answered_within_target,
        cast(sum(wait_s) filter (where outcome = 'answered') as bigint) as answered_wait_s,
        -- Longest wait: the longest wait_s of any visit that entered in the interval.
        max(wait_s) as longest_wait_s,
        count(*) filter (where handling_known) as handled_known,
        sum(talk_s + acw_s) filter (where handling_known) as handle_s
    from visits_with_work
    group by queue, interval_start_local
),

staffing as (
    select
        queue,
        interval_start_local,
        sum(staffed_s) as staffed_agent_s,
        sum(available_s) as available_agent_s,
        sum(handling_s) as handling_agent_s
    from agent_intervals
    group by queue, interval_start_local
),

combined as (
    select
        coalesce(visit_counts.queue, staffing.queue) as queue,
        coalesce(visit_counts.interval_start_local, staffing.interval_start_local)
            as interval_start_local,
        coalesce(visit_counts.offered, 0) as offered,
        coalesce(visit_counts.answered, 0) as answered,
        coalesce(visit_counts.abandoned, 0) as abandoned,
        coalesce(visit_counts.short_abandoned, 0) as short_abandoned,
        coalesce(visit_counts.timed_out, 0) as timed_out,
        coalesce(visit_counts.exited_with_key, 0) as exited_with_key,
        coalesce(visit_counts.exited_empty, 0) as exited_empty,
        coalesce(visit_counts.unfinished, 0) as unfinished,
        coalesce(visit_counts.answered_within_target, 0) as answered_within_target,
        visit_counts.answered_wait_s,
        visit_counts.longest_wait_s,
        coalesce(visit_counts.handled_known, 0) as handled_known,
        visit_counts.handle_s,
        coalesce(staffing.staffed_agent_s, 0) as staffed_agent_s,
        coalesce(staffing.available_agent_s, 0) as available_agent_s,
        coalesce(staffing.handling_agent_s, 0) as handling_agent_s
    from visit_counts
    full outer join staffing
        on visit_counts.queue = staffing.queue
        and visit_counts.interval_start_local = staffing.interval_start_local
),

kpis as (
    select
        queue,
        interval_start_local,
        -- The interval's first instant (interval_start_local in var timezone).
        timezone('{{ var('timezone') }}', interval_start_local) as interval_start,
        offered,
        answered,
        abandoned,
        short_abandoned,
        timed_out,
        exited_with_key,
        exited_empty,
        unfinished,
        answered_within_target,
        -- Service level: answered within target / (answered + abandoned); short abandons,
        -- timeouts, exits with key, exits empty and unfinished visits are left out.
        answered_within_target / nullif(answered + abandoned, 0)::double as service_level,
        -- Service level over offered: answered within target / offered.
        answered_within_target / nullif(offered, 0)::double as service_level_offered,
        -- Service level without short abandons: answered within target / (offered - short
        -- abandoned).
        answered_within_target / nullif(offered - short_abandoned, 0)::double
            as service_level_excl_short,
        -- ASA: sum of wait_s of answered visits / answered.
        answered_wait_s / nullif(answered, 0)::double as asa_s,
        -- AHT: (talk + hold + after-call work) / answered visits whose handling is known.
        -- Asterisk's calltime (talk_s) runs from bridge to hang-up and so already holds the
        -- hold time; the handle time is talk_s + acw_s (hold is not added a second time).
        handle_s / nullif(handled_known, 0)::double as aht_s,
        handled_known,
        longest_wait_s,
        -- Abandon rate: abandoned (short abandons excluded) / offered.
        abandoned / nullif(offered, 0)::double as abandon_rate,
        -- Staffed: seconds agents were members of the queue in the interval, paused or not.
        staffed_agent_s,
        -- Available: seconds members were in state available (idle, ready for a call).
        available_agent_s,
        -- Handling: seconds agents were talking, on hold or in after-call work on the
        -- queue's calls in the interval.
        handling_agent_s,
        -- Occupancy: handling / (handling + available); aux, ringing and dialing time count
        -- in neither.
        handling_agent_s / nullif(handling_agent_s + available_agent_s, 0)::double as occupancy
    from combined
),

final as (
    select * from kpis
)

select * from final
