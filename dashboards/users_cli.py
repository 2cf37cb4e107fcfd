"""``callcenter users``: the dashboards' users (add, list, disable, enable, passwd).

Users live in the operational store (``--ops-db``, default ``data/operational.duckdb``),
table ``app_users`` (see ``dashboards.auth``). Passwords are read from a hidden prompt
(asked twice) or, with ``--password-stdin``, from the first line of standard input; they
are never echoed, and ``users list`` never prints a hash.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import duckdb

from callcenter_cli import UserError, emit, user_errors
from dashboards import auth

_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON document.")
_OPS_DB = click.option(
    "--ops-db",
    type=click.Path(dir_okay=False, path_type=Path),
    default=auth.DEFAULT_OPS_DB,
    show_default=True,
    help="The operational store (DuckDB) holding the users.",
)
_PASSWORD_STDIN = click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of a prompt.",
)


@contextlib.contextmanager
def _store(ops_db: Path) -> Iterator[None]:
    """DuckDB's errors on the store (a lock held too long, a damaged file) as one line."""
    try:
        yield
    except duckdb.Error as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"operational store {ops_db}: {first_line}") from None


def _password(from_stdin: bool) -> str:
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise UserError("no password on standard input")
        return auth.check_password(line)
    password: str = click.prompt(
        "Password", hide_input=True, confirmation_prompt=True, err=True, prompt_suffix=": "
    )
    return auth.check_password(password)


@click.group()
def users() -> None:
    """The dashboards' users and their roles.

    \b
    roles: manager, planner, qa, analyst, admin (see 'callcenter users roles')
    """


@users.command("add")
@click.argument("user_id")
@click.option("--name", required=True, help="The display name.")
@click.option("--role", required=True, help=f"One of {', '.join(auth.ROLES)}.")
@_PASSWORD_STDIN
@_OPS_DB
@_JSON
@user_errors
def add_command(
    user_id: str, name: str, role: str, password_stdin: bool, ops_db: Path, as_json: bool
) -> None:
    """Add a user with a role and a password (8+ characters).

    USER_ID is 2-32 characters of a-z, 0-9, '_', '.' and '-'.
    """
    auth.check_user_id(user_id)
    auth.check_name(name)
    auth.check_role(role)
    password = _password(password_stdin)
    with _store(ops_db):
        user = auth.add_user(ops_db, user_id, name, role, password)
    result = {"user_id": user.user_id, "name": user.name, "role": user.role, "added": True}
    emit(result, as_json, lambda r: f"added user {r['user_id']} ({r['name']}), role {r['role']}")


def _list_human(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no users (add one with 'callcenter users add')"
    header = ("user_id", "name", "role", "active", "last login (UTC)")
    lines = [
        (
            row["user_id"],
            row["name"],
            row["role"],
            "yes" if row["active"] else "no",
            row["last_login_at"].strftime("%Y-%m-%d %H:%M") if row["last_login_at"] else "-",
        )
        for row in rows
    ]
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *lines, strict=True)]
    return "\n".join(
        "  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in (header, *lines)
    )


@users.command("list")
@_OPS_DB
@_JSON
@user_errors
def list_command(ops_db: Path, as_json: bool) -> None:
    """List the users: id, name, role, active, last login (never a password hash)."""
    with _store(ops_db):
        rows = auth.user_rows(ops_db)
    if as_json:
        for row in rows:
            for key in ("created_at", "updated_at", "last_login_at"):
                row[key] = row[key].isoformat(timespec="seconds") if row[key] else None
        emit({"users": rows}, True, str)
    else:
        emit(rows, False, _list_human)


@users.command("disable")
@click.argument("user_id")
@_OPS_DB
@_JSON
@user_errors
def disable_command(user_id: str, ops_db: Path, as_json: bool) -> None:
    """Disable USER_ID: it can no longer log in (its records stay)."""
    with _store(ops_db):
        auth.disable_user(ops_db, user_id)
    emit({"user_id": user_id, "active": False}, as_json, lambda r: f"disabled user {user_id}")


@users.command("enable")
@click.argument("user_id")
@_OPS_DB
@_JSON
@user_errors
def enable_command(user_id: str, ops_db: Path, as_json: bool) -> None:
    """Enable a disabled USER_ID again."""
    with _store(ops_db):
        auth.enable_user(ops_db, user_id)
    emit({"user_id": user_id, "active": True}, as_json, lambda r: f"enabled user {user_id}")


@users.command("passwd")
@click.argument("user_id")
@_PASSWORD_STDIN
@_OPS_DB
@_JSON
@user_errors
def passwd_command(user_id: str, password_stdin: bool, ops_db: Path, as_json: bool) -> None:
    """Set a new password for USER_ID (8+ characters)."""
    with _store(ops_db):
        if auth.get_user(ops_db, user_id) is None:
            raise UserError(f"unknown user {user_id}")
    password = _password(password_stdin)
    with _store(ops_db):
        auth.set_password(ops_db, user_id, password)
    emit(
        {"user_id": user_id, "password_set": True},
        as_json,
        lambda r: f"set the password of user {user_id}",
    )


@users.command("roles")
@_JSON
def roles_command(as_json: bool) -> None:
    """Print each role's pages and actions."""
    result = {
        role: {
            "pages": [page for page in auth.PAGES if page in auth.allowed_pages(role)],
            "actions": [action for action in auth.ACTIONS if auth.can(role, action)],
        }
        for role in auth.ROLES
    }

    def human(r: dict[str, Any]) -> str:
        return "\n".join(
            f"{role}: pages {', '.join(v['pages'])}; actions {', '.join(v['actions']) or '-'}"
            for role, v in r.items()
        )

    emit(result, as_json, human)
