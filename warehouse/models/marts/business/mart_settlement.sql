-- Settlement per settlement party (each distributor, and the own channels call_center and
-- web) and local booking day. Every figure belongs to the orders BOOKED that day, whenever
-- their money moved up to the data end (the last order event): a cohort view that traces
-- each amount to its orders in int_order_status. Money in the orders' currency.
with orders as (
    select * from {{ ref('int_order_status') }}
),

per_party_day as (
    select
        channel,
        settlement_party,
        booked_date,
        -- Orders booked: orders created that local day.
        count(*) as orders_booked,
        -- Booked amount: order totals (fare + taxes) of the orders booked, cancelled ones too.
        sum(order_total) as booked_amount,
        sum(fare) as booked_fare,
        sum(taxes) as booked_taxes,
        -- Cancelled amount: order totals of the booked orders cancelled since.
        sum(case when cancelled_at is not null then order_total else 0 end) as cancelled_amount,
        -- Billable amount: order totals of the booked orders ticketed and not cancelled.
        sum(
            case when ticketed_at is not null and cancelled_at is null then order_total else 0 end
        ) as billable_amount,
        -- Commission: what the distributors earn on them (share of the fare, ticketed orders).
        sum(commission) as commission,
        -- Collected: money received for them (paid events, cash on delivery included).
        sum(paid_amount) as collected_amount,
        -- Refunded: money returned for them (refunded events).
        sum(refunded_amount) as refunded_amount,
        -- Open receivables: order totals of ticketed, not cancelled orders with no payment
        -- yet, then split by days past the due date as of the data end (int_order_status).
        sum(open_receivable) as open_receivables,
        count(case when open_receivable > 0 then 1 end) as open_receivable_orders,
        sum(case when ageing_bucket = 'not_due' then open_receivable else 0 end)
            as outstanding_not_due,
        sum(case when ageing_bucket = '0_7' then open_receivable else 0 end)
            as outstanding_0_7_days,
        sum(case when ageing_bucket = '8_15' then open_receivable else 0 end)
            as outstanding_8_15_days,
        sum(case when ageing_bucket = '16_30' then open_receivable else 0 end)
            as outstanding_16_30_days,
        sum(case when ageing_bucket = '31_60' then open_receivable else 0 end)
            as outstanding_31_60_days,
        sum(case when ageing_bucket = 'over_60' then open_receivable else 0 end)
            as outstanding_over_60_days,
        max(data_end_at) as data_end_at
    from orders
    group by channel, settlement_party, booked_date
),

final as (
    select
        channel,
        settlement_party,
        booked_date,
        orders_booked,
        booked_amount,
        booked_fare,
        booked_taxes,
        cancelled_amount,
        billable_amount,
        commission,
        -- Net due: billable amount less the commission, the day's sales net of what the
        -- party keeps (for own channels, the billable amount).
        billable_amount - commission as net_due,
        collected_amount,
        refunded_amount,
        -- Net collected: collected less refunded.
        collected_amount - refunded_amount as net_collected,
        open_receivables,
        open_receivable_orders,
        outstanding_not_due,
        outstanding_0_7_days,
        outstanding_8_15_days,
        outstanding_16_30_days,
        outstanding_31_60_days,
        outstanding_over_60_days,
        data_end_at
    from per_party_day
)

select * from final
