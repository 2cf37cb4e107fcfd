-- One row per QA evaluation with its call and agent. The score, pass/fail and critical
-- fail were computed by qa.scoring when the evaluation was submitted (definitions in
-- qa/scoring.py: NA items drop out of numerator and denominator, a critical "no" scores
-- 0); this mart joins them to the call (fct_calls) and the agent's response, and never
-- recomputes a score.
with evaluations as (
    select * from {{ ref('stg_qa_evaluations') }}
),

forms as (
    select * from {{ ref('stg_qa_forms') }}
),

disputes as (
    select * from {{ ref('stg_qa_disputes') }}
),

answers as (
    select * from {{ ref('stg_qa_evaluation_answers') }}
),

calls as (
    select * from {{ ref('fct_calls') }}
),

answer_counts as (
    select
        evaluation_id,
        count(*) as items,
        sum(is_answered) as answered_items
    from answers
    group by evaluation_id
),

scores as (
    select
        evaluations.evaluation_id,
        evaluations.call_id,
        evaluations.recording_id,
        evaluations.agent_id,
        coalesce(evaluations.queue, calls.final_queue) as queue,
        evaluations.evaluator,
        evaluations.form_id,
        evaluations.form_version,
        forms.title as form_title,
        evaluations.evaluated_at,
        evaluations.evaluated_at_local,
        coalesce(evaluations.call_time_local, calls.first_enter_time_local) as call_time_local,
        cast(coalesce(evaluations.call_time_local, calls.first_enter_time_local) as date)
            as call_day_local,
        -- The ISO week (Monday) of the evaluated call: the week scorecards count it in.
        cast(date_trunc('week', coalesce(evaluations.call_time_local,
            calls.first_enter_time_local)) as date) as call_week_start,
        evaluations.score,
        evaluations.raw_score,
        evaluations.critical_failed,
        evaluations.passed,
        evaluations.critical_failures,
        coalesce(answer_counts.items, 0) as items,
        coalesce(answer_counts.answered_items, 0) as answered_items,
        evaluations.in_sample,
        evaluations.plan_id,
        evaluations.calibration_session,
        evaluations.origin,
        coalesce(disputes.status, 'none') as dispute_status,
        -- Counts in agent scorecards (qa/scorecards.py) unless a dispute overturned it or
        -- it was made in a calibration session.
        coalesce(disputes.status, 'none') <> 'overturned'
            and evaluations.calibration_session is null as counts_for_scorecard,
        calls.call_id is not null as call_in_warehouse,
        calls.answered_by as call_answered_by,
        calls.handle_s as call_handle_s,
        calls.transferred as call_transferred
    from evaluations
    left join forms
        on evaluations.form_id = forms.form_id
        and evaluations.form_version = forms.form_version
    left join disputes on evaluations.evaluation_id = disputes.evaluation_id
    left join answer_counts on evaluations.evaluation_id = answer_counts.evaluation_id
    left join calls on evaluations.call_id = calls.call_id
),

final as (
    select * from scores
)

select * from final
