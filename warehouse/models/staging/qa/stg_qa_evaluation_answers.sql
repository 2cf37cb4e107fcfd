-- One row per item answer of each QA evaluation (yes/no/na/1..5) and its value in [0, 1].
with source as (
    select * from {{ source('qa_evaluation_answers') }}
),

final as (
    select
        evaluation_id,
        section_id,
        item_id,
        answer,
        item_value,
        item_weight,
        critical,
        comment,
        -- 1 when the item was answered other than NA (counted in its section's score)
        cast(answer <> 'na' as integer) as is_answered
    from source
)

select * from final
