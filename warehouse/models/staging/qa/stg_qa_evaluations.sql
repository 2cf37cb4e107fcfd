-- One row per QA evaluation entered in the operational store (warehouse/ops/qa.sql),
-- as qa/store.py wrote it: the score was computed by qa.scoring at submission.
with source as (
    select * from {{ source('qa_evaluations') }}
),

renamed as (
    select
        evaluation_id,
        call_id,
        recording_id,
        agent_id,
        queue,
        call_time_local,
        evaluator,
        form_id,
        form_version,
        cast(evaluated_at as timestamptz) as evaluated_at,
        evaluated_at at time zone '{{ var('timezone') }}' as evaluated_at_local,
        score,
        raw_score,
        critical_failed,
        passed,
        nullif(critical_failures, '') as critical_failures,
        comment,
        in_sample,
        plan_id,
        calibration_session,
        origin
    from source
),

final as (
    select * from renamed
)

select * from final
