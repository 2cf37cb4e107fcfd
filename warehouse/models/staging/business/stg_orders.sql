-- One row per ticket order as the booking system exported it (orders/orders_*.csv, docs/
-- formats.md): renamed and cast, nothing derived. Money in the order's currency, 2 places.
-- Instants are UTC; created_time_local is the center's wall clock, which days are cut by.
with source as (
    select * from {{ source('raw_orders') }}
),

renamed as (
    select
        order_id,
        cast(created_time as timestamptz) as created_time,
        created_time at time zone '{{ var('timezone') }}' as created_time_local,
        customer_id,
        channel,
        distributor,
        call_id,
        agent_id,
        origin,
        destination,
        cast(flight_date as date) as flight_date,
        cast(passengers as integer) as passengers,
        cast(fare as decimal(12, 2)) as fare,
        cast(taxes as decimal(12, 2)) as taxes,
        payment_method,
        currency,
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
