-- One row per deferred channel, help-desk queue and local hour (var timezone), from the
-- hour of the queue's first contact to the last hour of the contacts data (the hour of the
-- latest instant any contact carries, all channels): hours without any event are rows too,
-- so an open backlog persists through them. Counts are by the local hour an instant falls
-- in (stg_contacts):
--   arrived     contacts created in the hour
--   handled     contacts that reached a final state (resolved, failed, abandoned) in the hour
--   open_end    contacts open at the hour's end: created before it and not closed before it
--   open_start  the previous hour's open_end (0 in the queue's first hour: nothing of the
--               queue was created before it)
-- A contact open at an hour's end is open at the end of every hour from its creation hour
-- to the hour before its closing hour (to the last hour while it stays open): the model
-- expands each contact to those hours rather than joining every contact to every hour.
-- On a DST change the repeated local hour holds two real hours and the skipped one none.
with contacts as (
    select * from {{ ref('stg_contacts') }}
),

data_end as (
    -- The latest instant in the contacts data: the export is complete up to it.
    select
        date_trunc(
            'hour',
            max(greatest(created_time, first_assigned_time, first_response_time, resolved_time))
                at time zone '{{ var('timezone') }}'
        ) as last_hour
    from contacts
),

queue_hours as (
    select
        contacts.channel,
        contacts.queue,
        unnest(generate_series(
            date_trunc('hour', min(contacts.created_time_local)),
            any_value(data_end.last_hour),
            interval 1 hour
        )) as hour_start_local
    from contacts
    cross join data_end
    group by contacts.channel, contacts.queue
),

open_hours as (
    -- Each contact at the end of every hour it is open at.
    select
        contacts.channel,
        contacts.queue,
        contacts.created_time,
        unnest(generate_series(
            date_trunc('hour', contacts.created_time_local),
            coalesce(
                date_trunc('hour', contacts.resolved_time_local) - interval 1 hour,
                data_end.last_hour
            ),
            interval 1 hour
        )) as hour_start_local
    from contacts
    cross join data_end
),

open_counts as (
    select
        channel,
        queue,
        hour_start_local,
        count(*) as open_end,
        min(created_time) as oldest_open_created_time
    from open_hours
    group by channel, queue, hour_start_local
),

arrivals as (
    select
        channel,
        queue,
        date_trunc('hour', created_time_local) as hour_start_local,
        count(*) as arrived
    from contacts
    group by all
),

closures as (
    select
        channel,
        queue,
        date_trunc('hour', resolved_time_local) as hour_start_local,
        count(*) as handled,
        count(*) filter (where outcome = 'resolved') as resolved,
        count(*) filter (where outcome = 'failed') as failed,
        count(*) filter (where outcome = 'abandoned') as abandoned,
        coalesce(sum(handle_s), 0) as handle_s
    from contacts
    where is_closed
    group by all
),

responses as (
    select
        channel,
        queue,
        date_trunc('hour', first_response_time_local) as hour_start_local,
        count(*) as responded,
        count(*) filter (where first_response_time <= response_due_time) as responded_in_target
    from contacts
    where first_response_time is not null
    group by all
),

combined as (
    select
        queue_hours.channel,
        queue_hours.queue,
        queue_hours.hour_start_local,
        timezone('{{ var('timezone') }}', queue_hours.hour_start_local + interval 1 hour)
            as hour_end_time,
        coalesce(arrivals.arrived, 0) as arrived,
        coalesce(closures.handled, 0) as handled,
        coalesce(closures.resolved, 0) as resolved,
        coalesce(closures.failed, 0) as failed,
        coalesce(closures.abandoned, 0) as abandoned,
        coalesce(closures.handle_s, 0) as handle_s,
        coalesce(responses.responded, 0) as responded,
        coalesce(responses.responded_in_target, 0) as responded_in_target,
        coalesce(open_counts.open_end, 0) as open_end,
        open_counts.oldest_open_created_time
    from queue_hours
    left join arrivals using (channel, queue, hour_start_local)
    left join closures using (channel, queue, hour_start_local)
    left join responses using (channel, queue, hour_start_local)
    left join open_counts using (channel, queue, hour_start_local)
),

chained as (
    select
        *,
        lag(hour_start_local) over queue_timeline as previous_hour_start_local,
        lag(open_end) over queue_timeline as previous_open_end
    from combined
    window queue_timeline as (partition by channel, queue order by hour_start_local)
),

final as (
    select
        channel,
        queue,
        hour_start_local,
        hour_end_time,
        coalesce(previous_open_end, 0) as open_start,
        arrived,
        handled,
        resolved,
        failed,
        abandoned,
        open_end,
        -- Age at the hour's end of the oldest contact still open then; NULL when none.
        (epoch_us(hour_end_time) - epoch_us(oldest_open_created_time)) / 1e6
            as oldest_open_age_s,
        responded,
        responded_in_target,
        handle_s,
        previous_hour_start_local,
        previous_open_end
    from chained
)

select * from final
