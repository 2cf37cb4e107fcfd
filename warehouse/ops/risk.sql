-- The risk register and fault-level incidents (qa/risk/store.py writes them; callcenter risk).
-- Instants are UTC (timestamptz). Scores: probability and impact 1..10 on the scales of
-- qa/risk/config.py, score = probability x impact.

-- The current register: one row per risk, its latest version.
create table if not exists risk_register (
    risk_id varchar primary key,
    title varchar not null,
    category varchar not null,
    owner varchar not null,
    probability integer not null check (probability between 1 and 10),
    impact integer not null check (impact between 1 and 10),
    score integer not null check (score = probability * impact),
    strategy varchar not null check (strategy in ('avoid', 'reduce', 'transfer', 'accept')),
    warning_signs varchar not null,  -- JSON array of texts
    review_date date,
    description varchar not null,
    signal varchar,  -- history measure that proposes the probability (qa/risk/history.py)
    version integer not null,
    updated_at timestamptz not null
);

-- Every version of every risk ever written (the audit trail): change is add, import, score.
create table if not exists risk_register_history (
    risk_id varchar not null,
    version integer not null,
    change varchar not null,
    title varchar not null,
    category varchar not null,
    owner varchar not null,
    probability integer not null,
    impact integer not null,
    score integer not null,
    strategy varchar not null,
    warning_signs varchar not null,
    review_date date,
    description varchar not null,
    signal varchar,
    changed_at timestamptz not null,
    note varchar,  -- e.g. the evidence a proposed probability came from
    primary key (risk_id, version)
);

-- Incidents (faults) with their level by scope; detected from the warehouse or entered.
create table if not exists risk_incidents (
    incident_id varchar primary key,
    kind varchar not null,  -- no_answer, ivr_drop_off, ivr_no_queue, manual
    level integer not null,
    queue varchar,
    menu_path varchar,
    started_at timestamptz not null,
    ended_at timestamptz,  -- NULL while open
    minutes_to_recover double,  -- ended_at - started_at in minutes
    seat_share double not null,
    sites_down integer not null,
    all_sites boolean not null,
    queues_down integer not null,
    description varchar not null,
    evidence varchar not null,  -- JSON object
    logged_at timestamptz not null
);

-- The escalation notifications due for each incident from its level's timeline.
create table if not exists risk_escalations (
    incident_id varchar not null,
    step integer not null,
    after_min integer not null,
    due_at timestamptz not null,
    notify varchar not null,  -- comma-separated roles
    action varchar not null,
    kind varchar not null,  -- step (the timeline) or update (repeated status update)
    primary key (incident_id, step)
);
