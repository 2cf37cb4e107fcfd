"""What QA reads from the published warehouse: answered, recorded calls with their signals.

Only through ``warehouse.connect.read_only`` (a short-lived read-only connection). The
columns come from ``fct_calls`` (the call, who answered it, its final queue, transfer,
handle time), ``stg_recordings`` (the engine's or platform's recording signals: silence,
holds, overtalk) and ``int_agent_visits`` (repeat call within 7 days, by caller number).
"""

from __future__ import annotations

import os
from datetime import date

import pandas as pd

from warehouse.connect import read_only

CANDIDATE_COLUMNS = (
    "call_id",
    "agent_id",
    "queue",
    "call_time_local",
    "recording_id",
    "transferred",
    "handle_s",
    "talk_s",
    "hold_s",
    "silence_s",
    "hold_count",
    "overtalk_s",
    "talk_ratio",
    "repeat_call",
)

_CALLS_SQL = """
with calls as (
    select * from fct_calls
    where answered_by is not null and recording_id is not null {where}
),
recordings as (
    select recording_id, silence_s, hold_count, hold_s as recorded_hold_s, overtalk_s,
        talk_ratio
    from stg_recordings
),
repeats as (
    select call_id, max(repeat_call) as repeat_call
    from int_agent_visits
    group by call_id
)
select
    calls.call_id,
    calls.answered_by as agent_id,
    calls.final_queue as queue,
    calls.first_enter_time_local as call_time_local,
    calls.recording_id,
    coalesce(calls.transferred, false) as transferred,
    calls.handle_s,
    calls.talk_s,
    coalesce(calls.hold_s, recordings.recorded_hold_s) as hold_s,
    recordings.silence_s,
    recordings.hold_count,
    recordings.overtalk_s,
    recordings.talk_ratio,
    coalesce(repeats.repeat_call, 0) = 1 as repeat_call
from calls
left join recordings on calls.recording_id = recordings.recording_id
left join repeats on calls.call_id = repeats.call_id
order by calls.call_id
"""


def _frame(db: str | os.PathLike[str], where: str, parameters: list[object]) -> pd.DataFrame:
    with read_only(db) as con:
        frame = con.execute(_CALLS_SQL.format(where=where), parameters).df()
    return frame.loc[:, list(CANDIDATE_COLUMNS)]


def candidate_calls(db: str | os.PathLike[str], start: date, end: date) -> pd.DataFrame:
    """Answered calls with a recording that first entered a queue in [start, end) local time.

    One row per call, ordered by call id, with ``CANDIDATE_COLUMNS``.
    """
    return _frame(
        db,
        "and first_enter_time_local >= ? and first_enter_time_local < ?",
        [start, end],
    )


def calls_by_id(db: str | os.PathLike[str], call_ids: list[str]) -> pd.DataFrame:
    """The answered, recorded calls among ``call_ids`` (unknown ids are simply absent)."""
    if not call_ids:
        return pd.DataFrame(columns=list(CANDIDATE_COLUMNS))
    return _frame(db, "and call_id in (select unnest(?::varchar[]))", [list(call_ids)])
