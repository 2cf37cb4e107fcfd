-- One row per stretch of time an agent was a member of a queue: from an ADDMEMBER line to
-- the same member's next ADDMEMBER/REMOVEMEMBER line in that queue (log order of
-- int_queue_log_lines). This is what "staffed" means in the marts: logged into the queue,
-- paused or not. end_time is NULL while the agent is still a member when the log ends;
-- counted_end_time then falls back to the log's last line.
--
-- agent_id is the ADDMEMBER agent field. It equals the agent's id in the agent-state
-- export (and the member name on call lines) when queues.conf has
-- log_membername_as_agent=yes, as on the box the engine models; a box logging interfaces
-- (Local/8001@from-queue/n) needs a mapping before staffing joins agent states.
-- Members added before the first loaded line (no ADDMEMBER seen) are not counted.
with log_lines as (
    select * from {{ ref('int_queue_log_lines') }}
),

log_end as (
    select max(event_time) as log_end_time from log_lines
),

member_lines as (
    select
        queue,
        agent as agent_id,
        event,
        event_time as start_time,
        lead(event_time) over (partition by queue, agent order by log_seq) as end_time
    from log_lines
    where event in ('ADDMEMBER', 'REMOVEMEMBER')
),

memberships as (
    select
        member_lines.queue,
        member_lines.agent_id,
        member_lines.start_time,
        member_lines.end_time,
        coalesce(member_lines.end_time, log_end.log_end_time) as counted_end_time
    from member_lines
    cross join log_end
    where member_lines.event = 'ADDMEMBER'
),

final as (
    select * from memberships
)

select * from final
