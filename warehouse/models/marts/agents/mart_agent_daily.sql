-- Agent KPIs per agent and local day (var timezone): one row per agent and day with any
-- state span, handled or transferred visit, or RINGNOANSWER line.
--
-- Seconds come from the agent-state export (int_agent_state_spans), exact to the
-- millisecond, each span counted whole on the local day it STARTED (a span across midnight
-- is not split); the agent's last span, whose end is unknown, counts nowhere. They include
-- outbound work (dialing, and talking/acw with an outbound reason such as callback or a
-- deferred channel: the calls placed for a web callback or a voicemail).
-- Deferred work (state deferred: e-mail, SMS, voicemail, web callback items; reason = the
-- channel, call_id = the contact) is productive work, not idle: it counts in login_s,
-- deferred_s, utilisation and blended_occupancy, and in neither side of the voice
-- occupancy, which stays defined over voice (see occupancy below).
-- Call counts come from the queue_log (int_agent_visits), on the local day the visit
-- entered the queue. Ratios are NULL when their denominator is 0.
with spans as (
    select * from {{ ref('int_agent_state_spans') }}
    where duration_s is not null
),

agent_visits as (
    select * from {{ ref('int_agent_visits') }}
    where agent_id is not null
),

log_lines as (
    select * from {{ ref('int_queue_log_lines') }}
),

state_seconds as (
    select
        agent_id,
        day_local,
        coalesce(sum(duration_s) filter (where state <> 'logged_out'), 0) as login_s,
        coalesce(sum(duration_s) filter (where state = 'available'), 0) as available_s,
        coalesce(sum(duration_s) filter (where state = 'ringing'), 0) as ringing_s,
        coalesce(sum(duration_s) filter (where state = 'dialing'), 0) as dialing_s,
        coalesce(sum(duration_s) filter (where state = 'talking'), 0) as talk_s,
        coalesce(sum(duration_s) filter (where state = 'hold'), 0) as hold_s,
        coalesce(sum(duration_s) filter (where state = 'acw'), 0) as acw_s,
        coalesce(sum(duration_s) filter (where state = 'aux'), 0) as aux_s,
        coalesce(sum(duration_s) filter (where state = 'deferred'), 0) as deferred_s,
        count(distinct call_id) filter (where state = 'deferred') as deferred_contacts,
        coalesce(sum(duration_s) filter (where state = 'aux' and reason = 'break'), 0)
            as aux_break_s,
        coalesce(sum(duration_s) filter (where state = 'aux' and reason = 'lunch'), 0)
            as aux_lunch_s,
        coalesce(sum(duration_s) filter (where state = 'aux' and reason = 'training'), 0)
            as aux_training_s,
        coalesce(sum(duration_s) filter (where state = 'aux' and reason = 'meeting'), 0)
            as aux_meeting_s,
        coalesce(sum(duration_s) filter (where state = 'aux' and reason = 'coaching'), 0)
            as aux_coaching_s,
        coalesce(
            sum(duration_s) filter (
                where state = 'aux'
                    and (reason is null or reason not in (
                        'break', 'lunch', 'training', 'meeting', 'coaching'
                    ))
            ),
            0
        ) as aux_other_s
    from spans
    group by agent_id, day_local
),

visit_counts as (
    select
        agent_id,
        day_local,
        sum(answered) as handled_calls,
        sum(transferred) as transfers,
        sum(repeat_call) as repeat_calls,
        count(*) filter (where handling_known) as handled_known,
        sum(talk_s + acw_s) filter (where handling_known) as handle_s
    from agent_visits
    group by agent_id, day_local
),

ring_no_answers as (
    select
        agent as agent_id,
        cast(event_time_local as date) as day_local,
        count(*) as ring_no_answer
    from log_lines
    where event = 'RINGNOANSWER' and agent <> 'NONE'
    group by agent, cast(event_time_local as date)
),

agent_days as (
    select agent_id, day_local from state_seconds
    union
    select agent_id, day_local from visit_counts
    union
    select agent_id, day_local from ring_no_answers
),

combined as (
    select
        agent_days.agent_id,
        agent_days.day_local,
        coalesce(visit_counts.handled_calls, 0) as handled_calls,
        coalesce(visit_counts.handled_known, 0) as handled_known,
        visit_counts.handle_s,
        coalesce(visit_counts.transfers, 0) as transfers,
        coalesce(visit_counts.repeat_calls, 0) as repeat_calls,
        coalesce(ring_no_answers.ring_no_answer, 0) as ring_no_answer,
        coalesce(state_seconds.login_s, 0) as login_s,
        coalesce(state_seconds.available_s, 0) as available_s,
        coalesce(state_seconds.ringing_s, 0) as ringing_s,
        coalesce(state_seconds.dialing_s, 0) as dialing_s,
        coalesce(state_seconds.talk_s, 0) as talk_s,
        coalesce(state_seconds.hold_s, 0) as hold_s,
        coalesce(state_seconds.acw_s, 0) as acw_s,
        coalesce(state_seconds.aux_s, 0) as aux_s,
        coalesce(state_seconds.deferred_s, 0) as deferred_s,
        coalesce(state_seconds.deferred_contacts, 0) as deferred_contacts,
        coalesce(state_seconds.aux_break_s, 0) as aux_break_s,
        coalesce(state_seconds.aux_lunch_s, 0) as aux_lunch_s,
        coalesce(state_seconds.aux_training_s, 0) as aux_training_s,
        coalesce(state_seconds.aux_meeting_s, 0) as aux_meeting_s,
        coalesce(state_seconds.aux_coaching_s, 0) as aux_coaching_s,
        coalesce(state_seconds.aux_other_s, 0) as aux_other_s
    from agent_days
    left join state_seconds
        on agent_days.agent_id = state_seconds.agent_id
        and agent_days.day_local = state_seconds.day_local
    left join visit_counts
        on agent_days.agent_id = visit_counts.agent_id
        and agent_days.day_local = visit_counts.day_local
    left join ring_no_answers
        on agent_days.agent_id = ring_no_answers.agent_id
        and agent_days.day_local = ring_no_answers.day_local
),

kpis as (
    select
        agent_id,
        day_local,
        -- Handled calls: queue visits the agent answered (CONNECT), by the day they entered.
        handled_calls,
        -- AHT: (talk + after-call work) / handled calls whose handling is known, as in
        -- mart_interval_kpis: talk is Asterisk's calltime (bridge to end, hold inside it),
        -- after-call work the agent's acw spans for the call; hold is not added twice.
        handle_s / nullif(handled_known, 0)::double as aht_s,
        -- Handled calls whose handling is known: AHT's denominator.
        handled_known,
        -- Login: seconds in any state but logged_out.
        login_s,
        -- Available: seconds idle and ready for a call (state available).
        available_s,
        -- Ringing: seconds a call rang the agent's phone before the answer (state ringing).
        ringing_s,
        -- Dialing: seconds dialing outbound calls (state dialing).
        dialing_s,
        -- Talk: seconds in state talking, inbound and outbound (hold excluded).
        talk_s,
        -- Hold: seconds with a caller on hold (state hold).
        hold_s,
        -- After-call work: seconds in state acw.
        acw_s,
        -- Aux: seconds not ready (state aux), in total and by reason code; other = any
        -- other reason or none.
        aux_s,
        aux_break_s,
        aux_lunch_s,
        aux_training_s,
        aux_meeting_s,
        aux_coaching_s,
        aux_other_s,
        -- Deferred: seconds working deferred contacts (state deferred: reading and
        -- answering e-mail/SMS, listening to a voicemail, preparing a callback). The calls
        -- placed for them are in dialing_s, talk_s and acw_s like other outbound calls.
        deferred_s,
        -- Deferred contacts: distinct contacts the agent worked (state deferred) that day.
        deferred_contacts,
        -- Occupancy (voice): (talk + hold + acw) / (talk + hold + acw + available), i.e.
        -- voice busy over the time open to voice calls; ringing, dialing, aux and deferred
        -- work count in neither, so an agent on an e-mail is neither busy nor idle on voice.
        (talk_s + hold_s + acw_s) / nullif(talk_s + hold_s + acw_s + available_s, 0)::double
            as occupancy,
        -- Blended occupancy: (talk + hold + acw + deferred) / (talk + hold + acw + deferred
        -- + available): voice and deferred work over working plus idle time.
        (talk_s + hold_s + acw_s + deferred_s)
            / nullif(talk_s + hold_s + acw_s + deferred_s + available_s, 0)::double
            as blended_occupancy,
        -- Utilisation: (talk + hold + acw + deferred) / login: productive time, voice and
        -- deferred, over logged-in time.
        (talk_s + hold_s + acw_s + deferred_s) / nullif(login_s, 0)::double as utilisation,
        -- Transfers: visits the agent ended by BLINDTRANSFER/ATTENDEDTRANSFER/TRANSFER.
        transfers,
        -- Repeat calls: handled calls whose caller number entered a queue again on another
        -- call within 7 days after this call's end (int_agent_visits.repeat_call).
        repeat_calls,
        -- Ring no answer: RINGNOANSWER lines naming the agent (one per unanswered ring
        -- round), by the local day of the line.
        ring_no_answer
    from combined
),

final as (
    select * from kpis
)

select * from final
