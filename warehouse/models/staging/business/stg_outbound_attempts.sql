-- One row per outbound dial attempt of a campaign (outbound/outbound_attempts_*.csv):
-- renamed and cast. call_id is the attempt's CDR uniqueid; agent_id is empty when no agent
-- was connected. Instants are UTC; dial_time_local is the center's wall clock.
with source as (
    select * from {{ source('raw_outbound_attempts') }}
),

renamed as (
    select
        attempt_id,
        campaign,
        mode as dial_mode,
        call_id,
        customer_id,
        number as dialled_number,
        agent_id,
        cast(dial_time as timestamptz) as dial_time,
        dial_time at time zone '{{ var('timezone') }}' as dial_time_local,
        outcome,
        cast(answer_time as timestamptz) as answer_time,
        cast(end_time as timestamptz) as end_time,
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
