-- One row per section of each QA evaluation, with the section score qa.scoring computed
-- (NULL when every item of the section was NA).
with source as (
    select * from {{ source('qa_evaluation_sections') }}
),

final as (
    select
        evaluation_id,
        section_id,
        section_title,
        section_weight,
        score,
        answered_items,
        na_items
    from source
)

select * from final
