-- Post-call survey results per agent, queue and local day of the offer (var timezone),
-- counted on the survey export alone (fct_surveys over stg_surveys), with the agent's QA
-- score of the same week and the surveyed calls' wait and transfers. Surveys of calls not
-- in the warehouse count (agent and queue as the survey names them); the call drivers
-- average over the known calls only. Ratios are NULL when their denominator is 0.
with surveys as (
    select * from {{ ref('fct_surveys') }}
),

qa as (
    select * from {{ ref('mart_qa_scores') }}
    where counts_for_scorecard
),

per_day as (
    select
        agent_id,
        queue,
        day_local,
        count(*) as offered,
        count(*) filter (where answered) as answered,
        count(*) filter (where satisfied) as satisfied,
        count(*) filter (where dissatisfied) as dissatisfied,
        min(scale) filter (where answered) as min_scale,
        max(scale) filter (where answered) as max_scale,
        avg(score) filter (where answered) as mean_any_scale,
        count(*) filter (where known_call) as known_calls,
        avg(wait_s) filter (where known_call) as mean_wait_s,
        avg(case when transferred then 1.0 else 0.0 end) filter (where known_call)
            as transfer_share,
        avg(case when repeat_call then 1.0 else 0.0 end) filter (where repeat_call is not null)
            as repeat_share
    from surveys
    group by agent_id, queue, day_local
),

qa_weeks as (
    select
        agent_id,
        call_week_start,
        count(*) as qa_evaluations,
        avg(score) as qa_mean_score
    from qa
    group by agent_id, call_week_start
),

kpis as (
    select
        per_day.agent_id,
        per_day.queue,
        per_day.day_local,
        -- Offered: callers sent to the survey (surveys in the export for the day).
        per_day.offered,
        -- Answered: of those, surveys with a score keyed in.
        per_day.answered,
        -- Response rate: answered / offered.
        per_day.answered / nullif(per_day.offered, 0)::double as response_rate,
        -- Satisfied: answered surveys with 3 on a 3-point scale, 4-5 on a 5-point scale.
        per_day.satisfied,
        -- Dissatisfied: answered surveys with 1 on a 3-point scale, 1-2 on a 5-point scale.
        per_day.dissatisfied,
        -- CSAT: satisfied / answered.
        per_day.satisfied / nullif(per_day.answered, 0)::double as csat,
        -- DSAT: dissatisfied / answered.
        per_day.dissatisfied / nullif(per_day.answered, 0)::double as dsat,
        -- Scale of the answered surveys; NULL when none or when scales are mixed.
        case when per_day.min_scale = per_day.max_scale then per_day.min_scale end as scale,
        -- Mean score of the answered surveys (1 = worst); NULL when none or scales mixed.
        case when per_day.min_scale = per_day.max_scale then per_day.mean_any_scale end
            as mean_score,
        -- Known calls: surveys whose call is in fct_calls.
        per_day.known_calls,
        -- Mean wait: the surveyed known calls' total queue wait (fct_calls.total_wait_s).
        per_day.mean_wait_s,
        -- Transfer share: surveyed known calls that were transferred (fct_calls.transferred).
        per_day.transfer_share,
        -- Repeat share: surveyed calls whose number called within 72 h before
        -- (fct_surveys.repeat_call), of those where it is known.
        per_day.repeat_share,
        -- QA: the agent's evaluations counting for scorecards (mart_qa_scores) on calls of
        -- the same ISO week (Monday start) as the day; mean score 0-100, NULL when none.
        coalesce(qa_weeks.qa_evaluations, 0) as qa_evaluations,
        qa_weeks.qa_mean_score
    from per_day
    left join qa_weeks
        on per_day.agent_id = qa_weeks.agent_id
        and cast(date_trunc('week', per_day.day_local) as date) = qa_weeks.call_week_start
),

final as (
    select * from kpis
)

select * from final
