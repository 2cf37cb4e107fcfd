-- One row per post-call survey offer (surveys_YYYYMMDD.csv, docs/formats.md), renamed and
-- cast, with the satisfied/dissatisfied classes of its score. The loader keeps one row per
-- uniqueid (ingest/readers/exports.py SURVEYS). A survey whose call is not in the
-- warehouse is kept here (fct_surveys.known_call, mart_data_exceptions report it).
--
-- satisfied / dissatisfied (answered surveys only; NULL when not answered):
--   3-point scale: satisfied = score 3, dissatisfied = score 1 (top and bottom box);
--   larger scales (5-point): satisfied = the top two scores (4-5), dissatisfied = the
--   bottom two (1-2). A 2-point scale: 2 satisfied, 1 dissatisfied.
with source as (
    select * from {{ source('raw_surveys') }}
),

renamed as (
    select
        uniqueid as call_id,
        cast(offered_time as timestamptz) as offered_time,
        offered_time at time zone '{{ var('timezone') }}' as offered_time_local,
        cast(offered_time at time zone '{{ var('timezone') }}' as date) as day_local,
        answered,
        score,
        label,
        cast(scale as integer) as scale,
        agent_id,
        queue,
        source_file,
        cast(source_line as bigint) as source_line,
        cast(byte_offset as bigint) as byte_offset,
        load_id
    from source
),

classified as (
    select
        *,
        case
            when not answered then null
            when scale <= 3 then score = scale
            else score >= scale - 1
        end as satisfied,
        case
            when not answered then null
            when scale <= 3 then score = 1
            else score <= 2
        end as dissatisfied
    from renamed
),

final as (
    select * from classified
)

select * from final
