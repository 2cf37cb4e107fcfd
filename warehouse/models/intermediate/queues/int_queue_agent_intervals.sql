-- One row per queue, local interval (var interval_minutes) and agent: the agent's seconds
-- in that interval, cut at the interval's edges (a span crossing an edge is split).
--   staffed_s    a member of the queue (int_queue_member_spans), paused or not
--   available_s  in state available while a member of the queue; an agent in several
--                queues is available to each of them, so the seconds count in each
--   handling_s   in state talking, hold or acw on a call of this queue (the span's queue),
--                inbound or a callback for the queue; whether a member or not
-- Ringing and dialing count in neither available_s nor handling_s; spans without a known
-- end (an agent's last state row) count nowhere. Interval edges are local wall-clock
-- times turned into instants in var timezone, so a DST day has its true lengths.
with memberships as (
    select * from {{ ref('int_queue_member_spans') }}
),

spans as (
    select * from {{ ref('int_agent_state_spans') }}
    where end_time > start_time
),

staffed as (
    select queue, agent_id, 'staffed' as kind, start_time, counted_end_time as end_time
    from memberships
    where counted_end_time > start_time
),

available as (
    select
        memberships.queue,
        spans.agent_id,
        'available' as kind,
        greatest(spans.start_time, memberships.start_time) as start_time,
        least(spans.end_time, memberships.counted_end_time) as end_time
    from spans
    join memberships
        on spans.agent_id = memberships.agent_id
        and spans.start_time < memberships.counted_end_time
        and spans.end_time > memberships.start_time
    where spans.state = 'available'
),

handling as (
    select queue, agent_id, 'handling' as kind, start_time, end_time
    from spans
    where state in ('talking', 'hold', 'acw') and queue is not null
),

pieces as (
    select * from staffed
    union all
    select * from available
    union all
    select * from handling
),

split as (
    select
        queue,
        agent_id,
        kind,
        start_time,
        end_time,
        unnest(generate_series(
            time_bucket(
                interval '{{ var('interval_minutes') }} minutes',
                start_time at time zone '{{ var('timezone') }}'
            ),
            (end_time at time zone '{{ var('timezone') }}') - interval '1 microsecond',
            interval '{{ var('interval_minutes') }} minutes'
        )) as interval_start_local
    from pieces
),

clipped as (
    select
        queue,
        agent_id,
        kind,
        interval_start_local,
        (
            epoch_us(least(
                end_time,
                timezone(
                    '{{ var('timezone') }}',
                    interval_start_local + interval '{{ var('interval_minutes') }} minutes'
                )
            ))
            - epoch_us(greatest(
                start_time, timezone('{{ var('timezone') }}', interval_start_local)
            ))
        ) / 1e6 as seconds
    from split
),

per_agent as (
    select
        queue,
        interval_start_local,
        agent_id,
        coalesce(sum(seconds) filter (where kind = 'staffed'), 0) as staffed_s,
        coalesce(sum(seconds) filter (where kind = 'available'), 0) as available_s,
        coalesce(sum(seconds) filter (where kind = 'handling'), 0) as handling_s
    from clipped
    where seconds > 0
    group by queue, interval_start_local, agent_id
),

final as (
    select * from per_agent
)

select * from final
