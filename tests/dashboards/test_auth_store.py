"""Users in the operational store: add, list, disable, passwords, login, rehash, demo users.

Argon2 with the library's default parameters costs 50-100 ms a hash; the fixture below
swaps the module's ``PASSWORD_HASHER`` for a cheap one (1 pass, 8 KiB), which is how tests
that hash many passwords stay fast.
"""

from __future__ import annotations

import duckdb
import pytest
from argon2 import PasswordHasher

from dashboards import auth
from dashboards.auth import (
    AuthError,
    User,
    add_user,
    authenticate,
    demo_users,
    disable_user,
    enable_user,
    get_user,
    list_users,
    set_password,
    user_rows,
)
from warehouse.publish import ops_declarations, publish

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correct horse"


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch):
    monkeypatch.setattr(auth, "PASSWORD_HASHER", CHEAP)


@pytest.fixture
def ops(tmp_path):
    return tmp_path / "operational.duckdb"


def stored_hash(ops, user_id: str) -> str:
    with duckdb.connect(str(ops), read_only=True) as con:
        return con.execute(
            "select password_hash from app_users where user_id = ?", [user_id]
        ).fetchone()[0]


def row_count(ops) -> int:
    with duckdb.connect(str(ops), read_only=True) as con:
        return con.execute("select count(*) from app_users").fetchone()[0]


def test_a_user_logs_in_with_the_right_password_only(ops):
    alice = add_user(ops, "alice", "Alice Wu", "manager", PASSWORD)
    assert alice == User("alice", "Alice Wu", "manager", True)
    assert authenticate(ops, "alice", PASSWORD) == alice
    assert authenticate(ops, " Alice ", PASSWORD) == alice
    assert authenticate(ops, "alice", "wrong password") is None
    assert authenticate(ops, "alice", "") is None
    assert authenticate(ops, "bob", PASSWORD) is None


def test_the_password_is_stored_as_an_argon2id_hash_only(ops):
    add_user(ops, "alice", "Alice Wu", "manager", PASSWORD)
    password_hash = stored_hash(ops, "alice")
    assert password_hash.startswith("$argon2id$")
    with duckdb.connect(str(ops), read_only=True) as con:
        rows = con.execute("select columns(*)::varchar from app_users").fetchall()
    assert not any(PASSWORD in str(cell) for row in rows for cell in row)


def test_a_login_records_its_time(ops):
    add_user(ops, "alice", "Alice Wu", "manager", PASSWORD)
    assert user_rows(ops)[0]["last_login_at"] is None
    authenticate(ops, "alice", PASSWORD)
    (row,) = user_rows(ops)
    assert row["last_login_at"] is not None and row["last_login_at"].tzinfo is not None
    assert "password_hash" not in row


def test_a_disabled_user_cannot_log_in_until_enabled(ops):
    add_user(ops, "alice", "Alice Wu", "manager", PASSWORD)
    disable_user(ops, "alice")
    assert get_user(ops, "alice") == User("alice", "Alice Wu", "manager", False)
    assert authenticate(ops, "alice", PASSWORD) is None
    enable_user(ops, "alice")
    assert authenticate(ops, "alice", PASSWORD) is not None


def test_an_unknown_user_is_verified_against_a_dummy_hash(ops, monkeypatch):
    add_user(ops, "alice", "Alice Wu", "manager", PASSWORD)
    calls = []

    class Spy(PasswordHasher):
        def verify(self, hash, password):  # type: ignore[override]
            calls.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(auth, "PASSWORD_HASHER", Spy(time_cost=1, memory_cost=8, parallelism=1))
    assert authenticate(ops, "nobody", PASSWORD) is None
    assert authenticate(ops.with_name("missing.duckdb"), "alice", PASSWORD) is None
    assert len(calls) == 2 and all(h.startswith("$argon2id$") for h in calls)
    assert stored_hash(ops, "alice") not in calls


def test_a_hash_made_with_other_parameters_is_remade_on_login(ops, monkeypatch):
    add_user(ops, "alice", "Alice Wu", "manager", PASSWORD)
    old = stored_hash(ops, "alice")
    authenticate(ops, "alice", PASSWORD)
    assert stored_hash(ops, "alice") == old  # same parameters: left alone
    stronger = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    monkeypatch.setattr(auth, "PASSWORD_HASHER", stronger)
    assert authenticate(ops, "alice", "wrong password") is None
    assert stored_hash(ops, "alice") == old  # a failed login changes nothing
    assert authenticate(ops, "alice", PASSWORD) is not None
    new = stored_hash(ops, "alice")
    assert new != old and "m=16,t=2,p=1" in new
    assert not stronger.check_needs_rehash(new)
    assert authenticate(ops, "alice", PASSWORD) is not None


def test_set_password_replaces_the_old_one(ops):
    add_user(ops, "alice", "Alice Wu", "manager", PASSWORD)
    set_password(ops, "alice", "a new passphrase")
    assert authenticate(ops, "alice", PASSWORD) is None
    assert authenticate(ops, "alice", "a new passphrase") is not None


def test_list_users_in_id_order(ops):
    assert list_users(ops) == []  # no store yet
    add_user(ops, "zoe", "Zoe", "qa", PASSWORD)
    add_user(ops, "adam", "Adam", "admin", PASSWORD)
    assert [u.user_id for u in list_users(ops)] == ["adam", "zoe"]
    assert get_user(ops, "nobody") is None


def test_a_store_without_the_users_table_has_no_users(ops):
    with duckdb.connect(str(ops)) as con:
        con.execute("create table qa_evaluations (x integer)")
    assert list_users(ops) == []
    assert authenticate(ops, "alice", PASSWORD) is None


def test_refused_changes_write_nothing(ops):
    with pytest.raises(AuthError, match="unknown role"):
        add_user(ops, "alice", "Alice", "boss", PASSWORD)
    with pytest.raises(AuthError, match="invalid user id"):
        add_user(ops, "A", "Alice", "qa", PASSWORD)
    with pytest.raises(AuthError, match="at least 8"):
        add_user(ops, "alice", "Alice", "qa", "short")
    with pytest.raises(AuthError, match="must not be empty"):
        add_user(ops, "alice", " ", "qa", PASSWORD)
    assert not ops.exists()
    add_user(ops, "alice", "Alice", "qa", PASSWORD)
    old = stored_hash(ops, "alice")
    with pytest.raises(AuthError, match="user alice already exists"):
        add_user(ops, "alice", "Other", "admin", "another password")
    with pytest.raises(AuthError, match="unknown user bob"):
        disable_user(ops, "bob")
    with pytest.raises(AuthError, match="unknown user bob"):
        set_password(ops, "bob", PASSWORD)
    with pytest.raises(AuthError, match="at least 8"):
        set_password(ops, "alice", "short")
    assert row_count(ops) == 1
    assert get_user(ops, "alice") == User("alice", "Alice", "qa", True)
    assert stored_hash(ops, "alice") == old


def test_demo_users_one_per_role_and_idempotent(ops):
    add_user(ops, "qa", "Quality lead", "admin", PASSWORD)
    first = demo_users(ops)
    assert [(user_id, role) for user_id, role, _ in first] == [
        ("manager", "manager"),
        ("planner", "planner"),
        ("qa", "admin"),  # existed already: left alone, its own role
        ("analyst", "analyst"),
        ("admin", "admin"),
    ]
    assert first[2][2] is None
    for user_id, role, password in first:
        if password is not None:
            assert len(password) >= 8
            assert authenticate(ops, user_id, password) == User(user_id, f"Demo {role}", role, True)
    assert authenticate(ops, "qa", PASSWORD) is not None
    again = demo_users(ops)
    assert all(password is None for _, _, password in again)
    assert row_count(ops) == 5


def test_the_users_table_never_reaches_the_published_warehouse(tmp_path, ops):
    """The build copies only tables declared in warehouse/ops/; app_users is not one."""
    for path in ops_declarations():
        assert "app_users" not in path.read_text(encoding="utf-8"), path
    add_user(ops, "alice", "Alice Wu", "admin", PASSWORD)
    ingest = tmp_path / "ingest.duckdb"
    duckdb.connect(str(ingest)).close()  # no raw tables: every source builds empty
    warehouse = tmp_path / "warehouse.duckdb"
    publish(warehouse, ingest, ops_db=ops)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = {
            row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        text = con.execute(
            "select count(*) from duckdb_columns() where column_name like '%password%'"
        ).fetchone()[0]
    assert tables and "app_users" not in tables
    assert text == 0
    assert authenticate(ops, "alice", PASSWORD) is not None  # the store itself is untouched
