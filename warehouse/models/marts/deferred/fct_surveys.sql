-- One row per post-call survey offer (stg_surveys) with its call's drivers, for the
-- dashboards' driver analysis: the call's total wait and transfers (fct_calls,
-- int_queue_visits) and whether the caller had called recently. A survey whose uniqueid
-- matches no call in fct_calls is kept (known_call false, drivers NULL) and listed in
-- mart_data_exceptions.
--
-- repeat_call: the caller's number started another inbound call within the repeat window
-- (72 hours, the airline scenario's [survey] repeat_window_h) before this call started.
-- Inbound calls are the callers' A-legs in Master.csv (dcontext from-pstn, from-trunk or
-- from-did*: every call that reached the box, closed hours and congestion included) and,
-- for a call without one, its first ENTERQUEUE (caller id). NULL when the call or its
-- number is unknown. The window is a constant here: change it in window_hours below.
with surveys as (
    select * from {{ ref('stg_surveys') }}
),

calls as (
    select * from {{ ref('fct_calls') }}
),

visits as (
    select * from {{ ref('int_queue_visits') }}
),

cdr as (
    select * from {{ ref('stg_cdr') }}
),

settings as (
    select 72 as window_hours
),

transfers as (
    select
        call_id,
        count(*) filter (where ended_by = 'transfer') as transfers
    from visits
    group by call_id
),

cdr_calls as (
    select
        call_id,
        arg_min(source_number, start_time) as caller_number,
        min(start_time) as started_time
    from cdr
    where
        (destination_context in ('from-pstn', 'from-trunk') or destination_context like 'from-did%')
        and nullif(call_id, '') is not null
    group by call_id
),

queue_calls as (
    select
        call_id,
        arg_min(caller_number, enter_time) as caller_number,
        min(enter_time) as started_time
    from visits
    where call_id not in (select call_id from cdr_calls)
    group by call_id
),

inbound_calls as (
    select call_id, nullif(trim(caller_number), '') as caller_number, started_time
    from cdr_calls
    union all
    select call_id, nullif(trim(caller_number), '') as caller_number, started_time
    from queue_calls
),

surveyed_calls as (
    select
        surveys.call_id,
        inbound_calls.caller_number,
        inbound_calls.started_time
    from surveys
    inner join inbound_calls on surveys.call_id = inbound_calls.call_id
    where inbound_calls.caller_number is not null
),

repeats as (
    select
        surveyed_calls.call_id,
        count(earlier.call_id) > 0 as repeat_call
    from surveyed_calls
    cross join settings
    left join inbound_calls as earlier
        on earlier.caller_number = surveyed_calls.caller_number
        and earlier.call_id <> surveyed_calls.call_id
        and earlier.started_time <= surveyed_calls.started_time
        and earlier.started_time
            >= surveyed_calls.started_time - to_hours(settings.window_hours)
    group by surveyed_calls.call_id
),

joined as (
    select
        surveys.call_id,
        surveys.offered_time,
        surveys.offered_time_local,
        surveys.day_local,
        surveys.agent_id,
        surveys.queue,
        surveys.scale,
        surveys.answered,
        surveys.score,
        surveys.label,
        surveys.satisfied,
        surveys.dissatisfied,
        -- The survey's call is in fct_calls (it entered a queue in this warehouse).
        calls.call_id is not null as known_call,
        -- Total wait: fct_calls.total_wait_s, the call's queue waits summed (whole seconds).
        calls.total_wait_s as wait_s,
        calls.queue_visits,
        -- Transfers: the call's visits that ended by a transfer.
        case when calls.call_id is not null then coalesce(transfers.transfers, 0) end
            as transfers,
        calls.transferred,
        repeats.repeat_call,
        calls.answered_by,
        -- Handle time of the call: talk (hold inside) + after-call work, seconds.
        calls.handle_s
    from surveys
    left join calls on surveys.call_id = calls.call_id
    left join transfers on surveys.call_id = transfers.call_id
    left join repeats on surveys.call_id = repeats.call_id
),

final as (
    select * from joined
)

select * from final
