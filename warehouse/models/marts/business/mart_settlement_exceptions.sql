-- One row per settlement exception to chase: an order (from int_order_status) whose money
-- does not add up, as of the data end (the last order event). An order can have several.
--   paid_without_ticket: money received and not all returned, no ticket issued, for
--     longer than normal processing takes: a live order paid more than 6 hours ago
--     (tickets are issued within 6 hours of payment, acd.orders.TICKET_LAG_RANGE_S), or a
--     cancelled order whose refund is still owed 14 days after the cancellation (refunds
--     are paid within 14 days, acd.orders.REFUND_LAG_RANGE_S). amount = paid - refunded.
--   unpaid_past_terms: ticketed (for cash on delivery, delivered or past the delivery
--     window), not cancelled, nothing paid, and the due date is before the data end's local
--     day. amount = order total.
--   amount_mismatch: money received differs from the order total (short or over payment,
--     commission netted by a distributor). amount = paid - order total (negative: short).
--   refund_exceeds_paid: more refunded than received. amount = refunded - paid.
--   unknown_distributor: a distributor order whose distributor is not in stg_distributors
--     (no rate nor terms known). amount = order total.
with orders as (
    select * from {{ ref('int_order_status') }}
),

paid_without_ticket as (
    select
        *,
        'paid_without_ticket' as exception_type,
        paid_amount - refunded_amount as exception_amount
    from orders
    where
        paid_amount > refunded_amount
        and ticketed_at is null
        and (
            (cancelled_at is null and paid_at < data_end_at - interval '6' hour)
            or cancelled_at < data_end_at - interval '14' day
        )
),

unpaid_past_terms as (
    select
        *,
        'unpaid_past_terms' as exception_type,
        order_total as exception_amount
    from orders
    where open_receivable > 0 and days_past_due > 0
),

amount_mismatch as (
    select
        *,
        'amount_mismatch' as exception_type,
        paid_amount - order_total as exception_amount
    from orders
    where payments > 0 and paid_amount <> order_total
),

refund_exceeds_paid as (
    select
        *,
        'refund_exceeds_paid' as exception_type,
        refunded_amount - paid_amount as exception_amount
    from orders
    where refunded_amount > paid_amount
),

unknown_distributor as (
    -- A distributor order whose distributor is not in stg_distributors: no commission rate
    -- nor payment terms are known; the whole order total is at stake until someone adds
    -- the distributor.
    select
        *,
        'unknown_distributor' as exception_type,
        order_total as exception_amount
    from orders
    where channel = 'distributor' and not distributor_known
),

exceptions as (
    select * from unknown_distributor
    union all
    select * from paid_without_ticket
    union all
    select * from unpaid_past_terms
    union all
    select * from amount_mismatch
    union all
    select * from refund_exceeds_paid
),

final as (
    select
        order_id,
        exception_type,
        cast(exception_amount as decimal(14, 2)) as exception_amount,
        channel,
        settlement_party,
        payment_method,
        booked_at,
        booked_date,
        order_total,
        paid_amount,
        refunded_amount,
        paid_at,
        ticketed_at,
        delivered_at,
        cancelled_at,
        due_date,
        days_past_due,
        status,
        data_end_at
    from exceptions
)

select * from final
