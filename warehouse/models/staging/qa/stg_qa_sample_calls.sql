-- One row per call a QA sampling plan drew, with its evaluator and why it was weighted.
with source as (
    select * from {{ source('qa_sample_calls') }}
),

final as (
    select
        call_id,
        plan_id,
        agent_id,
        queue,
        call_time_local,
        recording_id,
        evaluator,
        weight,
        nullif(reasons, '') as reasons
    from source
)

select * from final
