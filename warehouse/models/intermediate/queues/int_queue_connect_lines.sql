-- Per queue: the CONNECT lines of stg_queue_log and where each went, so the marts' answered
-- counts reconcile with the raw log: connect_lines = connect_lines_in_visits +
-- orphan_connect_lines (a test in _models.toml), and mart_interval_kpis.answered sums to
-- connect_lines_in_visits per queue (an equal_sum test in marts/queues/_models.toml).
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

counted as (
    select
        coalesce(logged.queue, assigned.queue) as queue,
        coalesce(logged.connect_lines, 0) as connect_lines,
        coalesce(assigned.connect_lines_in_visits, 0) as connect_lines_in_visits,
        coalesce(assigned.orphan_connect_lines, 0) as orphan_connect_lines
    from logged
    full outer join assigned on logged.queue is not distinct from assigned.queue
),

final as (
    select * from counted
)

select * from final
