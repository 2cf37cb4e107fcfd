-- One row per coaching session planned on a QA finding (an evaluation, maybe one item).
with source as (
    select * from {{ source('qa_coaching') }}
),

final as (
    select
        coaching_id,
        evaluation_id,
        item_id,
        agent_id,
        coach,
        session_date,
        notes,
        follow_up_date,
        status,
        cast(created_at as timestamptz) as created_at
    from source
)

select * from final
