-- Agent-state spans rebuilt from the queue_log alone, for sites that have Asterisk and no
-- agent-state export. Same columns as int_agent_state_spans, plus source = 'queue_log'.
--
-- States, per agent, after each of its lines (log order of int_queue_log_lines):
--   logged_out  a member of no queue (no ADDMEMBER without a later REMOVEMEMBER) and not
--               talking
--   talking     between a CONNECT of the agent and the ending line of that visit
--               (COMPLETECALLER, COMPLETEAGENT, BLINDTRANSFER, ATTENDEDTRANSFER, TRANSFER);
--               Asterisk's bridge, so hold is inside it. A call still bridged when its
--               member is removed keeps the agent talking until it ends.
--   aux         a member, and paused in every queue it is a member of (PAUSE, or ADDMEMBER
--               with data PAUSED, until UNPAUSE or REMOVEMEMBER); reason = the data of the
--               agent's latest PAUSE line (NULL if it gave none)
--   available   otherwise: logged in, not talking, not paused everywhere. After-call work,
--               ringing and outbound calls do not show in the queue_log and land here.
--
-- Pauses are read from the per-queue PAUSE/UNPAUSE lines; PAUSEALL/UNPAUSEALL (queue NONE)
-- are each followed by one such line per queue, so counting both would count twice
-- (docs/formats.md). An agent paused in some queues but not all still takes calls: available.
--
-- Agent names: the agent field of ADDMEMBER/REMOVEMEMBER/PAUSE is taken to be the same name
-- as on CONNECT and the ending lines. That holds with log_membername_as_agent=yes (the box
-- the engine models: A1001 everywhere); a box logging interfaces (Local/8001@from-queue/n)
-- on membership lines needs a mapping first, or every agent shows logged out while talking.
--
-- Lines of one agent in the same second collapse into the state after the last of them (a
-- PAUSEALL's per-queue PAUSE lines, a CONNECT and a COMPLETE in one second); consecutive rows
-- with the same state, reason and call merge. Times are the logged whole seconds; a visit
-- with a CONNECT but no ending line (restart, lost line) is not counted as talking. The
-- agent's last span has no known end: end_time and duration_s are NULL.
with log_lines as (
    select * from {{ ref('int_queue_log_lines') }}
),

visit_lines as (
    select * from {{ ref('int_queue_visit_events') }}
    where visit_id is not null
),

queue_lines as (
    select
        agent as agent_id,
        queue,
        event_time,
        event_time_local,
        log_seq,
        case event when 'ADDMEMBER' then true when 'REMOVEMEMBER' then false end as member_flag,
        case
            when event = 'ADDMEMBER' then coalesce(data1 = 'PAUSED', false)
            when event = 'PAUSE' then true
            else false
        end as paused_after,
        -- '' marks a PAUSE without a reason, so an older reason is not carried over.
        case when event = 'PAUSE' then coalesce(data1, '') end as pause_reason
    from log_lines
    where event in ('ADDMEMBER', 'REMOVEMEMBER', 'PAUSE', 'UNPAUSE')
        and queue <> 'NONE'
        and agent <> 'NONE'
),

queue_states as (
    select
        *,
        coalesce(
            last_value(member_flag ignore nulls) over (
                partition by agent_id, queue order by log_seq
                rows between unbounded preceding and current row
            ),
            false
        ) as member_after
    from queue_lines
),

queue_changes as (
    select
        agent_id,
        event_time,
        event_time_local,
        log_seq,
        -- +1/-1 when the agent joins/leaves the queue, +1/-1 when it becomes/stops being
        -- ready in it (a member and not paused); repeated lines change nothing.
        cast(member_after as integer)
            - cast(coalesce(lag(member_after) over agent_queue, false) as integer)
            as member_delta,
        cast(member_after and not paused_after as integer)
            - cast(coalesce(lag(member_after and not paused_after) over agent_queue, false)
                as integer)
            as ready_delta,
        0 as talk_delta,
        pause_reason,
        cast(null as varchar) as talk_call_id,
        cast(null as varchar) as talk_queue
    from queue_states
    window agent_queue as (partition by agent_id, queue order by log_seq)
),

talked_visits as (
    select
        visit_id,
        any_value(call_id) as call_id,
        any_value(queue) as queue,
        arg_min(agent, log_seq) filter (where event = 'CONNECT') as agent_id,
        min(log_seq) filter (where event = 'CONNECT') as connect_seq,
        arg_min(event_time, log_seq) filter (where event = 'CONNECT') as connect_time,
        arg_min(event_time_local, log_seq) filter (where event = 'CONNECT') as connect_time_local,
        min(log_seq) filter (
            where event in (
                'COMPLETECALLER', 'COMPLETEAGENT', 'BLINDTRANSFER', 'ATTENDEDTRANSFER',
                'TRANSFER'
            )
        ) as end_seq,
        arg_min(event_time, log_seq) filter (
            where event in (
                'COMPLETECALLER', 'COMPLETEAGENT', 'BLINDTRANSFER', 'ATTENDEDTRANSFER',
                'TRANSFER'
            )
        ) as end_time,
        arg_min(event_time_local, log_seq) filter (
            where event in (
                'COMPLETECALLER', 'COMPLETEAGENT', 'BLINDTRANSFER', 'ATTENDEDTRANSFER',
                'TRANSFER'
            )
        ) as end_time_local
    from visit_lines
    group by visit_id
),

talk_changes as (
    select
        agent_id,
        connect_time as event_time,
        connect_time_local as event_time_local,
        connect_seq as log_seq,
        0 as member_delta,
        0 as ready_delta,
        1 as talk_delta,
        cast(null as varchar) as pause_reason,
        call_id as talk_call_id,
        queue as talk_queue
    from talked_visits
    where connect_seq is not null and end_seq is not null
    union all
    select
        agent_id,
        end_time,
        end_time_local,
        end_seq,
        0,
        0,
        -1,
        null,
        null,
        null
    from talked_visits
    where connect_seq is not null and end_seq is not null
),

changes as (
    select * from queue_changes
    union all
    select * from talk_changes
),

running as (
    select
        agent_id,
        event_time,
        event_time_local,
        log_seq,
        sum(member_delta) over agent_log as member_queues,
        sum(ready_delta) over agent_log as ready_queues,
        sum(talk_delta) over agent_log as open_calls,
        last_value(pause_reason ignore nulls) over agent_log as last_pause_reason,
        last_value(talk_call_id ignore nulls) over agent_log as last_call_id,
        last_value(talk_queue ignore nulls) over agent_log as last_queue
    from changes
    window agent_log as (
        partition by agent_id order by log_seq rows between unbounded preceding and current row
    )
),

classified as (
    select
        agent_id,
        event_time,
        event_time_local,
        log_seq,
        case
            when open_calls > 0 then 'talking'
            when member_queues <= 0 then 'logged_out'
            when ready_queues <= 0 then 'aux'
            else 'available'
        end as state,
        last_pause_reason,
        last_call_id,
        last_queue
    from running
),

labelled as (
    select
        agent_id,
        state,
        case when state = 'aux' then nullif(last_pause_reason, '') end as reason,
        case when state = 'talking' then last_call_id end as call_id,
        case when state = 'talking' then last_queue end as queue,
        event_time,
        event_time_local,
        log_seq
    from classified
    -- The state after the agent's last line of each logged second.
    qualify row_number() over (partition by agent_id, event_time order by log_seq desc) = 1
),

state_starts as (
    select * from labelled
    qualify row(state, reason, call_id, queue) is distinct from lag(row(state, reason, call_id, queue))
        over (partition by agent_id order by log_seq)
),

spans as (
    select
        agent_id,
        state,
        reason,
        call_id,
        queue,
        event_time as start_time,
        lead(event_time) over (partition by agent_id order by log_seq) as end_time,
        event_time_local as start_time_local,
        cast(event_time_local as date) as day_local
    from state_starts
),

measured as (
    select
        agent_id,
        state,
        reason,
        call_id,
        queue,
        start_time,
        end_time,
        (epoch_us(end_time) - epoch_us(start_time)) / 1e6 as duration_s,
        start_time_local,
        day_local,
        'queue_log' as source
    from spans
),

final as (
    select * from measured
)

select * from final
