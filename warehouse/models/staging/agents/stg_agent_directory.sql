-- One row per agent of the ACD's user administration export (agent_directory_YYYYMMDD.csv,
-- acd/writers/landing.py), as the agent's newest snapshot has it: team, skills with
-- levels (booking:8;general:5) and deferred channels (email;sms), kept as delivered.
--
-- Each run exports the whole directory once, named after its first day, so a later run
-- adds a newer snapshot (the loader's key is snapshot_date, agent_id: ingest/readers/
-- exports.py AGENT_DIRECTORY). An agent missing from the newest snapshot keeps the row of
-- the last snapshot that listed them (is_current false): their calls still need a team.
-- A site that has not delivered the export yet gets this model empty (the build starts
-- from an empty raw table, warehouse/publish.py).
with source as (
    select * from {{ source('raw_agent_directory') }}
),

versions as (
    select
        *,
        count(*) over (partition by agent_id) as snapshots,
        max(snapshot_date) over () as newest_snapshot_date
    from source
),

newest as (
    select *
    from versions
    qualify row_number() over (
        partition by agent_id
        order by snapshot_date desc, source_file desc, byte_offset desc
    ) = 1
),

renamed as (
    select
        agent_id,
        -- The reader lets a directory leave the team empty; such an agent is 'unassigned'.
        coalesce(nullif(trim(team), ''), 'unassigned') as team,
        skills,
        deferred_channels,
        cast(snapshot_date as date) as snapshot_date,
        snapshot_date = newest_snapshot_date as is_current,
        snapshots,
        source_file,
        cast(source_line as bigint) as source_line,
        cast(byte_offset as bigint) as byte_offset,
        load_id
    from newest
),

final as (
    select * from renamed
)

select * from final
