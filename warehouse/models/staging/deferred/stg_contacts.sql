-- One row per deferred contact (e-mail, SMS, web callback request, voicemail: the help-desk
-- export contacts_YYYYMMDD.csv, docs/formats.md), in its newest state.
--
-- The export lists each contact once with its latest state; a contact exported again with
-- another state (still open at one export, resolved at the next) is a second raw row (the
-- loader's key is the whole record, ingest/readers/exports.py CONTACTS). The export has no
-- update timestamp, so "newest" is the most advanced state: a final outcome (resolved,
-- failed, abandoned) before open, then the latest of resolved/first response/first
-- assignment, more attempts, more handle seconds, and last the later delivery (file name,
-- then position in the file). Instants are UTC; *_local are the center's wall clock.
with source as (
    select * from {{ source('raw_contacts') }}
),

versions as (
    select
        *,
        count(*) over (partition by contact_id) as deliveries
    from source
),

newest as (
    select *
    from versions
    qualify row_number() over (
        partition by contact_id
        order by
            outcome <> 'open' desc,
            greatest(resolved_time, first_response_time, first_assigned_time, created_time)
                desc,
            attempts desc nulls last,
            handle_s desc nulls last,
            source_file desc,
            byte_offset desc
    ) = 1
),

renamed as (
    select
        contact_id,
        channel,
        coalesce(queue, channel) as queue,
        customer_id,
        cast(created_time as timestamptz) as created_time,
        created_time at time zone '{{ var('timezone') }}' as created_time_local,
        cast(response_due_time as timestamptz) as response_due_time,
        cast(first_assigned_time as timestamptz) as first_assigned_time,
        cast(first_response_time as timestamptz) as first_response_time,
        first_response_time at time zone '{{ var('timezone') }}' as first_response_time_local,
        cast(resolved_time as timestamptz) as resolved_time,
        resolved_time at time zone '{{ var('timezone') }}' as resolved_time_local,
        agent_id,
        outcome,
        -- A final state: resolved, failed (callback attempts exhausted) or abandoned
        -- (expired before any response); open is the only other outcome.
        outcome <> 'open' as is_closed,
        attempts,
        handle_s,
        call_id,
        deliveries,
        source_file,
        cast(source_line as bigint) as source_line,
        cast(byte_offset as bigint) as byte_offset,
        load_id
    from newest
),

final as (
    select * from renamed
)

select * from final
