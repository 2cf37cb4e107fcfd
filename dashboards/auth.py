"""Access control for the dashboards: users, roles, Argon2id passwords, masked numbers.

Pure core (no I/O): the role tables (``ROLES``, ``allowed_pages``, ``can``), caller-number
masking (``mask_number``) and input validation (``check_user_id``, ``check_role``,
``check_name``, ``check_password``). Edges (DuckDB): the users in the operational store
(default ``data/operational.duckdb``), table ``app_users``.

The table is declared here (``USERS_DDL``), on purpose *not* in ``warehouse/ops/``: every
warehouse build copies the tables declared there into the published warehouse, which every
dashboard, notebook and job reads, and password hashes must not travel there. Every store
function runs ``USERS_DDL`` first (``create table if not exists``), so the table appears
on first use. Each change is one transaction through ``warehouse.connect.read_write``:
an error rolls it back whole. Reads go through ``read_only`` when the store exists.

Passwords are hashed with Argon2id (``argon2.PasswordHasher``, library defaults); a plain
password is never stored or logged. ``PASSWORD_HASHER`` is the module-level hasher: tests
replace it with a cheap one, e.g. ``PasswordHasher(time_cost=1, memory_cost=8,
parallelism=1)``; a login whose stored hash was made with other parameters than the
current hasher's is rehashed (``check_needs_rehash``).
"""

from __future__ import annotations

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from warehouse.connect import is_lock_error, read_only, read_write

log = logging.getLogger(__name__)

DEFAULT_OPS_DB = Path("data/operational.duckdb")
USERS_TABLE = "app_users"
USERS_DDL = """
create table if not exists app_users (
    user_id varchar primary key,
    name varchar not null,
    role varchar not null,
    password_hash varchar not null,
    active boolean not null default true,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    last_login_at timestamptz
);
"""

# The hasher every hash and verification uses. Replace it (tests) with a cheaper one;
# hashes made with other parameters still verify and are upgraded on the next login.
PASSWORD_HASHER: PasswordHasher = PasswordHasher()

ROLES: tuple[str, ...] = ("manager", "planner", "qa", "analyst", "admin")
PAGES: tuple[str, ...] = (
    "overview",
    "queues",
    "agents",
    "ivr",
    "orders",
    "settlement",
    "risk",
    "channels",
    "satisfaction",
    "forecast",
    "coverage",
    "roster",
    "adherence",
    "qa_evaluate",
    "qa_scores",
    "qa_calibration",
    "qa_disputes",
    "sql",
)
_ROLE_PAGES: dict[str, frozenset[str]] = {
    "admin": frozenset(PAGES),
    "manager": frozenset(
        {
            "overview",
            "queues",
            "agents",
            "ivr",
            "orders",
            "settlement",
            "risk",
            "channels",
            "satisfaction",
        }
    ),
    "planner": frozenset(
        {"overview", "queues", "channels", "forecast", "coverage", "roster", "adherence"}
    ),
    "qa": frozenset(
        {
            "overview",
            "qa_evaluate",
            "qa_scores",
            "qa_calibration",
            "qa_disputes",
            "agents",
            "satisfaction",
        }
    ),
    "analyst": frozenset({"overview", "queues", "agents", "ivr", "sql"}),
}
ACTIONS: dict[str, frozenset[str]] = {
    "generate_roster": frozenset({"planner", "admin"}),
    "evaluate": frozenset({"qa", "admin"}),
    # see any evaluator's work list (the QA to-do page), not only one's own
    "view_all_worklists": frozenset({"admin"}),
    # close an agent's open dispute (upheld / overturned): an overturned evaluation stops
    # counting in scorecards, so it is an action of its own, not part of "evaluate"
    "resolve_disputes": frozenset({"qa", "admin"}),
    "edit_risk": frozenset({"manager", "admin"}),
    "manage_users": frozenset({"admin"}),
    "see_numbers": frozenset({"manager", "qa", "admin"}),
}

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 100
_USER_ID = re.compile(r"[a-z0-9_.-]{2,32}")


class AuthError(ValueError):
    """A refused user change: bad input, duplicate or unknown user. Nothing was written."""


@dataclass(frozen=True)
class User:
    user_id: str
    name: str
    role: str
    active: bool


# --- pure core --------------------------------------------------------------------------


def allowed_pages(role: str) -> frozenset[str]:
    """The page ids ``role`` may open; an unknown role may open none."""
    return _ROLE_PAGES.get(role, frozenset())


def can(role: str, action: str) -> bool:
    """Whether ``role`` may do ``action`` (one of ``ACTIONS``); unknown role or action: no."""
    return role in ACTIONS.get(action, frozenset())


def mask_number(number: str | None, role: str) -> str | None:
    """A caller's number as ``role`` may see it.

    Roles that may ``see_numbers`` get it unchanged. Others see the first 3 and last 2
    characters, the rest as ``*`` (``13800138000`` -> ``138******00``), a leading ``+`` kept
    outside the count (``+8613800138000`` -> ``+861********00``); a number of 5 characters
    or fewer (after the ``+``) is masked whole. ``None`` stays ``None``.
    """
    if number is None or can(role, "see_numbers"):
        return number
    prefix, body = ("+", number[1:]) if number.startswith("+") else ("", number)
    if len(body) <= 5:
        return prefix + "*" * len(body)
    return prefix + body[:3] + "*" * (len(body) - 5) + body[-2:]


def check_user_id(user_id: str) -> str:
    """``user_id`` if it is 2-32 of ``a-z 0-9 _ . -``, else ``AuthError``."""
    if not isinstance(user_id, str) or not _USER_ID.fullmatch(user_id):
        raise AuthError(
            f"invalid user id {user_id!r}: use 2-32 characters of a-z, 0-9, '_', '.', '-'"
        )
    return user_id


def check_role(role: str) -> str:
    """``role`` if it is one of ``ROLES``, else ``AuthError``."""
    if role not in ROLES:
        raise AuthError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return role


def check_name(name: str) -> str:
    """The display name, stripped: 1-100 printable characters, else ``AuthError``."""
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned:
        raise AuthError("the name must not be empty")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise AuthError(f"the name is longer than {MAX_NAME_LENGTH} characters")
    if not cleaned.isprintable():
        raise AuthError("the name contains control characters")
    return cleaned


def check_password(password: str) -> str:
    """``password`` if it has at least 8 characters, else ``AuthError`` (never echoing it)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    return password


# --- hashing -----------------------------------------------------------------------------

_dummy: tuple[PasswordHasher, str] | None = None


def _dummy_hash() -> str:
    """A hash of a random password under the current hasher, for unknown users' logins."""
    global _dummy
    if _dummy is None or _dummy[0] is not PASSWORD_HASHER:
        _dummy = (PASSWORD_HASHER, PASSWORD_HASHER.hash(secrets.token_urlsafe(16)))
    return _dummy[1]


def _verify(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- the store ---------------------------------------------------------------------------

_COLUMNS = "user_id, name, role, active"


def _now() -> datetime:
    return datetime.now(UTC)


def _create(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(USERS_DDL)


def _has_table(con: duckdb.DuckDBPyConnection) -> bool:
    count = con.execute(
        "select count(*) from duckdb_tables() "
        "where database_name = current_database() and schema_name = 'main' "
        "and table_name = ?",
        [USERS_TABLE],
    ).fetchall()[0][0]
    return bool(count)


def _user(row: tuple[Any, ...]) -> User:
    return User(user_id=row[0], name=row[1], role=row[2], active=bool(row[3]))


def _read(ops_db: str | Path, sql: str, parameters: list[Any] | None = None) -> list[tuple]:
    """Rows of ``sql`` over ``app_users``; none when the store or the table is missing."""
    if not Path(ops_db).is_file():
        return []
    with read_only(ops_db) as con:
        if not _has_table(con):
            return []
        return con.execute(sql, parameters).fetchall()


def _write(ops_db: str | Path, change: Any) -> Any:
    """Run ``change(con)`` in one transaction on the store (table created first)."""
    with read_write(ops_db) as con:
        _create(con)
        con.execute("begin transaction")
        try:
            result = change(con)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
    return result


def get_user(ops_db: str | Path, user_id: str) -> User | None:
    """The user ``user_id`` (active or not), or ``None``."""
    rows = _read(ops_db, f"select {_COLUMNS} from app_users where user_id = ?", [user_id])
    return _user(rows[0]) if rows else None


def list_users(ops_db: str | Path) -> list[User]:
    """Every user, by user id; empty when the store has none yet."""
    return [_user(row) for row in _read(ops_db, f"select {_COLUMNS} from app_users order by 1")]


def user_rows(ops_db: str | Path) -> list[dict[str, Any]]:
    """Every user with its timestamps (aware, UTC; no password hash), by user id: listings."""
    rows = _read(
        ops_db,
        f"select {_COLUMNS}, timezone('UTC', created_at), timezone('UTC', updated_at), "
        "timezone('UTC', last_login_at) from app_users order by 1",
    )
    keys = ("user_id", "name", "role", "active", "created_at", "updated_at", "last_login_at")
    return [
        dict(zip(keys, [*row[:4], *(_utc(value) for value in row[4:])], strict=True))
        for row in rows
    ]


def _utc(value: datetime | None) -> datetime | None:
    """A naive UTC timestamp from DuckDB as an aware one (fetching timestamptz needs pytz)."""
    return None if value is None else value.replace(tzinfo=UTC)


def _insert(con: duckdb.DuckDBPyConnection, user: User, password: str) -> None:
    now = _now()
    con.execute(
        "insert into app_users (user_id, name, role, password_hash, active, created_at, "
        "updated_at, last_login_at) values (?, ?, ?, ?, ?, ?, ?, null)",
        [user.user_id, user.name, user.role, PASSWORD_HASHER.hash(password), True, now, now],
    )


def _exists(con: duckdb.DuckDBPyConnection, user_id: str) -> bool:
    rows = con.execute("select 1 from app_users where user_id = ?", [user_id]).fetchall()
    return bool(rows)


def add_user(ops_db: str | Path, user_id: str, name: str, role: str, password: str) -> User:
    """Add an active user; ``AuthError`` for bad input or an existing user id."""
    user = User(check_user_id(user_id), check_name(name), check_role(role), True)
    check_password(password)

    def change(con: duckdb.DuckDBPyConnection) -> None:
        if _exists(con, user.user_id):
            raise AuthError(f"user {user.user_id} already exists")
        _insert(con, user, password)

    _write(ops_db, change)
    log.info("added user %s (%s)", user.user_id, user.role)
    return user


def _update(ops_db: str | Path, user_id: str, assignments: str, values: list[Any]) -> None:
    def change(con: duckdb.DuckDBPyConnection) -> None:
        if not _exists(con, user_id):
            raise AuthError(f"unknown user {user_id}")
        con.execute(
            f"update app_users set {assignments}, updated_at = ? where user_id = ?",
            [*values, _now(), user_id],
        )

    _write(ops_db, change)


def disable_user(ops_db: str | Path, user_id: str) -> None:
    """Disable ``user_id`` (it can no longer log in); ``AuthError`` for an unknown user."""
    _update(ops_db, user_id, "active = ?", [False])
    log.info("disabled user %s", user_id)


def enable_user(ops_db: str | Path, user_id: str) -> None:
    """Enable a disabled ``user_id`` again; ``AuthError`` for an unknown user."""
    _update(ops_db, user_id, "active = ?", [True])
    log.info("enabled user %s", user_id)


def set_password(ops_db: str | Path, user_id: str, password: str) -> None:
    """Set a new password for ``user_id``; ``AuthError`` for a short one or an unknown user."""
    check_password(password)
    _update(ops_db, user_id, "password_hash = ?", [PASSWORD_HASHER.hash(password)])
    log.info("set the password of user %s", user_id)


def authenticate(ops_db: str | Path, user_id: str, password: str) -> User | None:
    """The active user whose id and password match, else ``None``.

    ``user_id`` is compared after stripping spaces and lower-casing. An unknown user is
    verified against a dummy hash, so it costs about as long as a wrong password. On
    success ``last_login_at`` is set, and the hash is remade when the hasher's parameters
    changed since it was made; if the store is locked for that write, the login still
    succeeds (logged as a warning).
    """
    user_id = user_id.strip().lower() if isinstance(user_id, str) else ""
    password = password if isinstance(password, str) else ""
    rows = _read(
        ops_db, f"select {_COLUMNS}, password_hash from app_users where user_id = ?", [user_id]
    )
    if not rows:
        _verify(_dummy_hash(), password)
        return None
    user, password_hash = _user(rows[0]), rows[0][4]
    if not _verify(password_hash, password) or not user.active:
        return None
    assignments, values = "last_login_at = ?", [_now()]
    try:
        needs_rehash = PASSWORD_HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        needs_rehash = True
    if needs_rehash:
        assignments += ", password_hash = ?"
        values.append(PASSWORD_HASHER.hash(password))
    try:
        with read_write(ops_db) as con:
            con.execute(f"update app_users set {assignments} where user_id = ?", [*values, user_id])
    except duckdb.Error as exc:
        if not is_lock_error(exc):
            raise
        log.warning("user %s logged in, but the store was locked for recording it", user_id)
    return user


def demo_users(ops_db: str | Path) -> list[tuple[str, str, str | None]]:
    """One user per role (user id = role name), with generated passwords.

    Returns ``(user_id, role, password)`` per role, in ``ROLES`` order; a user that already
    exists is left alone and returned with its stored role and password ``None``.
    """

    def change(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None]]:
        made: list[tuple[str, str, str | None]] = []
        for role in ROLES:
            rows = con.execute("select role from app_users where user_id = ?", [role]).fetchall()
            if rows:
                made.append((role, rows[0][0], None))
                continue
            password = secrets.token_urlsafe(12)
            _insert(con, User(role, f"Demo {role}", role, True), password)
            made.append((role, role, password))
        return made

    return _write(ops_db, change)
