-- One row per queue visit (int_queue_visits, every outcome) with what the agent marts count
-- for it: the local day it counts on, whether it was handled, transferred or followed by a
-- repeat call, and its handle time. One row per visit so the agent marts reconcile with
-- int_queue_visits per day (_models.toml).
--
-- day_local: the local day the visit ENTERED the queue (as the queue marts and the engine's
-- truth files count it), also for an answer or end after midnight.
-- repeat_call: the caller's number (ENTERQUEUE callerid) entered a queue again on another
-- call within 7 days after this call's end, i.e. some other call of the same number has its
-- first ENTERQUEUE in (call end, call end + 7 days]. The call's end is the latest end_time of
-- its visits (a transferred call ends in the last queue). Calls with a restricted number,
-- or not ended in the log, never count as followed by a repeat.
with visits as (
    select * from {{ ref('int_queue_visits') }}
),

call_work as (
    select * from {{ ref('int_call_work') }}
),

calls as (
    select
        call_id,
        arg_min(caller_number, visit_number) as caller_number,
        min(enter_time) as first_enter_time,
        max(end_time) as call_end_time
    from visits
    group by call_id
),

repeated_calls as (
    select distinct this_call.call_id
    from calls as this_call
    inner join calls as later_call
        on this_call.caller_number = later_call.caller_number
        and later_call.call_id <> this_call.call_id
        and later_call.first_enter_time > this_call.call_end_time
        and later_call.first_enter_time <= this_call.call_end_time + interval 7 days
),

agent_visits as (
    select
        visits.visit_id,
        visits.call_id,
        visits.queue,
        visits.agent as agent_id,
        cast(visits.enter_time_local as date) as day_local,
        visits.caller_number,
        visits.outcome,
        cast(visits.outcome = 'answered' as integer) as answered,
        cast(coalesce(visits.ended_by = 'transfer', false) as integer) as transferred,
        cast(visits.outcome = 'answered' and repeated_calls.call_id is not null as integer)
            as repeat_call,
        visits.talk_s,
        call_work.hold_s,
        call_work.acw_s,
        -- As in mart_interval_kpis: handling is known when the visit's end was logged and
        -- the agent's hold and after-call work spans for the call all ended.
        visits.outcome = 'answered'
            and visits.talk_s is not null
            and call_work.hold_s is not null
            and call_work.acw_s is not null as handling_known
    from visits
    left join call_work
        on visits.call_id = call_work.call_id
        and visits.agent = call_work.agent_id
        and visits.queue = call_work.queue
    left join repeated_calls
        on visits.call_id = repeated_calls.call_id
),

final as (
    select * from agent_visits
)

select * from final
