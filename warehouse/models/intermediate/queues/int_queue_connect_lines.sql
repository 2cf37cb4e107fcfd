-- Per queue: the CONNECT lines of stg_queue_log and where each went, so the marts' answered
-- counts reconcile with the raw log: connect_lines = connect_lines_in_visits +
-- orphan_connect_lines (a test in _models.toml), and mart_interval_kpis.answered sums to
-- connect_lines_in_visits per queue (an equal_sum test in marts/queues/_models.toml).
-- Amazon Connect's counterpart of a CONNECT line is a contact record with
-- Agent.ConnectedToAgentTimestamp; it is in a visit when it also has its EnqueueTimestamp.
with queue_log as (
    select * from {{ ref('stg_queue_log') }}
),

visit_events as (
    select * from {{ ref('int_queue_visit_events') }}
),

logged as (
    select queue, count(*) as connect_lines
    from queue_log
    where event = 'CONNECT'
    group by queue
),

assigned as (
    select
        queue,
        count(*) filter (where visit_id is not null) as connect_lines_in_visits,
        count(*) filter (where visit_id is null) as orphan_connect_lines
    from visit_events
    where event = 'CONNECT'
    group by queue
),

connect_records as (
    select
        queue,
        count(*) as connect_lines,
        count(*) filter (where enqueue_time is not null) as connect_lines_in_visits,
        count(*) filter (where enqueue_time is null) as orphan_connect_lines
    from {{ ref('stg_connect_contacts') }}
    where connected_to_agent_time is not null and queue is not null
    group by queue
),

asterisk_counted as (
    select
        coalesce(logged.queue, assigned.queue) as queue,
        coalesce(logged.connect_lines, 0) as connect_lines,
        coalesce(assigned.connect_lines_in_visits, 0) as connect_lines_in_visits,
        coalesce(assigned.orphan_connect_lines, 0) as orphan_connect_lines
    from logged
    full outer join assigned on logged.queue is not distinct from assigned.queue
),

counted as (
    select
        queue,
        cast(sum(connect_lines) as bigint) as connect_lines,
        cast(sum(connect_lines_in_visits) as bigint) as connect_lines_in_visits,
        cast(sum(orphan_connect_lines) as bigint) as orphan_connect_lines
    from (
        select * from asterisk_counted
        union all
        select * from connect_records
    )
    group by queue
),

final as (
    select * from counted
)

select * from final
