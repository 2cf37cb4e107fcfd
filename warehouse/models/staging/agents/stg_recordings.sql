-- One row per call recording (the recordings export, docs/formats.md) as the reader typed
-- it: renamed and cast. A queue call has one recording per agent who took it (a transferred
-- call has two). Instants are UTC; start_time_local is the center's wall clock.
with source as (
    select * from {{ source('raw_recordings') }}
),

renamed as (
    select
        recording_id,
        call_id,
        agent_id,
        queue,
        direction,
        cast(start_time as timestamptz) as start_time,
        start_time at time zone '{{ var('timezone') }}' as start_time_local,
        cast(duration_s as double) as duration_s,
        file_name,
        cast(talk_ratio as double) as talk_ratio,
        cast(silence_s as double) as silence_s,
        cast(hold_count as integer) as hold_count,
        cast(hold_s as double) as hold_s,
        cast(overtalk_s as double) as overtalk_s,
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
