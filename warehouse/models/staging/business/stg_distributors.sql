-- One row per distributor (online travel agency or ticket agency selling on credit), a
-- seed kept in SQL: the values are acd.orders.DEFAULT_DISTRIBUTORS, i.e. the distributors
-- of acd.orders.default_order_spec() that the bundled airline scenario sells through (no
-- ingest source carries them). tests/warehouse/test_business_models.py fails when the two
-- lists drift apart; a site with other distributors edits this list.
-- commission_rate: share of the FARE (taxes excluded) the distributor earns per ticket;
-- payment_terms_days: the distributor settles on the ticketing date + this many days.
with seed as (
    select *
    from (
        values
            ('CTRIP', 'Ctrip (Trip.com Group)', 0.015, 7),
            ('QUNAR', 'Qunar', 0.015, 7),
            ('FLIGGY', 'Fliggy (Alibaba)', 0.012, 15),
            ('LY', 'Tongcheng Travel', 0.020, 7),
            ('BJHY', 'Beijing Huayu Air Ticket Agency', 0.030, 30),
            ('GZNF', 'Guangzhou Nanfang Ticketing Service', 0.025, 30)
    ) as seed (distributor, distributor_name, commission_rate, payment_terms_days)
),

typed as (
    select
        cast(distributor as varchar) as distributor,
        cast(distributor_name as varchar) as distributor_name,
        cast(commission_rate as decimal(6, 4)) as commission_rate,
        cast(payment_terms_days as integer) as payment_terms_days
    from seed
),

final as (
    select * from typed
)

select * from final
