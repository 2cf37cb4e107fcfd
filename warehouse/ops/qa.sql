-- Quality assurance records (qa/store.py writes them; the build copies them in for the
-- staging models warehouse/models/staging/qa/). Instants are UTC (TIMESTAMPTZ); the
-- scores are computed by qa.scoring at submission and stored, never recomputed in SQL.

-- Every form version evaluations were scored on, with its validated definition.
create table if not exists qa_forms (
    form_id varchar not null,
    form_version integer not null,
    title varchar not null,
    pass_score double not null,
    definition_json varchar not null,
    definition_sha256 varchar not null,
    registered_at timestamptz not null,
    primary key (form_id, form_version)
);

-- A sampling plan: one per period (local dates, end exclusive).
create table if not exists qa_sample_plans (
    plan_id varchar primary key,
    period_start date not null,
    period_end date not null,
    per_agent integer not null,
    seed bigint not null,
    evaluators varchar not null,
    settings_json varchar not null,
    candidates integer not null,
    sampled integer not null,
    created_at timestamptz not null
);

-- The calls a plan drew, each assigned to an evaluator. A call is sampled at most once.
create table if not exists qa_sample_calls (
    call_id varchar primary key,
    plan_id varchar not null,
    agent_id varchar not null,
    queue varchar,
    call_time_local timestamp,
    recording_id varchar,
    evaluator varchar not null,
    weight double not null,
    reasons varchar not null
);

-- One scored evaluation. Unique per (evaluator, call, form, form version).
create table if not exists qa_evaluations (
    evaluation_id varchar primary key,
    call_id varchar not null,
    recording_id varchar,
    agent_id varchar not null,
    queue varchar,
    call_time_local timestamp,
    evaluator varchar not null,
    form_id varchar not null,
    form_version integer not null,
    evaluated_at timestamptz not null,
    score double not null,
    raw_score double not null,
    critical_failed boolean not null,
    passed boolean not null,
    critical_failures varchar not null,
    comment varchar,
    in_sample boolean not null,
    plan_id varchar,
    calibration_session varchar,
    origin varchar not null,
    unique (evaluator, call_id, form_id, form_version)
);

-- The section scores of each evaluation (score NULL when every item was NA).
create table if not exists qa_evaluation_sections (
    evaluation_id varchar not null,
    section_id varchar not null,
    section_title varchar not null,
    section_weight double not null,
    score double,
    answered_items integer not null,
    na_items integer not null,
    primary key (evaluation_id, section_id)
);

-- Every item's answer (yes/no/na/1..5), its value in [0, 1] (NULL for na) and comment.
create table if not exists qa_evaluation_answers (
    evaluation_id varchar not null,
    section_id varchar not null,
    item_id varchar not null,
    answer varchar not null,
    item_value double,
    item_weight double not null,
    critical boolean not null,
    comment varchar,
    primary key (evaluation_id, item_id)
);

-- The agent's acknowledgement or dispute of an evaluation, and the dispute's resolution.
create table if not exists qa_disputes (
    evaluation_id varchar primary key,
    agent_id varchar not null,
    response varchar not null,
    reason varchar,
    responded_at timestamptz not null,
    status varchar not null,
    resolution_note varchar,
    resolved_by varchar,
    resolved_at timestamptz
);

-- Coaching sessions on findings (an evaluation, optionally one item of it).
create table if not exists qa_coaching (
    coaching_id varchar primary key,
    evaluation_id varchar not null,
    item_id varchar,
    agent_id varchar not null,
    coach varchar not null,
    session_date date not null,
    notes varchar,
    follow_up_date date,
    status varchar not null,
    created_at timestamptz not null
);
