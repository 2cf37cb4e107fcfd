-- One row per record of the deferred-contact and survey exports that does not match the
-- calls it names, to chase with the platform team. Nothing here is dropped elsewhere:
-- the records stay in their staging models and marts.
--   survey_unknown_call: a survey (stg_surveys) whose uniqueid matches no call in
--     fct_calls (no queue visit); detail says whether Master.csv has the uniqueid.
--   voicemail_unknown_call: a voicemail contact (stg_contacts) whose call_id matches no
--     Master.csv row.
with surveys as (
    select * from {{ ref('stg_surveys') }}
),

contacts as (
    select * from {{ ref('stg_contacts') }}
),

calls as (
    select * from {{ ref('fct_calls') }}
),

cdr_calls as (
    select distinct call_id from {{ ref('stg_cdr') }}
    where nullif(call_id, '') is not null
),

survey_unknown_call as (
    select
        'survey_unknown_call' as exception_type,
        'surveys' as source,
        surveys.call_id as record_id,
        surveys.call_id,
        surveys.offered_time as event_time,
        surveys.offered_time_local as event_time_local,
        surveys.day_local,
        surveys.agent_id,
        surveys.queue,
        case
            when cdr_calls.call_id is not null
                then 'uniqueid in Master.csv but in no queue visit (queue_log)'
            else 'uniqueid in neither queue_log nor Master.csv'
        end as detail,
        surveys.source_file,
        surveys.source_line
    from surveys
    left join calls on surveys.call_id = calls.call_id
    left join cdr_calls on surveys.call_id = cdr_calls.call_id
    where calls.call_id is null
),

voicemail_unknown_call as (
    select
        'voicemail_unknown_call' as exception_type,
        'contacts' as source,
        contacts.contact_id as record_id,
        contacts.call_id,
        contacts.created_time as event_time,
        contacts.created_time_local as event_time_local,
        cast(contacts.created_time_local as date) as day_local,
        contacts.agent_id,
        contacts.queue,
        case
            when contacts.call_id is null then 'voicemail contact without call_id'
            else 'call_id in no Master.csv row'
        end as detail,
        contacts.source_file,
        contacts.source_line
    from contacts
    left join cdr_calls on contacts.call_id = cdr_calls.call_id
    where contacts.channel = 'voicemail' and cdr_calls.call_id is null
),

final as (
    select * from survey_unknown_call
    union all
    select * from voicemail_unknown_call
)

select * from final
