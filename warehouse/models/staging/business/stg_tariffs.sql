-- One row per tariff line of the carrier's price list (ingest/readers/tariffs.py): renamed
-- and cast. The longest prefix of a dialled number wins among the rows valid on the call's
-- local date; valid_to is exclusive and NULL when open-ended.
with source as (
    select * from {{ source('raw_tariffs') }}
),

renamed as (
    select
        prefix,
        destination as destination_name,
        cast(rate_per_min as decimal(12, 4)) as rate_per_min,
        cast(billing_increment_s as integer) as billing_increment_s,
        cast(minimum_s as integer) as minimum_s,
        cast(connection_fee as decimal(12, 4)) as connection_fee,
        cast(valid_from as date) as valid_from,
        cast(valid_to as date) as valid_to,
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
