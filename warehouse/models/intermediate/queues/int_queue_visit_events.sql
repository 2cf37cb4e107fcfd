-- One row per queue_log line of a caller in a queue (ENTERQUEUE, RING*, CONNECT, COMPLETE*,
-- transfers, exits), each assigned to the queue visit it belongs to.
--
-- A visit is (call_id, queue, enter time): an ENTERQUEUE opens it, and the call's following
-- lines in that queue belong to it up to and including its first ending line (ABANDON,
-- EXIT*, WITHDRAW, COMPLETE*, *TRANSFER), in the order int_queue_log_lines gives the log
-- (logged second, then file position across rotated files).
--
-- A line that no visit claims keeps visit_id NULL and says why in orphan_reason:
-- 'no_enterqueue' (CONNECT/COMPLETE* whose ENTERQUEUE is in a file not loaded, was lost,
-- or preceded a restart) or 'after_visit_end' (a line after the visit's ending line).
-- int_queue_orphan_events lists them, so no line silently disappears.
with log_lines as (
    select * from {{ ref('int_queue_log_lines') }}
),

caller_lines as (
    select * from log_lines
    where event in (
        'ENTERQUEUE', 'RINGNOANSWER', 'RINGCANCELED', 'CONNECT', 'AGENTDUMP', 'SYSCOMPAT',
        'COMPLETECALLER', 'COMPLETEAGENT', 'BLINDTRANSFER', 'ATTENDEDTRANSFER', 'TRANSFER',
        'ABANDON', 'EXITWITHTIMEOUT', 'EXITWITHKEY', 'EXITEMPTY', 'WITHDRAW'
    )
),

sequenced as (
    select
        *,
        row_number() over call_in_queue as line_seq,
        -- The number of ENTERQUEUEs so far: 0 for lines before the first one.
        sum(case when event = 'ENTERQUEUE' then 1 else 0 end) over (
            call_in_queue rows between unbounded preceding and current row
        ) as enter_seq,
        event in (
            'ABANDON', 'EXITWITHTIMEOUT', 'EXITWITHKEY', 'EXITEMPTY', 'WITHDRAW',
            'COMPLETECALLER', 'COMPLETEAGENT', 'BLINDTRANSFER', 'ATTENDEDTRANSFER', 'TRANSFER'
        ) as ends_visit
    from caller_lines
    window call_in_queue as (
        partition by call_id, queue order by log_seq
    )
),

with_visit_bounds as (
    select
        *,
        min(case when ends_visit then line_seq end) over opened_visit as end_line_seq,
        min(case when event = 'ENTERQUEUE' then event_epoch_s end) over opened_visit
            as enter_epoch_s
    from sequenced
    window opened_visit as (partition by call_id, queue, enter_seq)
),

assigned as (
    select
        case
            when enter_seq > 0 and (end_line_seq is null or line_seq <= end_line_seq)
                then call_id || '|' || queue || '|' || enter_epoch_s
        end as visit_id,
        case
            when enter_seq = 0 then 'no_enterqueue'
            when line_seq > end_line_seq then 'after_visit_end'
        end as orphan_reason,
        call_id,
        queue,
        agent,
        event,
        event_time,
        event_time_local,
        event_epoch_s,
        data1,
        data2,
        data3,
        data4,
        data5,
        data,
        ends_visit,
        enter_seq,
        line_seq,
        log_seq,
        source_file,
        source_line,
        byte_offset,
        load_id
    from with_visit_bounds
),

final as (
    select * from assigned
)

select * from final
