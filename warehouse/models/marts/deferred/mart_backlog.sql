-- Deferred-contact backlog (e-mail, SMS, web callback requests, voicemail) per channel,
-- help-desk queue and local hour (var timezone): every hour from the queue's first contact
-- to the last hour of the contacts data, hours without events included (the open backlog
-- persists through them). From int_deferred_backlog_hours, which expands the contacts of
-- stg_contacts (the newest state of each contact).
with hours as (
    select * from {{ ref('int_deferred_backlog_hours') }}
),

final as (
    select
        -- Channel type (email, sms, web_callback, voicemail) and help-desk queue.
        channel,
        queue,
        -- Start of the local hour (wall clock, var timezone).
        hour_start_local as hour_start,
        -- Open at start: contacts created before the hour and not closed before it (the
        -- previous hour's open_end).
        open_start,
        -- Arrived: contacts created in the hour.
        arrived,
        -- Handled: contacts that reached a final state in the hour: resolved, failed
        -- (callback attempts exhausted) or abandoned (expired before any response).
        handled,
        -- Resolved: the handled contacts whose outcome is resolved.
        resolved,
        -- Open at end: contacts created before the hour's end and not closed by then;
        -- open_start + arrived = handled + open_end.
        open_end,
        -- Oldest open age: at the hour's end, seconds since the creation of the oldest
        -- contact still open then; NULL when nothing is open.
        oldest_open_age_s,
        -- Responded: contacts whose first response (e-mail/SMS: first reply sent;
        -- callbacks: first call dialled) fell in the hour.
        responded,
        -- Responded in target: of those, first_response_time <= response_due_time.
        responded_in_target,
        -- Handle seconds: handle_s (agent seconds over all sessions and attempts) summed
        -- over the contacts handled in the hour, all of a contact's seconds in the hour it
        -- was closed.
        handle_s
    from hours
)

select * from final
