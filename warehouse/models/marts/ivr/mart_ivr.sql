-- IVR containment and drop-off per local day and menu path.
--
-- Definitions (per day x menu path, over calls that reached the IVR):
--   calls              calls whose journey took this path
--   to_agent           ended in a queue (handed to the ACD)
--   self_served        completed in a self-service node without an agent
--   dropped            hung up inside a menu (IVR drop-off)
--   voicemail          left a voicemail
--   other_hangup       ended otherwise (no input and no default, closed-hours greeting)
--   containment_rate   self_served / calls: calls the IVR resolved on its own. Hang-ups
--                      are NOT counted as contained (the stricter, "true containment"
--                      definition; vendors that count them report a higher figure, see
--                      ivr_exit_rate).
--   ivr_exit_rate      (self_served + dropped + other_hangup) / calls: calls that never
--                      reached an agent or voicemail (the lenient containment definition)
--   drop_off_rate      dropped / calls
with journeys as (
    select * from {{ ref('int_ivr_journeys') }}
),

per_path as (
    select
        day_local,
        hours,
        menu_path,
        count(*) as calls,
        count(*) filter (where journey_end = 'queue') as to_agent,
        count(*) filter (where journey_end = 'selfserved') as self_served,
        count(*) filter (where journey_end = 'dropped') as dropped,
        count(*) filter (where journey_end = 'voicemail') as voicemail,
        count(*) filter (where journey_end = 'hangup') as other_hangup,
        avg(duration_s) as mean_call_duration_s
    from journeys
    group by day_local, hours, menu_path
),

final as (
    select
        day_local,
        hours,
        menu_path,
        calls,
        to_agent,
        self_served,
        dropped,
        voicemail,
        other_hangup,
        self_served / calls as containment_rate,
        (self_served + dropped + other_hangup) / calls as ivr_exit_rate,
        dropped / calls as drop_off_rate,
        mean_call_duration_s
    from per_path
)

select * from final
