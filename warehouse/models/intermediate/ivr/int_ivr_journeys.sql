-- One row per inbound call that reached the PBX: its IVR journey as the dialplan recorded
-- it in the A-leg CDR's userfield (docs/formats.md, "What rows the engine writes per call"):
--   ivr=<keys pressed, '/'-separated>;end=<queue|dropped|selfserved|voicemail|hangup>
--   ivr=closed;end=<voicemail|hangup>          outside opening hours
-- Calls refused for lack of trunk lines (disposition CONGESTION) never reached the IVR.
with cdr as (
    select * from {{ ref('stg_cdr') }}
),

a_legs as (
    -- The inbound A-leg is the call's row in the from-pstn context; agent legs are in
    -- ext-queues and outbound calls in from-internal.
    select *
    from cdr
    where destination_context = 'from-pstn'
      and user_field like 'ivr=%'
),

parsed as (
    select
        call_id,
        start_time,
        start_time_local,
        cast(start_time_local as date) as day_local,
        disposition,
        duration_s,
        split_part(split_part(user_field, ';', 1), '=', 2) as key_path,
        split_part(split_part(user_field, ';', 2), '=', 2) as journey_end
    from a_legs
),

final as (
    select
        call_id,
        start_time,
        start_time_local,
        day_local,
        case when key_path = 'closed' then 'closed' else 'open' end as hours,
        -- The menu path: the keys pressed from the root menu, e.g. '9/1'; '(none)' when the
        -- caller pressed nothing; 'closed' outside opening hours.
        case when key_path = '' then '(none)' else key_path end as menu_path,
        journey_end,
        disposition,
        duration_s
    from parsed
)

select * from final
