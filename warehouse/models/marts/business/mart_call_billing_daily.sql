-- The telephony bill per local day x direction x queue x agent x campaign x tariff
-- destination: sums of mart_call_billing. A dimension is NULL where it does not apply
-- (queue on outbound legs, campaign on inbound and internal ones) or is unknown (the agent
-- of a callback, which the dial-attempt export does not list).
with legs as (
    select * from {{ ref('mart_call_billing') }}
),

per_day as (
    select
        local_date,
        direction,
        queue,
        agent_id,
        campaign,
        tariff_destination,
        -- Legs: CDR rows; answered legs: disposition ANSWERED.
        count(*) as legs,
        count(case when disposition = 'ANSWERED' then 1 end) as answered_legs,
        -- Unrated legs: external legs no tariff row matched (their cost is unknown).
        count(case when not is_rated then 1 end) as unrated_legs,
        -- Billsec and billed seconds: talk seconds as the PBX counted them, and as billed.
        sum(billsec_s) as billsec_s,
        sum(billed_s) as billed_s,
        -- Cost: sum of the legs' costs (unrated legs count as 0 here, see unrated_legs).
        cast(coalesce(sum(cost), 0) as decimal(14, 2)) as cost
    from legs
    group by local_date, direction, queue, agent_id, campaign, tariff_destination
),

final as (
    select * from per_day
)

select * from final
