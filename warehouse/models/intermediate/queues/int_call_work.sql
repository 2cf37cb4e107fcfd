-- One row per call, agent and queue the agent worked the call for: the hold and after-call
-- work seconds from the agent's state spans carrying the call's id. hold_s and acw_s are
-- NULL while one of their spans has no known end (the agent's last row), 0 when the agent
-- never entered that state for the call.
with spans as (
    select * from {{ ref('int_agent_state_spans') }}
),

call_spans as (
    select * from spans
    where call_id is not null and state in ('talking', 'hold', 'acw')
),

per_call as (
    select
        call_id,
        agent_id,
        queue,
        -- Seconds on hold for this call (state hold).
        case
            when count(*) filter (where state = 'hold' and end_time is null) = 0
                then coalesce(sum(duration_s) filter (where state = 'hold'), 0)
        end as hold_s,
        -- After-call work seconds for this call (state acw).
        case
            when count(*) filter (where state = 'acw' and end_time is null) = 0
                then coalesce(sum(duration_s) filter (where state = 'acw'), 0)
        end as acw_s,
        -- Seconds in state talking for this call (the agent's side; hold excluded).
        case
            when count(*) filter (where state = 'talking' and end_time is null) = 0
                then coalesce(sum(duration_s) filter (where state = 'talking'), 0)
        end as talking_s
    from call_spans
    group by call_id, agent_id, queue
),

connect_work as (
    -- Amazon Connect records carry the agent's hold and after-contact work themselves
    -- (Agent.CustomerHoldDuration, Agent.AfterContactWorkDuration,
    -- Agent.AgentInteractionDuration); a call's contacts worked by one agent in one queue
    -- are summed.
    select
        call_id,
        agent as agent_id,
        queue,
        sum(coalesce(customer_hold_s, 0)) as hold_s,
        sum(coalesce(after_contact_work_s, 0)) as acw_s,
        sum(agent_interaction_s) as talking_s
    from {{ ref('stg_connect_contacts') }}
    where connected_to_agent_time is not null and agent is not null
    group by call_id, agent, queue
),

final as (
    select * from per_call
    union all by name
    select * from connect_work
)

select * from final
