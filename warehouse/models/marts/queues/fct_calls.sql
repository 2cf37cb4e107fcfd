-- One row per call that entered at least one queue (int_queue_visits), with its journey
-- through the queues, its handling, its CDR A-leg and its recordings. Calls whose queue
-- lines have no ENTERQUEUE are not here; int_queue_orphan_events lists their lines.
with visits as (
    select * from {{ ref('int_queue_visits') }}
),

call_work as (
    select * from {{ ref('int_call_work') }}
),

cdr as (
    select * from {{ ref('stg_cdr') }}
),

recordings as (
    select * from {{ ref('stg_recordings') }}
),

visits_with_work as (
    select
        visits.*,
        call_work.hold_s,
        call_work.acw_s
    from visits
    left join call_work
        on visits.call_id = call_work.call_id
        and visits.agent = call_work.agent_id
        and visits.queue = call_work.queue
),

per_call as (
    select
        call_id,
        min(enter_time) as first_enter_time,
        min(enter_time_local) as first_enter_time_local,
        arg_min(queue, visit_number) as first_queue,
        count(*) as queue_visits,
        arg_max(queue, visit_number) as final_queue,
        -- Final outcome: the outcome of the call's last queue visit.
        arg_max(outcome, visit_number) as final_outcome,
        -- Total wait: wait_s summed over the call's visits (as logged, whole seconds).
        cast(sum(wait_s) as bigint) as total_wait_s,
        count(*) filter (where outcome = 'answered') as answered_visits,
        -- Answered by: the agent of the call's last answered visit.
        arg_max(agent, visit_number) filter (where outcome = 'answered') as answered_by,
        coalesce(bool_or(ended_by = 'transfer'), false) as transferred,
        -- Talk: Asterisk's calltime summed over answered visits (hold included).
        cast(sum(talk_s) as bigint) as talk_s,
        -- Hold and after-call work: summed over answered visits from the agents' states;
        -- NULL unless known for every answered visit.
        case
            when count(*) filter (where outcome = 'answered')
                = count(hold_s) filter (where outcome = 'answered')
                then sum(hold_s) filter (where outcome = 'answered')
        end as hold_s,
        case
            when count(*) filter (where outcome = 'answered')
                = count(acw_s) filter (where outcome = 'answered')
                then sum(acw_s) filter (where outcome = 'answered')
        end as acw_s,
        arg_max(queue, visit_number) filter (where outcome = 'answered') as answered_queue
    from visits_with_work
    group by call_id
),

a_legs as (
    -- The caller's own CDR among the call's rows: not an agent leg (ext-queues), and of
    -- several the last written (docs/formats.md: legs are written as they end, the A-leg last).
    select *
    from cdr
    qualify row_number() over (
        partition by call_id
        order by destination_context = 'ext-queues', end_time desc, source_file desc,
            byte_offset desc
    ) = 1
),

last_answered_recordings as (
    -- The recording of the call's last answered visit (its agent and queue), the latest
    -- if there are several.
    select recordings.call_id, recordings.recording_id, recordings.file_name
    from recordings
    join per_call
        on recordings.call_id = per_call.call_id
        and recordings.agent_id = per_call.answered_by
        and recordings.queue = per_call.answered_queue
    qualify row_number() over (
        partition by recordings.call_id order by recordings.start_time desc
    ) = 1
),

recordings_per_call as (
    select
        call_id,
        count(*) as recording_count,
        sum(duration_s) as recorded_s
    from recordings
    group by call_id
),

calls as (
    select
        per_call.call_id,
        per_call.first_enter_time,
        per_call.first_enter_time_local,
        per_call.first_queue,
        per_call.queue_visits,
        per_call.final_queue,
        per_call.final_outcome,
        per_call.total_wait_s,
        per_call.answered_visits,
        per_call.answered_by,
        per_call.transferred,
        per_call.talk_s,
        per_call.hold_s,
        per_call.acw_s,
        -- Handle time: talk (hold inside) + after-call work, when both are known.
        per_call.talk_s + per_call.acw_s as handle_s,
        a_legs.disposition as cdr_disposition,
        a_legs.billsec_s as cdr_billsec_s,
        a_legs.duration_s as cdr_duration_s,
        a_legs.user_field as cdr_user_field,
        coalesce(recordings_per_call.recording_count, 0) as recording_count,
        recordings_per_call.recorded_s,
        last_answered_recordings.recording_id,
        last_answered_recordings.file_name as recording_file_name
    from per_call
    left join a_legs on per_call.call_id = a_legs.call_id
    left join recordings_per_call on per_call.call_id = recordings_per_call.call_id
    left join last_answered_recordings
        on per_call.call_id = last_answered_recordings.call_id
),

final as (
    select * from calls
)

select * from final
