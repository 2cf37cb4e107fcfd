-- One row per agent state change (the agent_states export, docs/formats.md) as the reader
-- typed it: renamed and cast. A state lasts until the same agent's next row; turning rows
-- into spans is int_agent_state_spans' job. Instants are UTC; state_time_local is the
-- center's wall clock, which days and intervals are cut by.
with source as (
    select * from {{ source('raw_agent_states') }}
),

renamed as (
    select
        cast("time" as timestamptz) as state_time,
        "time" at time zone '{{ var('timezone') }}' as state_time_local,
        agent_id,
        state,
        reason,
        call_id,
        queue,
        source_file,
        cast(source_line as bigint) as source_line,
        cast(byte_offset as bigint) as byte_offset,
        load_id
    from source
),

final as (
    select * from renamed
)

select * from final
