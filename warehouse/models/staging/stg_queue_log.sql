-- One row per queue_log line as the reader typed it: renamed and cast, nothing interpreted.
-- data1..data5 are the data part split on '|' the way Asterisk's realtime queue_log backend
-- splits it: the k-th field for k < 5, the fifth holding the rest (pipes included), null
-- where the line has fewer fields; the raw table stores only data (ingest.readers.queue_log
-- splits the same way, and a test compares the two). What data1..data5 mean depends on the
-- event (docs/formats.md, "Events this suite writes"); the int_* models read them per
-- event. Instants are UTC; event_time_local is the center's wall clock, which days and
-- intervals are cut by.
with source as (
    select
        *,
        string_split(data, '|') as data_fields
    from {{ source('raw_queue_log') }}
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
        data_fields[1] as data1,
        data_fields[2] as data2,
        data_fields[3] as data3,
        data_fields[4] as data4,
        case
            when len(data_fields) >= 5 then array_to_string(data_fields[5:], '|')
        end as data5,
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
