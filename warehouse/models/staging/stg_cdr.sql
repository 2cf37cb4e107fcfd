-- One row per call detail record (Master.csv row) as the reader typed it: renamed and cast.
-- A call has several rows (the A-leg plus one per agent leg); grouping them is for int_*.
-- Instants are UTC; start_time_local is the center's wall clock, which days are cut by.
with source as (
    select * from {{ source('raw_cdr') }}
),

renamed as (
    select
        uniqueid as call_id,
        linkedid as linked_id,
        cast(sequence as bigint) as cdr_sequence,
        accountcode as account_code,
        peeraccount as peer_account,
        src as source_number,
        dst as destination,
        dcontext as destination_context,
        clid as caller_id,
        channel,
        dstchannel as destination_channel,
        lastapp as last_app,
        lastdata as last_app_data,
        cast(start_time as timestamptz) as start_time,
        cast(answer_time as timestamptz) as answer_time,
        cast(end_time as timestamptz) as end_time,
        start_time at time zone '{{ var('timezone') }}' as start_time_local,
        cast(duration_s as integer) as duration_s,
        cast(billsec_s as integer) as billsec_s,
        disposition,
        amaflags as ama_flags,
        userfield as user_field,
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
