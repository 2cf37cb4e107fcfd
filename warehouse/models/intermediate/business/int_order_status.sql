-- One row per order: its lifecycle dates and amounts (from the order events), what it is
-- worth, what its distributor earns, when its money is due and what is still open at the
-- end of the data. The settlement marts only sum these columns, so each definition lives here.
--
-- Payment terms (due_date = local ticketing date + payment_terms_days):
--   distributor orders: the distributor's payment_terms_days (stg_distributors); an
--     order of a distributor missing from stg_distributors has no terms, no due date and
--     commission 0 (unknown), and mart_settlement_exceptions lists it as
--     unknown_distributor: a new agency is chased, it does not stop the build;
--   own-channel cash on delivery: due on the local delivery date; until delivery, 3 days
--     after ticketing, the last day the courier comes (acd.orders.DELIVERY_DAYS = 1..3);
--   other own-channel orders: 0 days, the customer pays before the ticket is issued.
-- The 3 days are written here because warehouse.config has no receivables-terms variable.
with orders as (
    select * from {{ ref('stg_orders') }}
),

events as (
    select * from {{ ref('stg_order_events') }}
),

distributors as (
    select * from {{ ref('stg_distributors') }}
),

answered_visits as (
    select * from {{ ref('int_queue_visits') }}
    where outcome = 'answered'
),

data_end as (
    -- The build's "as of": the last instant the order data knows (max event time).
    select max(instant) as data_end_at
    from (
        select event_time as instant from events
        union all
        select created_time as instant from orders
    ) as instants
),

lifecycle as (
    select
        order_id,
        min(case when event = 'paid' then event_time end) as paid_at,
        count(case when event = 'paid' then 1 end) as payments,
        sum(case when event = 'paid' then amount end) as paid_amount,
        min(case when event = 'ticketed' then event_time end) as ticketed_at,
        min(case when event = 'delivered' then event_time end) as delivered_at,
        max(case when event = 'refunded' then event_time end) as refunded_at,
        sum(case when event = 'refunded' then amount end) as refunded_amount,
        min(case when event = 'cancelled' then event_time end) as cancelled_at,
        min(case when event = 'cancelled' then reference end) as cancel_reason
    from events
    group by order_id
),

booking_calls as (
    -- The queue of the booking call: the call's visit the order's agent answered, the last
    -- one entered before the order was created (a transferred call visits several queues).
    select
        orders.order_id,
        answered_visits.queue as booking_queue,
        row_number() over (
            partition by orders.order_id order by answered_visits.visit_number desc
        ) as recency
    from orders
    inner join answered_visits
        on
            answered_visits.call_id = orders.call_id
            and answered_visits.agent = orders.agent_id
            and answered_visits.enter_time <= orders.created_time
),

joined as (
    select
        orders.order_id,
        orders.created_time as booked_at,
        cast(orders.created_time_local as date) as booked_date,
        orders.channel,
        orders.distributor,
        -- Who settles the order: the distributor, or the own channel (call_center, web).
        case
            when orders.channel = 'distributor' then orders.distributor else orders.channel
        end as settlement_party,
        orders.customer_id,
        orders.call_id,
        orders.agent_id,
        booking_calls.booking_queue,
        orders.payment_method,
        orders.currency,
        orders.passengers,
        orders.fare,
        orders.taxes,
        -- Order total: what the customer (or distributor) owes, fare + taxes.
        cast(orders.fare + orders.taxes as decimal(12, 2)) as order_total,
        distributors.commission_rate,
        -- Known distributor: a distributor order whose code is in stg_distributors.
        orders.channel = 'distributor' and distributors.distributor is not null
            as distributor_known,
        lifecycle.paid_at,
        coalesce(lifecycle.payments, 0) as payments,
        cast(coalesce(lifecycle.paid_amount, 0) as decimal(14, 2)) as paid_amount,
        lifecycle.ticketed_at,
        lifecycle.delivered_at,
        lifecycle.refunded_at,
        cast(coalesce(lifecycle.refunded_amount, 0) as decimal(14, 2)) as refunded_amount,
        lifecycle.cancelled_at,
        lifecycle.cancel_reason,
        case
            when orders.channel = 'distributor' then distributors.payment_terms_days
            when orders.payment_method = 'cash_on_delivery' then 3
            else 0
        end as payment_terms_days,
        cast(lifecycle.ticketed_at at time zone '{{ var('timezone') }}' as date) as ticketed_date,
        cast(
            lifecycle.delivered_at at time zone '{{ var('timezone') }}' as date
        ) as delivered_date,
        data_end.data_end_at,
        cast(data_end.data_end_at at time zone '{{ var('timezone') }}' as date) as data_end_date
    from orders
    cross join data_end
    left join lifecycle on lifecycle.order_id = orders.order_id
    left join distributors on distributors.distributor = orders.distributor
    left join booking_calls
        on booking_calls.order_id = orders.order_id and booking_calls.recency = 1
),

settled as (
    select
        *,
        -- Commission: the distributor's share of the FARE (acd.orders.Distributor: taxes
        -- excluded), earned once the ticket is issued; rounded half up to the fen. 0 for
        -- own-channel orders and for distributor orders never ticketed.
        case
            when channel = 'distributor' and ticketed_at is not null and distributor_known
                then cast(round(fare * commission_rate, 2) as decimal(12, 2))
            else cast(0 as decimal(12, 2))
        end as commission,
        -- Status: cancelled or refunded if that happened, else the furthest step reached of
        -- delivered, ticketed, paid, booked (a credit order is ticketed before it is paid).
        case
            when cancelled_at is not null then 'cancelled'
            when refunded_amount > 0 then 'refunded'
            when delivered_at is not null then 'delivered'
            when ticketed_at is not null then 'ticketed'
            when payments > 0 then 'paid'
            else 'booked'
        end as status,
        -- Due date: last local day to pay (see the payment terms at the top).
        case
            when ticketed_at is null then null
            when channel <> 'distributor' and delivered_date is not null
                and payment_method = 'cash_on_delivery'
                then delivered_date
            else ticketed_date + payment_terms_days
        end as due_date,
        -- Open receivable: the order total of a ticketed, not cancelled order of which no
        -- payment has arrived by the data end; 0 otherwise (differences in what did arrive
        -- are amount mismatches, mart_settlement_exceptions).
        case
            when ticketed_at is not null and cancelled_at is null and payments = 0
                then order_total
            else cast(0 as decimal(12, 2))
        end as open_receivable
    from joined
),

aged as (
    select
        *,
        -- Days past due: local days from the due date to the data end's local date (0: due
        -- today, negative: not due yet); open receivables only.
        case
            when open_receivable > 0 then date_diff('day', due_date, data_end_date)
        end as days_past_due
    from settled
),

bucketed as (
    select
        *,
        -- Ageing bucket of an open receivable by days past due: not_due (< 0), 0_7, 8_15,
        -- 16_30, 31_60, over_60.
        case
            when days_past_due is null then null
            when days_past_due < 0 then 'not_due'
            when days_past_due <= 7 then '0_7'
            when days_past_due <= 15 then '8_15'
            when days_past_due <= 30 then '16_30'
            when days_past_due <= 60 then '31_60'
            else 'over_60'
        end as ageing_bucket
    from aged
),

final as (
    select
        order_id,
        booked_at,
        booked_date,
        channel,
        distributor,
        settlement_party,
        customer_id,
        call_id,
        agent_id,
        booking_queue,
        payment_method,
        currency,
        passengers,
        fare,
        taxes,
        order_total,
        commission_rate,
        distributor_known,
        commission,
        paid_at,
        payments,
        paid_amount,
        ticketed_at,
        delivered_at,
        refunded_at,
        refunded_amount,
        cancelled_at,
        cancel_reason,
        status,
        payment_terms_days,
        due_date,
        open_receivable,
        days_past_due,
        ageing_bucket,
        data_end_at
    from bucketed
)

select * from final
