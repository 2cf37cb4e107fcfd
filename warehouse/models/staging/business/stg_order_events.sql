-- One row per dated step of an order's life (orders/order_events_*.csv): booked, paid,
-- ticketed, delivered, refunded, cancelled; renamed and cast. amount is money received
-- (paid) or returned (refunded), 0 on the other events; reference is the PNR, payment
-- reference, ticket numbers, waybill or cancel reason (acd/orders.py).
with source as (
    select * from {{ source('raw_order_events') }}
),

renamed as (
    select
        order_id,
        cast(event_time as timestamptz) as event_time,
        event_time at time zone '{{ var('timezone') }}' as event_time_local,
        event,
        cast(amount as decimal(12, 2)) as amount,
        reference,
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
