-- One row per evaluation the agent acknowledged or disputed, with the dispute's resolution.
with source as (
    select * from {{ source('qa_disputes') }}
),

final as (
    select
        evaluation_id,
        agent_id,
        response,
        reason,
        cast(responded_at as timestamptz) as responded_at,
        status,
        resolution_note,
        resolved_by,
        cast(resolved_at as timestamptz) as resolved_at
    from source
)

select * from final
