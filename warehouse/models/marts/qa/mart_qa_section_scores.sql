-- One row per QA evaluation and form section: the section score qa.scoring computed at
-- submission (NULL when every item of the section was NA), with the evaluation's agent,
-- queue and call week for slicing.
with sections as (
    select * from {{ ref('stg_qa_evaluation_sections') }}
),

scores as (
    select * from {{ ref('mart_qa_scores') }}
),

final as (
    select
        sections.evaluation_id,
        sections.section_id,
        sections.section_title,
        sections.section_weight,
        sections.score as section_score,
        sections.answered_items,
        sections.na_items,
        scores.agent_id,
        scores.queue,
        scores.evaluator,
        scores.form_id,
        scores.form_version,
        scores.call_day_local,
        scores.call_week_start,
        scores.counts_for_scorecard
    from sections
    inner join scores on sections.evaluation_id = scores.evaluation_id
)

select * from final
