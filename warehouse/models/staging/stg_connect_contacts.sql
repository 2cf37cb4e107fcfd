-- One row per Amazon Connect contact (CTR, ingest/readers/connect_ctr.py): the newest
-- delivery of each ContactId. Connect re-delivers a record, with a later
-- LastUpdateTimestamp, when it changes; the raw table keeps every version.
-- call_id is the contact chain's first contact (InitialContactId): a transfer creates a
-- new contact, and the call is the chain, as an Asterisk call keeps its uniqueid across
-- queues. Instants are UTC.
with source as (
    select * from {{ source('raw_connect_contacts') }}
),

newest as (
    select *
    from source
    qualify row_number() over (
        partition by contact_id
        order by last_update_time desc nulls last, source_file desc, byte_offset desc
    ) = 1
),

renamed as (
    select
        contact_id,
        coalesce(initial_contact_id, contact_id) as call_id,
        previous_contact_id,
        next_contact_id,
        channel,
        initiation_method,
        cast(initiation_time as timestamptz) as initiation_time,
        cast(disconnect_time as timestamptz) as disconnect_time,
        cast(last_update_time as timestamptz) as last_update_time,
        queue_name as queue,
        cast(enqueue_time as timestamptz) as enqueue_time,
        cast(dequeue_time as timestamptz) as dequeue_time,
        queue_duration_s,
        agent_username as agent,
        cast(connected_to_agent_time as timestamptz) as connected_to_agent_time,
        agent_interaction_s,
        customer_hold_s,
        number_of_holds,
        longest_hold_s,
        after_contact_work_s,
        disconnect_reason,
        customer_number,
        system_number,
        transferred_to_number,
        recording_location,
        source_file,
        source_line,
        byte_offset,
        load_id
    from newest
),

final as (
    select * from renamed
)

select * from final
