-- The queue_log lines of callers in queues that belong to no visit (int_queue_visit_events
-- with visit_id NULL), one row per line: a CONNECT/COMPLETE* whose ENTERQUEUE was never
-- loaded (orphan_reason 'no_enterqueue') or a line after its visit's ending line
-- ('after_visit_end'). Kept, not dropped, so every line is accounted for: visit lines +
-- these = all caller lines (int_queue_connect_lines reconciles the CONNECTs).
with visit_events as (
    select * from {{ ref('int_queue_visit_events') }}
),

orphans as (
    select
        orphan_reason,
        call_id,
        queue,
        agent,
        event,
        event_time,
        event_time_local,
        event_epoch_s,
        data,
        source_file,
        source_line,
        byte_offset,
        load_id
    from visit_events
    where visit_id is null
),

final as (
    select * from orphans
)

select * from final
