-- One row per queue visit: a caller's stay in one queue, from its ENTERQUEUE to its ending
-- line (lines assigned in int_queue_visit_events). A call that overflows or is transferred
-- into another queue has one visit per queue entered, linked by next_queue/visit_number.
--
-- Every duration is the whole seconds Asterisk logged (docs/formats.md, "Events this suite
-- writes"): differences of truncated clock seconds, never recomputed from the line times.
--
-- outcome, from the visit's lines:
--   answered     a CONNECT, or an ending COMPLETECALLER/COMPLETEAGENT/*TRANSFER (a visit
--                with a CONNECT and no ending line stays answered, its end unknown)
--   abandoned    ABANDON (short abandons are told apart by wait_s in the marts)
--   timeout      EXITWITHTIMEOUT
--   exitwithkey  EXITWITHKEY; also WITHDRAW (the AMI pulled the caller out, e.g. for a
--                callback: the caller left the queue on a request, not by hanging up)
--   exitempty    EXITEMPTY
--   unfinished   ENTERQUEUE and no CONNECT or ending line (restart, lost line, or the
--                call still waits when the log was read)
--
-- Amazon Connect contacts are appended with the same columns (int_connect_queue_visits,
-- which states the mapping); platform says where a visit came from.
with visit_lines as (
    select * from {{ ref('int_queue_visit_events') }}
    where visit_id is not null
),

per_visit as (
    select
        -- Grouped by the ENTERQUEUE count, not by visit_id: two visits of one call in one
        -- queue in the same second would share a visit_id, and its unique test says so.
        any_value(visit_id) as visit_id,
        call_id,
        queue,
        min(event_time) filter (where event = 'ENTERQUEUE') as enter_time,
        min(event_time_local) filter (where event = 'ENTERQUEUE') as enter_time_local,
        min(log_seq) filter (where event = 'ENTERQUEUE') as enter_log_seq,
        -- ENTERQUEUE data: url|callerid|position[|callerid_name]
        nullif(min(data2) filter (where event = 'ENTERQUEUE'), '') as caller_number,
        try_cast(min(data3) filter (where event = 'ENTERQUEUE') as integer) as enter_position,
        count(*) filter (where event = 'RINGNOANSWER') as ring_no_answer_count,
        -- CONNECT data: holdtime|bridged_uniqueid|ringtime
        arg_min(event_time, line_seq) filter (where event = 'CONNECT') as connect_time,
        arg_min(agent, line_seq) filter (where event = 'CONNECT') as connect_agent,
        try_cast(arg_min(data1, line_seq) filter (where event = 'CONNECT') as integer)
            as connect_holdtime_s,
        -- A visit holds at most one ending line (later lines are orphans).
        any_value(event) filter (where ends_visit) as end_event,
        any_value(event_time) filter (where ends_visit) as end_line_time,
        any_value(agent) filter (where ends_visit) as end_agent,
        any_value(data1) filter (where ends_visit) as end_data1,
        any_value(data2) filter (where ends_visit) as end_data2,
        any_value(data3) filter (where ends_visit) as end_data3,
        any_value(data4) filter (where ends_visit) as end_data4,
        any_value(string_split(data, '|')) filter (where ends_visit) as end_fields
    from visit_lines
    group by call_id, queue, enter_seq
),

parsed as (
    select
        *,
        -- holdtime and calltime of the line ending an answered visit:
        -- COMPLETE*: holdtime|calltime|origposition;
        -- BLINDTRANSFER/TRANSFER: extension|context|holdtime|calltime|origposition;
        -- ATTENDEDTRANSFER: target (own pipes: 2 or 3 fields)|holdtime|calltime|origposition.
        case
            when end_event in ('COMPLETECALLER', 'COMPLETEAGENT') then try_cast(end_data1 as integer)
            when end_event in ('BLINDTRANSFER', 'TRANSFER') then try_cast(end_data3 as integer)
            when end_event = 'ATTENDEDTRANSFER' then try_cast(end_fields[-3] as integer)
        end as end_holdtime_s,
        case
            when end_event in ('COMPLETECALLER', 'COMPLETEAGENT') then try_cast(end_data2 as integer)
            when end_event in ('BLINDTRANSFER', 'TRANSFER') then try_cast(end_data4 as integer)
            when end_event = 'ATTENDEDTRANSFER' then try_cast(end_fields[-2] as integer)
        end as end_calltime_s,
        -- waittime of an exit: ABANDON/EXITWITHTIMEOUT/EXITEMPTY/WITHDRAW:
        -- position|origposition|waittime[|info]; EXITWITHKEY: key|position|origposition|waittime.
        -- Pre-2007 layouts without the waittime leave it NULL.
        case
            when end_event in ('ABANDON', 'EXITWITHTIMEOUT', 'EXITEMPTY', 'WITHDRAW')
                then try_cast(end_data3 as integer)
            when end_event = 'EXITWITHKEY' then try_cast(end_data4 as integer)
        end as exit_waittime_s,
        case
            when end_event in ('BLINDTRANSFER', 'TRANSFER') then end_data1
            when end_event = 'ATTENDEDTRANSFER'
                then array_to_string(end_fields[1:len(end_fields) - 3], '|')
        end as end_transfer_target
    from per_visit
),

classified as (
    select
        *,
        case
            when connect_time is not null
                or end_event in (
                    'COMPLETECALLER', 'COMPLETEAGENT', 'BLINDTRANSFER', 'ATTENDEDTRANSFER',
                    'TRANSFER'
                )
                then 'answered'
            when end_event = 'ABANDON' then 'abandoned'
            when end_event = 'EXITWITHTIMEOUT' then 'timeout'
            when end_event in ('EXITWITHKEY', 'WITHDRAW') then 'exitwithkey'
            when end_event = 'EXITEMPTY' then 'exitempty'
            else 'unfinished'
        end as outcome
    from parsed
),

visits as (
    select
        visit_id,
        call_id,
        queue,
        enter_time,
        enter_time_local,
        time_bucket(interval '{{ var('interval_minutes') }} minutes', enter_time_local)
            as interval_start_local,
        caller_number,
        enter_position,
        outcome,
        -- The member who answered: CONNECT's agent (the ending line's if CONNECT is missing).
        case when outcome = 'answered' then coalesce(connect_agent, end_agent) end as agent,
        ring_no_answer_count,
        -- Wait in whole seconds as logged: CONNECT's holdtime for an answered visit (the
        -- ending line's holdtime if CONNECT is missing), else the exit line's waittime.
        case
            when outcome = 'answered' then coalesce(connect_holdtime_s, end_holdtime_s)
            else exit_waittime_s
        end as wait_s,
        connect_time,
        -- Asterisk's calltime: bridge end - bridge start in whole seconds; hold is inside it.
        case when outcome = 'answered' then end_calltime_s end as talk_s,
        end_line_time as end_time,
        case end_event
            when 'COMPLETECALLER' then 'caller'
            when 'COMPLETEAGENT' then 'agent'
            when 'BLINDTRANSFER' then 'transfer'
            when 'ATTENDEDTRANSFER' then 'transfer'
            when 'TRANSFER' then 'transfer'
        end as ended_by,
        end_transfer_target as transfer_target,
        lead(queue) over call_visits as next_queue,
        row_number() over call_visits as visit_number
    from classified
    window call_visits as (partition by call_id order by enter_log_seq)
),

connect_visits as (
    -- Amazon Connect contacts, mapped onto the same columns (int_connect_queue_visits).
    select * from {{ ref('int_connect_queue_visits') }}
),

final as (
    select *, 'asterisk' as platform from visits
    union all by name
    select *, 'connect' as platform from connect_visits
)

select * from final
