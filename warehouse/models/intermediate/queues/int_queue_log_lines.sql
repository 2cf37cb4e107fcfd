-- stg_queue_log with the order its lines were written in, defined once for every model that
-- replays the log: by the logged second, then by file position (docs/formats.md: lines are
-- not sorted, timestamps can step back). file_rank orders the files of one log: a rotated
-- queue_log-YYYYMMDD (holding the day before YYYYMMDD) by its date, a numbered queue_log.N
-- before every dated one and older as N grows, the current (unsuffixed) file last. Within a
-- file, byte_offset. log_seq numbers the lines in that order.
with queue_log as (
    select * from {{ ref('stg_queue_log') }}
),

ranked as (
    select
        *,
        case
            when regexp_matches(source_file, '-[0-9]{8}$')
                then cast(regexp_extract(source_file, '-([0-9]{8})$', 1) as bigint)
            when regexp_matches(source_file, '\.[0-9]+$')
                then -cast(regexp_extract(source_file, '\.([0-9]+)$', 1) as bigint)
            else 99999999
        end as file_rank
    from queue_log
),

ordered as (
    select
        *,
        row_number() over (order by event_epoch_s, file_rank, source_file, byte_offset) as log_seq
    from ranked
),

final as (
    select * from ordered
)

select * from final
