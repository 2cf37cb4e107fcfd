-- One row per queue_log line as the reader typed it: renamed and cast, nothing interpreted.
-- What data1..data5 mean depends on the event (docs/formats.md, "Events this suite writes");
-- the int_* models read them per event. Instants are UTC; event_time_local is the center's
-- wall clock, which days and intervals are cut by.
with source as (
    select * from {{ source('raw_queue_log') }}
),

renamed as (
    select
        cast(event_time as timestamptz) as event_time,
        event_time at time zone '{{ var('timezone') }}' as event_time_local,
        cast(epoch as bigint) as event_epoch_s,
        call_id,
        queue,
        agent,
        event,
        data1,
        data2,
        data3,
        data4,
        data5,
        data,
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
