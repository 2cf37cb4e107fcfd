-- The sales funnel per local day x channel x queue x agent: answered calls in the queues that
-- sell, the orders booked and how far they got by the data end (the last order event).
-- Queue and agent are those of the booking call for call_center orders (int_order_status),
-- and NULL for web and distributor orders. Orders count on their local booking day, calls
-- on the local day they were answered.
-- Booking queues: the queues in which at least one order-booking call was answered in the
-- data (the queues that sell), so calls in queues that never sell do not dilute conversion.
with orders as (
    select * from {{ ref('int_order_status') }}
),

answered_visits as (
    select * from {{ ref('int_queue_visits') }}
    where outcome = 'answered'
),

booking_queues as (
    select distinct booking_queue as queue
    from orders
    where booking_queue is not null
),

answered_days as (
    select
        -- The local day the agent answered (CONNECT; the queue entry if it was not logged).
        cast(
            coalesce(connect_time, enter_time) at time zone '{{ var('timezone') }}' as date
        ) as local_date,
        queue,
        agent as agent_id
    from answered_visits
),

answered_calls as (
    select
        answered_days.local_date,
        'call_center' as channel,
        answered_days.queue,
        answered_days.agent_id,
        count(*) as calls_answered
    from answered_days
    inner join booking_queues on booking_queues.queue = answered_days.queue
    group by answered_days.local_date, answered_days.queue, answered_days.agent_id
),

booked_orders as (
    select
        booked_date as local_date,
        channel,
        booking_queue as queue,
        agent_id,
        count(*) as orders_booked,
        sum(order_total) as booked_amount,
        count(case when payments > 0 then 1 end) as orders_paid,
        count(case when ticketed_at is not null then 1 end) as orders_ticketed,
        count(
            case when ticketed_at is not null and payment_method = 'cash_on_delivery' then 1 end
        ) as orders_ticketed_cod,
        count(case when delivered_at is not null then 1 end) as orders_delivered,
        count(case when cancelled_at is not null then 1 end) as orders_cancelled,
        count(case when refunded_amount > 0 then 1 end) as orders_refunded
    from orders
    group by booked_date, channel, booking_queue, agent_id
),

stacked as (
    select
        local_date,
        channel,
        queue,
        agent_id,
        calls_answered,
        0 as orders_booked,
        0 as booked_amount,
        0 as orders_paid,
        0 as orders_ticketed,
        0 as orders_ticketed_cod,
        0 as orders_delivered,
        0 as orders_cancelled,
        0 as orders_refunded
    from answered_calls
    union all
    select
        local_date,
        channel,
        queue,
        agent_id,
        0 as calls_answered,
        orders_booked,
        booked_amount,
        orders_paid,
        orders_ticketed,
        orders_ticketed_cod,
        orders_delivered,
        orders_cancelled,
        orders_refunded
    from booked_orders
),

per_day as (
    select
        local_date,
        channel,
        queue,
        agent_id,
        -- Calls answered: queue visits the agent answered that day in a booking queue
        -- (int_queue_visits; call_center only).
        sum(calls_answered) as calls_answered,
        -- Orders booked: orders created that day (for call_center, on calls of that agent).
        sum(orders_booked) as orders_booked,
        -- Booked amount: their order totals (fare + taxes).
        cast(sum(booked_amount) as decimal(14, 2)) as booked_amount,
        -- Orders paid / ticketed / delivered / cancelled / refunded: of the orders booked that
        -- day, those with at least one such event by the data end.
        sum(orders_paid) as orders_paid,
        sum(orders_ticketed) as orders_ticketed,
        sum(orders_ticketed_cod) as orders_ticketed_cod,
        sum(orders_delivered) as orders_delivered,
        sum(orders_cancelled) as orders_cancelled,
        sum(orders_refunded) as orders_refunded
    from stacked
    group by local_date, channel, queue, agent_id
),

final as (
    select
        local_date,
        channel,
        queue,
        agent_id,
        calls_answered,
        orders_booked,
        booked_amount,
        orders_paid,
        orders_ticketed,
        orders_ticketed_cod,
        orders_delivered,
        orders_cancelled,
        orders_refunded,
        -- Conversion: orders booked / calls answered (NULL without answered calls: web,
        -- distributor, or a queue and agent that booked but answered nothing that day).
        cast(orders_booked as double) / nullif(calls_answered, 0) as conversion_rate,
        -- Payment, ticketing, cancellation and refund rates: share of the orders booked.
        cast(orders_paid as double) / nullif(orders_booked, 0) as payment_rate,
        cast(orders_ticketed as double) / nullif(orders_booked, 0) as ticketing_rate,
        cast(orders_cancelled as double) / nullif(orders_booked, 0) as cancellation_rate,
        cast(orders_refunded as double) / nullif(orders_booked, 0) as refund_rate,
        -- Delivery rate: delivered / ticketed cash-on-delivery orders.
        cast(orders_delivered as double) / nullif(orders_ticketed_cod, 0) as delivery_rate
    from per_day
)

select * from final
