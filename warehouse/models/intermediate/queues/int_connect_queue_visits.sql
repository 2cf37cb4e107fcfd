-- One row per queue visit of an Amazon Connect contact, in int_queue_visits' columns so
-- that Connect sites feed the same marts as Asterisk ones. A contact with Queue data is
-- one visit; a transfer to another queue is a new contact of the same call (call_id).
--
-- Mapping (AWS "Data model for Amazon Connect contact records"):
--   enter_time   Queue.EnqueueTimestamp
--   outcome      answered   Agent.ConnectedToAgentTimestamp is set
--                abandoned  no agent, DisconnectReason CUSTOMER_DISCONNECT (hung up queued)
--                timeout    no agent, the flow took the contact out of the queue (a queue
--                           time-out branch, a transfer to another queue or number)
--                unfinished no agent and neither dequeued nor disconnected yet
--   wait_s       Queue.Duration (enqueue to dequeue, seconds), rounded to whole seconds
--                like Asterisk's waits; computed from the timestamps when absent
--   talk_s       Agent.AgentInteractionDuration + Agent.CustomerHoldDuration: Asterisk's
--                calltime includes hold, Connect's interaction duration does not
--   ended_by     caller (CUSTOMER_DISCONNECT), agent (AGENT_DISCONNECT), or transfer
--                (TransferredToEndpoint set, or a next contact in the chain)
-- Connect records no ring attempts per agent: ring_no_answer_count is 0. Hold and
-- after-call work come from the record too (int_call_work), not from agent states.
with contacts as (
    select * from {{ ref('stg_connect_contacts') }}
    where queue is not null and enqueue_time is not null
),

classified as (
    select
        *,
        case
            when connected_to_agent_time is not null then 'answered'
            when disconnect_reason = 'CUSTOMER_DISCONNECT' then 'abandoned'
            when dequeue_time is not null or disconnect_time is not null then 'timeout'
            else 'unfinished'
        end as outcome
    from contacts
),

visits as (
    select
        call_id || '|' || queue || '|' || cast(epoch(enqueue_time) as bigint) as visit_id,
        call_id,
        queue,
        enqueue_time as enter_time,
        enqueue_time at time zone '{{ var('timezone') }}' as enter_time_local,
        time_bucket(
            interval '{{ var('interval_minutes') }} minutes',
            enqueue_time at time zone '{{ var('timezone') }}'
        ) as interval_start_local,
        customer_number as caller_number,
        cast(null as integer) as enter_position,
        outcome,
        case when outcome = 'answered' then agent end as agent,
        cast(0 as bigint) as ring_no_answer_count,
        case
            when outcome = 'unfinished' then null
            else cast(round(coalesce(
                queue_duration_s,
                epoch(
                    coalesce(connected_to_agent_time, dequeue_time, disconnect_time)
                ) - epoch(enqueue_time)
            )) as integer)
        end as wait_s,
        case when outcome = 'answered' then connected_to_agent_time end as connect_time,
        case
            when outcome = 'answered'
                then cast(round(agent_interaction_s + coalesce(customer_hold_s, 0)) as integer)
        end as talk_s,
        case
            when outcome = 'answered' then disconnect_time
            when outcome = 'unfinished' then null
            else coalesce(dequeue_time, disconnect_time)
        end as end_time,
        case
            when outcome <> 'answered' then null
            when transferred_to_number is not null or next_contact_id is not null
                then 'transfer'
            when disconnect_reason = 'CUSTOMER_DISCONNECT' then 'caller'
            when disconnect_reason = 'AGENT_DISCONNECT' then 'agent'
        end as ended_by,
        case
            when outcome = 'answered' then transferred_to_number
        end as transfer_target,
        lead(queue) over call_visits as next_queue,
        row_number() over call_visits as visit_number
    from classified
    window call_visits as (partition by call_id order by enqueue_time, contact_id)
),

final as (
    select * from visits
)

select * from final
