-- One row per agent state span: the agent entered `state` at start_time and stayed until
-- the same agent's next row (end_time). The agent's last row has no known end: end_time
-- and duration_s are NULL, and nothing downstream counts it.
-- Rows of one agent at the same instant (a zero-length after-call work, say) keep file
-- order: the export writes states in the order the agent went through them.
with states as (
    select * from {{ ref('stg_agent_states') }}
),

spans as (
    select
        agent_id,
        state,
        reason,
        call_id,
        queue,
        state_time as start_time,
        lead(state_time) over agent_timeline as end_time,
        state_time_local as start_time_local,
        cast(state_time_local as date) as day_local
    from states
    window agent_timeline as (
        partition by agent_id order by state_time, source_file, byte_offset
    )
),

measured as (
    select
        agent_id,
        state,
        reason,
        call_id,
        queue,
        start_time,
        end_time,
        -- Exact to the microsecond: integer microseconds, divided once.
        (epoch_us(end_time) - epoch_us(start_time)) / 1e6 as duration_s,
        start_time_local,
        day_local
    from spans
),

final as (
    select * from measured
)

select * from final
