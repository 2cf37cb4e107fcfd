"""``LandingWriter``: the engine's records written as a production box's landing folder.

Layout under ``out_dir`` (see ``docs/formats.md`` for every field)::

    asterisk/queue_log                  + queue_log-YYYYMMDD after each local midnight
    asterisk/cdr-csv/Master.csv         + Master.csv-YYYYMMDD
    agent_states/agent_states_YYYYMMDD.csv
    recordings/recordings_YYYYMMDD.csv
    outbound/outbound_attempts_YYYYMMDD.csv
    orders/orders_YYYYMMDD.csv
    orders/order_events_YYYYMMDD.csv
    contacts/contacts_YYYYMMDD.csv          deferred contacts (help-desk export)
    surveys/surveys_YYYYMMDD.csv            post-call survey offers and scores
    truth/call_truth_YYYYMMDD.csv
    truth/survey_truth_YYYYMMDD.csv         the drivers behind each survey offer
    truth/deferred_backlog_YYYYMMDD.csv     deferred contacts per channel and local hour
    truth/agent_quality.csv                 hidden agent attributes (one file per run)
    agents/agent_directory_YYYYMMDD.csv     the agent directory at the run's first day

The agent directory is what an ACD's user administration exports: one row per agent with
its team (the scenario's agent group), its skills with levels (``booking:8;general:5``)
and the deferred channels it works (``email;sms``), written once per run and named after
the run's first day, so a later run adds a newer snapshot.

The two Asterisk files are written exactly as Asterisk writes them (``acd.asterisk``
holds the semantics) and rotated like logrotate with ``dateext``/``create``/``notifempty``:
at each local midnight the current file is renamed to ``<name>-<YYYYMMDD of the new day>``
(so ``queue_log-20260902`` holds 2026-09-01's lines) and a new empty file is started;
an empty file is not rotated. The suite's own exports are one CSV per local day (the
day of each record's main instant), with a header row. Instants are ISO 8601 in the PBX's
local time with its UTC offset and milliseconds (``2026-09-01T08:00:12.346+08:00``).

Deferred contacts (``contacts_YYYYMMDD.csv``) are a help-desk export: each contact is
listed once, with its latest state, in the file of the local day it reached its final
state (``resolved_time``); a contact still open when the simulated period ends is listed
in the file of the period's last day with ``outcome`` open and an empty ``resolved_time``
(what happened after the period is not in the export). A run that continues the folder
(``simulate --append``) takes those open contacts over and lists each again, with the same
``contact_id``, in the file of the day it closes (or open again at its own end). Columns:

    contact_id           T<first day of the run, YYYYMMDD><8-digit sequence>
    channel              email | sms | web_callback | voicemail
    queue                the help-desk queue (the scenario's deferred channel name)
    customer_id          CRM id, empty when the customer is unknown
    created_time         arrival (voicemail: when the caller hung up after the message)
    response_due_time    first response due: created + the channel's target, counted on
                         the business-hours clock when the channel says so
    first_assigned_time  an agent first took the item (empty if never)
    first_response_time  email/sms: the first reply was sent (end of the first session);
                         callbacks: the first call attempt was dialled
    resolved_time        the item reached its final state; empty while open
    agent_id             the agent who worked it last
    outcome              resolved | failed (callback attempts exhausted) |
                         abandoned (expired before any response) | open
    attempts             work sessions (email/sms) or call attempts (callbacks)
    handle_s             agent seconds spent on it over all sessions and attempts
    call_id              voicemail: the uniqueid of the call that left it (Master.csv)

Surveys (``surveys_YYYYMMDD.csv``, by the offer's local day): ``uniqueid`` (the
answered call's Asterisk uniqueid, as in queue_log and Master.csv), ``offered_time``,
``answered`` (y/n), ``score`` (1 = worst .. ``scale``; empty when not answered), ``label``
(unsatisfied/average/satisfied, or very_unsatisfied .. very_satisfied on 5 points),
``scale`` (3 or 5), ``agent_id`` and ``queue`` of the visit that ended the call.

Output depends only on the records and the constructor arguments: no locale, no dict
order, no wall clock, so identical input gives byte-identical files. Writes go through
large buffers; only live mode flushes (on :meth:`LandingWriter.flush`).
"""

from __future__ import annotations

import csv
import datetime as _dt
import os
from pathlib import Path
from typing import IO

from acd.asterisk import CDR_LAYOUTS
from acd.errors import ScenarioError
from acd.records import (
    AgentQuality,
    AgentStateEvent,
    BacklogHour,
    CallTruth,
    CdrRecord,
    Contact,
    Order,
    OrderEvent,
    OutboundAttempt,
    QueueLogEvent,
    RecordingMeta,
    SurveyResponse,
    SurveyTruth,
)
from acd.survey import label
from acd.writers.localtime import LocalClock, date_of_day, day_number

BUFFER_BYTES = 1 << 20
CSV_EOL = "\r\n"  # RFC 4180 record separator for the suite's own CSVs

# cdr_csv builds each row in a 1024-byte buffer and drops rows that do not fit
# ("CDR not recorded!"): the row text, with the trailing comma it trims, must stay
# below 1024 - 5 bytes.
CDR_MAX_LINE_BYTES = 1017

# -- own CSV columns (instants as ISO 8601 local time; ``*_s`` columns are seconds) -------

AGENT_STATE_COLUMNS = ("time", "agent_id", "state", "reason", "call_id", "queue")
RECORDING_COLUMNS = (
    "recording_id",
    "call_id",
    "agent_id",
    "queue",
    "direction",
    "start_time",
    "duration_s",
    "file_name",
    "talk_ratio",
    "silence_s",
    "hold_count",
    "hold_s",
    "overtalk_s",
)
OUTBOUND_COLUMNS = (
    "attempt_id",
    "campaign",
    "mode",
    "call_id",
    "customer_id",
    "number",
    "agent_id",
    "dial_time",
    "outcome",
    "answer_time",
    "end_time",
)
ORDER_COLUMNS = (
    "order_id",
    "created_time",
    "customer_id",
    "channel",
    "distributor",
    "call_id",
    "agent_id",
    "origin",
    "destination",
    "flight_date",
    "passengers",
    "fare",
    "taxes",
    "payment_method",
    "currency",
)
ORDER_EVENT_COLUMNS = ("order_id", "event_time", "event", "amount", "reference")
TRUTH_COLUMNS = (
    "call_id",
    "queue",
    "call_type",
    "priority",
    "enter_time",
    "outcome",
    "end_wait_time",
    "wait_s",
    "holdtime_s",
    "agent_id",
    "talk_s",
    "hold_s",
    "acw_s",
    "transferred_to",
)

CONTACT_COLUMNS = (
    "contact_id",
    "channel",
    "queue",
    "customer_id",
    "created_time",
    "response_due_time",
    "first_assigned_time",
    "first_response_time",
    "resolved_time",
    "agent_id",
    "outcome",
    "attempts",
    "handle_s",
    "call_id",
)
SURVEY_COLUMNS = (
    "uniqueid",
    "offered_time",
    "answered",
    "score",
    "label",
    "scale",
    "agent_id",
    "queue",
)
SURVEY_TRUTH_COLUMNS = (
    "uniqueid",
    "offered_time",
    "agent_id",
    "queue",
    "wait_s",
    "transfers",
    "repeat_call",
    "agent_quality",
    "eta",
    "answered",
    "score",
)
BACKLOG_COLUMNS = ("hour_start", "channel", "queue", "open_start", "arrived", "closed", "open_end")
AGENT_QUALITY_COLUMNS = ("agent_id", "group", "quality", "handle_factor")
AGENT_DIRECTORY_COLUMNS = ("snapshot_date", "agent_id", "team", "skills", "deferred_channels")

#: stream name → (folder, file prefix, header)
OWN_STREAMS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "agent_states": ("agent_states", "agent_states", AGENT_STATE_COLUMNS),
    "recordings": ("recordings", "recordings", RECORDING_COLUMNS),
    "outbound_attempts": ("outbound", "outbound_attempts", OUTBOUND_COLUMNS),
    "orders": ("orders", "orders", ORDER_COLUMNS),
    "order_events": ("orders", "order_events", ORDER_EVENT_COLUMNS),
    "truth": ("truth", "call_truth", TRUTH_COLUMNS),
    "contacts": ("contacts", "contacts", CONTACT_COLUMNS),
    "surveys": ("surveys", "surveys", SURVEY_COLUMNS),
    "survey_truth": ("truth", "survey_truth", SURVEY_TRUTH_COLUMNS),
    "deferred_backlog": ("truth", "deferred_backlog", BACKLOG_COLUMNS),
}


# -- value formatting ----------------------------------------------------------------------


def _f2(x: float) -> str:
    s = f"{x:.2f}"
    return "0.00" if s == "-0.00" else s


def _f3(x: float) -> str:
    s = f"{x:.3f}"
    return "0.000" if s == "-0.000" else s


def _f4(x: float) -> str:
    s = f"{x:.4f}"
    return "0.0000" if s == "-0.0000" else s


def csv_field(value: str) -> str:
    """An RFC 4180 field: quoted (inner quotes doubled) only when it must be."""
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_row(fields: list[str]) -> str:
    """Join fields into one RFC 4180 record (with its CRLF).

    Fast path: when the joined text has no quote, CR or LF and exactly one comma per
    separator, no field needed quoting and the plain join is already correct.
    """
    line = ",".join(fields)
    if (
        line.count(",") == len(fields) - 1
        and '"' not in line
        and "\n" not in line
        and "\r" not in line
    ):
        return line + CSV_EOL
    return ",".join([csv_field(f) for f in fields]) + CSV_EOL


def _cdr_texts(values: tuple[str, ...]) -> str:
    """Text fields as cdr_csv's append_string writes them, without the outer quotes:
    ``a","b","c`` (each field is quoted, inner quotes doubled, nothing else escaped).

    All fields are escaped in one go: joined with NUL (which cannot occur in the C strings
    Asterisk writes, so it is a safe temporary separator), quotes doubled, then NUL
    replaced by the quote-comma-quote between two quoted fields.
    """
    text = "\x00".join(values)
    if '"' in text:
        text = text.replace('"', '""')
    return text.replace("\x00", '","')


# Where each layout's text columns after billsec end in a CdrRecord (disposition is
# field 14): minimal stops after amaflags, standard (also any other name) after
# userfield, extended after linkedid (then the bare sequence number).
_CDR_TAIL_END = {"minimal": 16, "standard": 18, "extended": 20}
_CDR_TAIL_END_DEFAULT = 18


def master_csv_line(row: CdrRecord, layout: str, clock: LocalClock) -> str:
    """One Master.csv row (without newline) as cdr_csv's ``build_csv_record`` writes it.

    Text fields double-quoted with inner quotes doubled; duration/billsec (and sequence)
    bare integers; times quoted ``YYYY-MM-DD HH:MM:SS`` in the PBX's local time (whole
    seconds, truncated); a never-answered leg's answer time empty and unquoted.
    """
    wall = clock.wall
    answer = "" if row.answer_s is None else f'"{wall(int(row.answer_s // 1))}"'
    line = (
        f'"{_cdr_texts(row[:9])}","{wall(int(row.start_s // 1))}",{answer},'
        f'"{wall(int(row.end_s // 1))}",{int(row.duration_s)},{int(row.billsec_s)},'
        f'"{_cdr_texts(row[14 : _CDR_TAIL_END.get(layout, _CDR_TAIL_END_DEFAULT)])}"'
    )
    if layout == "extended":
        line += f",{int(row.sequence)}"
    return line


# -- per-stream row builders: (local day for the file, fields) -------------------------------


def _agent_state_row(e: AgentStateEvent, clock: LocalClock) -> tuple[int, list[str]]:
    day, when = clock.iso_ms(e.time_s)
    return day, [when, e.agent_id, e.state, e.reason, e.call_id, e.queue]


def _recording_row(r: RecordingMeta, clock: LocalClock) -> tuple[int, list[str]]:
    day, start = clock.iso_ms(r.start_s)
    return day, [
        r.recording_id,
        r.call_id,
        r.agent_id,
        r.queue,
        r.direction,
        start,
        _f3(r.duration_s),
        r.file_name,
        _f4(r.talk_ratio),
        _f3(r.silence_s),
        str(int(r.hold_count)),
        _f3(r.hold_s),
        _f3(r.overtalk_s),
    ]


def _outbound_row(a: OutboundAttempt, clock: LocalClock) -> tuple[int, list[str]]:
    day, dial = clock.iso_ms(a.dial_s)
    answer = "" if a.answer_s is None else clock.iso_ms(a.answer_s)[1]
    return day, [
        a.attempt_id,
        a.campaign,
        a.mode,
        a.call_id,
        a.customer_id,
        a.number,
        a.agent_id,
        dial,
        a.outcome,
        answer,
        clock.iso_ms(a.end_s)[1],
    ]


def _order_row(o: Order, clock: LocalClock) -> tuple[int, list[str]]:
    day, created = clock.iso_ms(o.created_s)
    return day, [
        o.order_id,
        created,
        o.customer_id,
        o.channel,
        o.distributor,
        o.call_id,
        o.agent_id,
        o.origin,
        o.destination,
        o.flight_date,
        str(int(o.passengers)),
        _f2(o.fare),
        _f2(o.taxes),
        o.payment_method,
        o.currency,
    ]


def _order_event_row(e: OrderEvent, clock: LocalClock) -> tuple[int, list[str]]:
    day, when = clock.iso_ms(e.event_s)
    return day, [e.order_id, when, e.event, _f2(e.amount), e.reference]


def _truth_row(c: CallTruth, clock: LocalClock) -> tuple[int, list[str]]:
    day, enter = clock.iso_ms(c.enter_s)
    return day, [
        c.call_id,
        c.queue,
        c.call_type,
        str(int(c.priority)),
        enter,
        c.outcome,
        clock.iso_ms(c.end_wait_s)[1],
        _f3(c.wait_s),
        str(int(c.holdtime_s)),
        c.agent_id,
        _f3(c.talk_s),
        _f3(c.hold_s),
        _f3(c.acw_s),
        c.transferred_to,
    ]


def _opt_time(t: float | None, clock: LocalClock) -> str:
    return "" if t is None else clock.iso_ms(t)[1]


def _contact_row(c: Contact, clock: LocalClock) -> tuple[int, list[str]]:
    day = clock.iso_ms(c.listed_s)[0]
    return day, [
        c.contact_id,
        c.channel,
        c.queue,
        c.customer_id,
        clock.iso_ms(c.created_s)[1],
        clock.iso_ms(c.due_s)[1],
        _opt_time(c.first_assigned_s, clock),
        _opt_time(c.first_response_s, clock),
        _opt_time(c.resolved_s, clock),
        c.agent_id,
        c.outcome,
        str(int(c.attempts)),
        _f3(c.handle_s),
        c.call_id,
    ]


def _survey_row(s: SurveyResponse, clock: LocalClock) -> tuple[int, list[str]]:
    day, offered = clock.iso_ms(s.offered_s)
    return day, [
        s.uniqueid,
        offered,
        "y" if s.answered else "n",
        str(int(s.score)) if s.answered else "",
        label(s.scale, s.score) if s.answered else "",
        str(int(s.scale)),
        s.agent_id,
        s.queue,
    ]


def _survey_truth_row(s: SurveyTruth, clock: LocalClock) -> tuple[int, list[str]]:
    day, offered = clock.iso_ms(s.offered_s)
    return day, [
        s.uniqueid,
        offered,
        s.agent_id,
        s.queue,
        _f3(s.wait_s),
        str(int(s.transfers)),
        "1" if s.repeat_call else "0",
        f"{s.agent_quality:.6f}",
        f"{s.eta:.6f}",
        "y" if s.answered else "n",
        str(int(s.score)) if s.answered else "",
    ]


def _backlog_row(b: BacklogHour, clock: LocalClock) -> tuple[int, list[str]]:
    day, start = clock.iso_ms(b.hour_start_s)
    return day, [
        start,
        b.channel,
        b.queue,
        str(int(b.open_start)),
        str(int(b.arrived)),
        str(int(b.closed)),
        str(int(b.open_end)),
    ]


# -- files ---------------------------------------------------------------------------------


class _Files:
    """Opens files for one writer: truncate on first open (batch) or append (live)."""

    def __init__(self, live: bool) -> None:
        self.live = live
        self._seen: set[Path] = set()

    def open(self, path: Path) -> tuple[IO[str], bool]:
        """Open ``path`` for writing; returns (file, is_empty)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        if self.live or path in self._seen:
            empty = not path.exists() or path.stat().st_size == 0
            mode = "a"
        else:
            empty = True
            mode = "w"
        self._seen.add(path)
        f = open(path, mode, encoding="utf-8", newline="", buffering=BUFFER_BYTES)  # noqa: SIM115
        return f, empty


class _RotatingFile:
    """An Asterisk log file renamed to ``<name>-YYYYMMDD`` at each local midnight."""

    def __init__(self, path: Path, files: _Files) -> None:
        self.path = path
        self._files = files
        self.f: IO[str] | None = None
        self.written = 0  # bytes written into the current file by this writer
        self.preexisting = False  # live mode: current file already had content

    def ensure_open(self) -> IO[str]:
        if self.f is None:
            self.f, empty = self._files.open(self.path)
            self.preexisting = not empty
            self.written = 0
        return self.f

    def rotate(self, new_day: _dt.date) -> None:
        """logrotate ``dateext``/``create``/``notifempty``: rename, then start a new file."""
        f = self.ensure_open()
        if self.written == 0 and not self.preexisting:
            return  # notifempty
        f.close()
        self.f = None
        os.replace(self.path, self.path.with_name(f"{self.path.name}-{new_day:%Y%m%d}"))
        self.ensure_open()

    def flush(self) -> None:
        if self.f is not None:
            self.f.flush()

    def close(self) -> None:
        if self.f is not None:
            self.f.close()
            self.f = None


class _DailyCsv:
    """One of the suite's own exports: ``<folder>/<prefix>_YYYYMMDD.csv`` per local day."""

    def __init__(
        self, root: Path, folder: str, prefix: str, header: tuple[str, ...], files: _Files
    ) -> None:
        self.dir = root / folder
        self.prefix = prefix
        self.header = ",".join(header) + CSV_EOL
        self._files = files
        self.open_days: dict[int, IO[str]] = {}
        self.count = 0

    def handle(self, day: int) -> IO[str]:
        f = self.open_days.get(day)
        if f is None:
            path = self.dir / f"{self.prefix}_{date_of_day(day):%Y%m%d}.csv"
            f, empty = self._files.open(path)
            if empty:
                f.write(self.header)
            self.open_days[day] = f
        return f

    def write_row(self, day: int, fields: list[str]) -> None:
        """Append one record to the file of local day ``day``."""
        f = self.open_days.get(day)
        if f is None:
            f = self.handle(day)
        f.write(csv_row(fields))
        self.count += 1

    def close_before(self, day: int) -> None:
        for d in sorted(self.open_days):
            if d < day:
                self.open_days.pop(d).close()

    def flush(self) -> None:
        for d in sorted(self.open_days):
            self.open_days[d].flush()

    def close(self) -> None:
        self.close_before(1 << 62)


class LandingWriter:
    """Writes the engine's records into ``out_dir`` in the formats real systems produce.

    ``tz`` is the PBX's (and business systems') IANA zone; ``cdr_layout`` picks the
    ``cdr.conf`` [csv] variant: ``minimal`` (16 columns), ``standard`` (18: with
    ``loguniqueid``/``loguserfield``, the default) or ``extended`` (21: also
    ``newcdrcolumns``). ``live=True`` appends to existing files and makes everything
    written so far visible on :meth:`flush`; otherwise files this writer opens are
    truncated first and nothing is flushed before :meth:`close`. ``append=True`` continues
    an earlier run's folder: files are appended to, and the first :meth:`start_day`
    rotates the current Asterisk files that still hold the earlier run's last day.

    Records of each stream must arrive in chronological order; the engine calls
    :meth:`start_day` once at the start and at every local midnight.
    """

    def __init__(
        self,
        out_dir: Path,
        tz: str = "Asia/Shanghai",
        cdr_layout: str = "standard",
        live: bool = False,
        append: bool = False,
    ) -> None:
        if cdr_layout not in CDR_LAYOUTS:
            raise ScenarioError(
                f"cdr_layout: {cdr_layout!r} is not one of {', '.join(CDR_LAYOUTS)}"
            )
        self.out_dir = Path(out_dir)
        self.tz = tz
        self.clock = LocalClock(tz)
        self.cdr_layout = cdr_layout
        self.live = live
        self.append = append
        self._files = _Files(live or append)
        asterisk = self.out_dir / "asterisk"
        self._qlog = _RotatingFile(asterisk / "queue_log", self._files)
        self._master = _RotatingFile(asterisk / "cdr-csv" / "Master.csv", self._files)
        self._own = {
            name: _DailyCsv(self.out_dir, folder, prefix, header, self._files)
            for name, (folder, prefix, header) in OWN_STREAMS.items()
        }
        # Each stream's file set and row builder, bound once: the record methods below
        # run for every record, so they avoid looking the stream up by name each time.
        own = self._own
        self._agent_states = own["agent_states"]
        self._recordings = own["recordings"]
        self._outbound_attempts = own["outbound_attempts"]
        self._orders = own["orders"]
        self._order_events = own["order_events"]
        self._truth = own["truth"]
        self._contacts = own["contacts"]
        self._surveys = own["surveys"]
        self._survey_truth = own["survey_truth"]
        self._deferred_backlog = own["deferred_backlog"]
        self._n_agent_quality = 0
        self._n_agent_directory = 0
        self._day: _dt.date | None = None
        self._n_qlog = 0
        self._n_cdr = 0
        #: Master.csv rows cdr_csv would have refused (longer than its 1024-byte buffer).
        self.cdr_dropped = 0
        self._closed = False

    # -- Asterisk files --------------------------------------------------------------------

    def queue_log(self, ev: QueueLogEvent) -> None:
        """Append one ``queue_log`` line (integer epoch, ``|``-joined, trailing pipe kept)."""
        f = self._qlog.f or self._qlog.ensure_open()
        time_s, call_id, queue, agent, event, data = ev
        line = f"{int(time_s // 1)}|{call_id}|{queue}|{agent}|{event}|{'|'.join(data)}\n"
        f.write(line)
        self._qlog.written += len(line)
        self._n_qlog += 1

    def cdr(self, row: CdrRecord) -> None:
        """Append one ``Master.csv`` row, in arrival order (Asterisk writes at hangup)."""
        line = master_csv_line(row, self.cdr_layout, self.clock)
        if len(line) > CDR_MAX_LINE_BYTES // 4 and len(line.encode()) > CDR_MAX_LINE_BYTES:
            self.cdr_dropped += 1
            return
        f = self._master.f or self._master.ensure_open()
        f.write(line + "\n")
        self._master.written += len(line) + 1
        self._n_cdr += 1

    # -- own exports -----------------------------------------------------------------------

    def agent_state(self, ev: AgentStateEvent) -> None:
        self._agent_states.write_row(*_agent_state_row(ev, self.clock))

    def recording(self, rec: RecordingMeta) -> None:
        self._recordings.write_row(*_recording_row(rec, self.clock))

    def outbound_attempt(self, a: OutboundAttempt) -> None:
        self._outbound_attempts.write_row(*_outbound_row(a, self.clock))

    def order(self, o: Order) -> None:
        self._orders.write_row(*_order_row(o, self.clock))

    def order_event(self, e: OrderEvent) -> None:
        self._order_events.write_row(*_order_event_row(e, self.clock))

    def truth(self, c: CallTruth) -> None:
        self._truth.write_row(*_truth_row(c, self.clock))

    def contact(self, c: Contact) -> None:
        self._contacts.write_row(*_contact_row(c, self.clock))

    def survey(self, s: SurveyResponse) -> None:
        self._surveys.write_row(*_survey_row(s, self.clock))

    def survey_truth(self, s: SurveyTruth) -> None:
        self._survey_truth.write_row(*_survey_truth_row(s, self.clock))

    def deferred_backlog(self, b: BacklogHour) -> None:
        self._deferred_backlog.write_row(*_backlog_row(b, self.clock))

    def agent_quality(self, rows: list[AgentQuality]) -> None:
        """Write ``truth/agent_quality.csv`` (one file per run, agents in id order)."""
        path = self.out_dir / "truth" / "agent_quality.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(",".join(AGENT_QUALITY_COLUMNS) + CSV_EOL)
            for r in rows:
                f.write(
                    csv_row([r.agent_id, r.group, f"{r.quality:.6f}", f"{r.handle_factor:.6f}"])
                )
        self._n_agent_quality = len(rows)

    def agent_directory(
        self, snapshot: _dt.date, rows: list[tuple[str, str, dict[str, int], tuple[str, ...]]]
    ) -> None:
        """Write ``agents/agent_directory_YYYYMMDD.csv``: (agent_id, team, skills -> level,
        deferred channels) per agent, as of ``snapshot``."""
        path = self.out_dir / "agents" / f"agent_directory_{snapshot:%Y%m%d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(",".join(AGENT_DIRECTORY_COLUMNS) + CSV_EOL)
            for agent_id, team, skills, deferred in rows:
                levels = ";".join(f"{skill}:{level}" for skill, level in skills.items())
                f.write(
                    csv_row([f"{snapshot:%Y-%m-%d}", agent_id, team, levels, ";".join(deferred)])
                )
        self._n_agent_directory = len(rows)

    # -- days, flushing --------------------------------------------------------------------

    def start_day(self, local_date: _dt.date) -> None:
        """Begin local day ``local_date``: rotate the Asterisk files (except on the first
        call) and open the day's own CSVs (header written), closing files of days before
        yesterday (a late record for an older day reopens its file in append mode)."""
        if self._day is None:
            self._qlog.ensure_open()
            self._master.ensure_open()
            if self.append:
                # Continuing an earlier run: its last day is still in the current files,
                # and logrotate would have moved it away at this midnight.
                self._qlog.rotate(local_date)
                self._master.rotate(local_date)
        elif local_date != self._day:
            self._qlog.rotate(local_date)
            self._master.rotate(local_date)
        self._day = local_date
        day = day_number(local_date)
        for out in self._own.values():
            out.close_before(day - 1)
            out.handle(day)
        if self.live:
            self.flush()

    def flush(self) -> None:
        """Live mode: push everything written so far to the files. No-op otherwise."""
        if not self.live:
            return
        self._qlog.flush()
        self._master.flush()
        for out in self._own.values():
            out.flush()

    def close(self) -> None:
        """Flush and close every file (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._qlog.close()
        self._master.close()
        for out in self._own.values():
            out.close()

    def file_counts(self) -> dict[str, int]:
        """Records written per stream (data rows; headers not counted)."""
        counts = {"queue_log": self._n_qlog, "cdr": self._n_cdr}
        for name, out in self._own.items():
            counts[name] = out.count
        counts["agent_quality"] = self._n_agent_quality
        counts["agent_directory"] = self._n_agent_directory
        return counts

    def __enter__(self) -> LandingWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# -- reading back --------------------------------------------------------------------------


def read_open_contacts(out_dir: Path) -> list[Contact]:
    """The deferred contacts an earlier run left open in ``out_dir`` (``simulate --append``).

    Reads every ``contacts/contacts_YYYYMMDD.csv``, oldest file first; a contact listed
    more than once keeps its row from the latest file (a run that continued the folder
    lists it again where it closed, or open again at its own end). Returns the contacts
    whose latest row is ``open``, in export order; ``listed_s`` is 0 (not known).
    """
    latest: dict[str, dict[str, str]] = {}
    for path in sorted((Path(out_dir) / "contacts").glob("contacts_*.csv")):
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                latest.pop(row["contact_id"], None)  # re-insert: export order of the latest
                latest[row["contact_id"]] = row

    def instant(text: str) -> float | None:
        return _dt.datetime.fromisoformat(text).timestamp() if text else None

    return [
        Contact(
            row["contact_id"],
            row["channel"],
            row["queue"],
            row["customer_id"],
            instant(row["created_time"]) or 0.0,
            instant(row["response_due_time"]) or 0.0,
            instant(row["first_assigned_time"]),
            instant(row["first_response_time"]),
            None,
            row["agent_id"],
            "open",
            int(row["attempts"] or 0),
            float(row["handle_s"] or 0.0),
            row["call_id"],
            0.0,
        )
        for row in latest.values()
        if row["outcome"] == "open"
    ]
