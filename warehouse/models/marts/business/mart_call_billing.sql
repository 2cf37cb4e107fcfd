-- Every CDR row (stg_cdr) rated by the carrier's tariff (stg_tariffs): one row per CDR row,
-- so the sum of cost is the telephony bill of the period.
--
-- Direction (from the dialplan context, FreePBX naming as in docs/formats.md):
--   inbound: from-pstn, from-trunk, from-did*: a caller dialled the center; rated by the
--     number dialled (the service number: 95xxx, 400, 800 ... lines of the tariff);
--   internal: ext-queues (the queue ringing an agent phone) and any other row whose dialled
--     number has fewer than 7 digits (an extension): costs 0, not rated;
--   outbound: the rest (a 7+ digit number dialled from inside: campaigns, callbacks,
--     and the calls placed for deferred contacts: accountcode the channel, e.g.
--     web_callback or voicemail, userfield contact=<id>); rated by the number dialled.
--     Its agent is the dial attempt's (outbound export), else the agent whose state
--     export shows them dialing the call; its campaign the attempt's, else the accountcode.
-- Rating (ingest.readers.tariffs.find_tariff / call_cost): the dialled number in national
-- form (national_number: +86 removed, a landline gets its trunk 0, other countries 00+),
-- the tariff row with the longest prefix of it valid on the call's local date; an answered
-- leg bills max(minimum_s, billsec rounded up to the billing increment) seconds and costs
-- connection_fee + rate_per_min x billed seconds / 60, rounded half-even to the fen.
-- An unanswered leg costs 0. An external leg no tariff row matches is unrated: cost NULL.
with cdr as (
    select * from {{ ref('stg_cdr') }}
),

tariffs as (
    select * from {{ ref('stg_tariffs') }}
),

attempts as (
    select * from {{ ref('stg_outbound_attempts') }}
),

agent_states as (
    select * from {{ ref('stg_agent_states') }}
),

answered_visits as (
    select * from {{ ref('int_queue_visits') }}
    where outcome = 'answered'
),

legs as (
    select
        source_file,
        byte_offset,
        load_id,
        call_id,
        start_time,
        start_time_local,
        cast(start_time_local as date) as local_date,
        answer_time,
        billsec_s,
        disposition,
        account_code,
        source_number,
        destination,
        destination_context,
        last_app,
        case when last_app = 'Queue' then split_part(last_app_data, ',', 1) end as app_queue,
        regexp_replace(destination, '[^0-9]', '', 'g') as dialled_digits,
        case
            when
                destination_context in ('from-pstn', 'from-trunk')
                or destination_context like 'from-did%'
                then 'inbound'
            when destination_context = 'ext-queues' then 'internal'
            when length(regexp_replace(destination, '[^0-9]', '', 'g')) < 7 then 'internal'
            else 'outbound'
        end as direction
    from cdr
),

international as (
    select
        *,
        -- The number as dialled internationally (without 00 or +), or NULL if national.
        case
            when trim(destination) like '+%' then dialled_digits
            when dialled_digits like '0086%' then substr(dialled_digits, 3)
        end as international_digits
    from legs
),

numbered as (
    select
        *,
        -- The dialled number in national form, what tariff prefixes are written in.
        case
            when direction = 'internal' then null
            when international_digits is null then dialled_digits
            when international_digits not like '86%' then '00' || international_digits
            when
                substr(international_digits, 3) like '1%'
                or substr(international_digits, 3) like '400%'
                or substr(international_digits, 3) like '800%'
                or substr(international_digits, 3) like '95%'
                then substr(international_digits, 3)
            else '0' || substr(international_digits, 3)
        end as rated_number
    from international
),

prefix_lengths as (
    select distinct length(prefix) as prefix_length from tariffs
),

candidate_prefixes as (
    -- Every prefix of the number a tariff prefix could be: an equality join, not a LIKE scan.
    select
        numbered.source_file,
        numbered.byte_offset,
        numbered.load_id,
        numbered.local_date,
        substr(numbered.rated_number, 1, prefix_lengths.prefix_length) as candidate_prefix
    from numbered
    cross join prefix_lengths
    where
        numbered.rated_number is not null
        and length(numbered.rated_number) >= prefix_lengths.prefix_length
),

tariff_matches as (
    select
        candidate_prefixes.source_file,
        candidate_prefixes.byte_offset,
        candidate_prefixes.load_id,
        tariffs.prefix,
        tariffs.destination_name,
        tariffs.rate_per_min,
        tariffs.billing_increment_s,
        coalesce(tariffs.minimum_s, 0) as minimum_s,
        coalesce(tariffs.connection_fee, 0) as connection_fee,
        row_number() over (
            partition by
                candidate_prefixes.source_file,
                candidate_prefixes.byte_offset,
                candidate_prefixes.load_id
            order by length(tariffs.prefix) desc, tariffs.valid_from desc
        ) as specificity
    from candidate_prefixes
    inner join tariffs
        on
            tariffs.prefix = candidate_prefixes.candidate_prefix
            and tariffs.valid_from <= candidate_prefixes.local_date
            and (tariffs.valid_to is null or candidate_prefixes.local_date < tariffs.valid_to)
),

attempt_calls as (
    select
        call_id,
        max(campaign) as campaign,
        max(agent_id) as agent_id
    from attempts
    group by call_id
),

dialing_agents as (
    -- Who dialled an outbound call, from the agent-state export (state dialing with the
    -- call's id): callbacks for deferred contacts have no dial attempt row.
    select
        call_id,
        min(agent_id) as agent_id
    from agent_states
    where state = 'dialing' and call_id is not null
    group by call_id
),

last_answers as (
    -- The last agent who answered the call: who an inbound leg is attributed to.
    select
        call_id,
        queue,
        agent as agent_id,
        row_number() over (partition by call_id order by visit_number desc) as recency
    from answered_visits
),

leg_answers as (
    -- An answered agent leg's own queue visit: same call, CONNECT within 2 seconds of the
    -- leg's answer (the CDR and the queue log round the same instant separately).
    select
        numbered.source_file,
        numbered.byte_offset,
        numbered.load_id,
        answered_visits.queue,
        answered_visits.agent as agent_id,
        row_number() over (
            partition by numbered.source_file, numbered.byte_offset, numbered.load_id
            order by abs(date_diff('second', answered_visits.connect_time, numbered.answer_time))
        ) as nearness
    from numbered
    inner join answered_visits
        on
            answered_visits.call_id = numbered.call_id
            and numbered.direction = 'internal'
            and abs(date_diff('second', answered_visits.connect_time, numbered.answer_time)) <= 2
),

attributed as (
    select
        numbered.*,
        tariff_matches.prefix as tariff_prefix,
        tariff_matches.destination_name as tariff_destination,
        tariff_matches.rate_per_min,
        tariff_matches.billing_increment_s,
        tariff_matches.minimum_s,
        tariff_matches.connection_fee,
        case
            when numbered.direction = 'outbound' then null
            else coalesce(numbered.app_queue, leg_answers.queue, last_answers.queue)
        end as queue,
        case
            when numbered.direction = 'outbound'
                then case
                    when attempt_calls.call_id is null then dialing_agents.agent_id
                    else attempt_calls.agent_id
                end
            when numbered.direction = 'inbound' then last_answers.agent_id
            else leg_answers.agent_id
        end as agent_id,
        case
            when numbered.direction = 'outbound'
                then coalesce(attempt_calls.campaign, nullif(numbered.account_code, ''))
        end as campaign
    from numbered
    left join tariff_matches
        on
            tariff_matches.source_file = numbered.source_file
            and tariff_matches.byte_offset = numbered.byte_offset
            and tariff_matches.load_id = numbered.load_id
            and tariff_matches.specificity = 1
    left join attempt_calls
        on attempt_calls.call_id = numbered.call_id and numbered.direction = 'outbound'
    left join dialing_agents
        on dialing_agents.call_id = numbered.call_id and numbered.direction = 'outbound'
    left join last_answers
        on last_answers.call_id = numbered.call_id and last_answers.recency = 1
    left join leg_answers
        on
            leg_answers.source_file = numbered.source_file
            and leg_answers.byte_offset = numbered.byte_offset
            and leg_answers.load_id = numbered.load_id
            and leg_answers.nearness = 1
),

billed as (
    select
        *,
        -- Billed seconds: answered, rated legs only: billsec rounded up to the billing
        -- increment, at least minimum_s; 0 otherwise.
        case
            when tariff_prefix is null or disposition <> 'ANSWERED' then 0
            else greatest(
                minimum_s,
                cast(ceil(cast(billsec_s as double) / billing_increment_s) as integer)
                * billing_increment_s
            )
        end as billed_s
    from attributed
),

costed as (
    select
        *,
        -- Cost in fen: (connection fee + rate x billed s / 60) x 100, rounded half-even as
        -- Decimal.quantize does in call_cost. Both prices have 4 places, so the numerator in
        -- ten-thousandths is a whole number and the rounding of the quotient is exact.
        case
            when direction = 'internal' then 0
            when tariff_prefix is null then null
            when disposition <> 'ANSWERED' then 0
            else cast(
                round_even(
                    cast(connection_fee * 600000 + rate_per_min * 10000 * billed_s as double)
                    / 6000,
                    0
                ) as bigint
            )
        end as cost_fen
    from billed
),

final as (
    select
        call_id,
        start_time,
        start_time_local,
        local_date,
        answer_time,
        direction,
        disposition,
        source_number,
        destination,
        destination_context,
        rated_number,
        queue,
        agent_id,
        campaign,
        tariff_prefix,
        tariff_destination,
        rate_per_min,
        billing_increment_s,
        minimum_s,
        connection_fee,
        billsec_s,
        billed_s,
        -- Cost: what the carrier charges for the leg (see the rating rules at the top); 0 for
        -- internal and unanswered legs, NULL for an external leg no tariff row matches.
        cast(cost_fen / 100.0 as decimal(14, 2)) as cost,
        tariff_prefix is not null or direction = 'internal' as is_rated,
        source_file,
        byte_offset,
        load_id
    from costed
)

select * from final
