-- One row per evaluation form version used, with its definition (JSON) as validated.
with source as (
    select * from {{ source('qa_forms') }}
),

final as (
    select
        form_id,
        form_version,
        title,
        pass_score,
        definition_json,
        definition_sha256,
        cast(registered_at as timestamptz) as registered_at
    from source
)

select * from final
