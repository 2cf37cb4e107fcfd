"""The pure core of dashboard access control: role tables, actions, masking, validation."""

from __future__ import annotations

import pytest

from dashboards.auth import (
    ACTIONS,
    PAGES,
    ROLES,
    AuthError,
    User,
    allowed_pages,
    can,
    check_name,
    check_password,
    check_role,
    check_user_id,
    mask_number,
)

# The contract, written out by hand (not derived from the module).
EXPECTED_PAGES = {
    "admin": {
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
    },
    "manager": {
        *("overview", "queues", "agents", "ivr", "orders", "settlement", "risk"),
        *("channels", "satisfaction"),
    },
    "planner": {"overview", "queues", "channels", "forecast", "coverage", "roster", "adherence"},
    "qa": {
        *("overview", "qa_evaluate", "qa_scores", "qa_calibration", "qa_disputes"),
        *("agents", "satisfaction"),
    },
    "analyst": {"overview", "queues", "agents", "ivr", "sql"},
}
EXPECTED_ACTIONS = {
    "generate_roster": {"planner", "admin"},
    "evaluate": {"qa", "admin"},
    "view_all_worklists": {"admin"},
    "resolve_disputes": {"qa", "admin"},
    "edit_risk": {"manager", "admin"},
    "manage_users": {"admin"},
    "see_numbers": {"manager", "qa", "admin"},
}


def test_the_roles_are_the_contracts():
    assert ROLES == ("manager", "planner", "qa", "analyst", "admin")


def test_each_role_opens_exactly_its_pages():
    for role in ROLES:
        pages = allowed_pages(role)
        assert isinstance(pages, frozenset)
        assert pages == EXPECTED_PAGES[role], role
    assert set(PAGES) == EXPECTED_PAGES["admin"]


def test_an_unknown_role_opens_nothing():
    assert allowed_pages("root") == frozenset()
    assert allowed_pages("") == frozenset()


def test_each_action_is_allowed_to_exactly_its_roles():
    assert set(ACTIONS) == set(EXPECTED_ACTIONS)
    for action, roles in EXPECTED_ACTIONS.items():
        for role in ROLES:
            assert can(role, action) is (role in roles), (role, action)


def test_unknown_actions_and_roles_are_refused():
    assert not can("admin", "delete_everything")
    assert not can("root", "see_numbers")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("13800138000", "138******00"),
        ("+8613800138000", "+861********00"),
        ("021-5555", "021***55"),
        ("123456", "123*56"),
        ("12345", "*****"),
        ("+12345", "+*****"),
        ("100", "***"),
        ("", ""),
        (None, None),
    ],
)
def test_numbers_are_masked_for_roles_that_may_not_see_them(number, expected):
    assert mask_number(number, "analyst") == expected
    assert mask_number(number, "planner") == expected


@pytest.mark.parametrize("role", ["manager", "qa", "admin"])
def test_roles_that_may_see_numbers_get_them_unchanged(role):
    assert mask_number("13800138000", role) == "13800138000"
    assert mask_number("+8613800138000", role) == "+8613800138000"
    assert mask_number(None, role) is None


def test_an_unknown_role_gets_masked_numbers():
    assert mask_number("13800138000", "nobody") == "138******00"


@pytest.mark.parametrize("user_id", ["ab", "alice", "a.b-c_1", "x" * 32, "007"])
def test_good_user_ids_pass(user_id):
    assert check_user_id(user_id) == user_id


@pytest.mark.parametrize("user_id", ["a", "x" * 33, "Alice", "al ice", "al@ice", "", "élise"])
def test_bad_user_ids_are_refused(user_id):
    with pytest.raises(AuthError, match="invalid user id"):
        check_user_id(user_id)


def test_roles_names_and_passwords_are_checked():
    assert check_role("qa") == "qa"
    with pytest.raises(AuthError, match="unknown role 'boss'"):
        check_role("boss")
    assert check_name("  Alice Wu ") == "Alice Wu"
    with pytest.raises(AuthError, match="must not be empty"):
        check_name("   ")
    with pytest.raises(AuthError, match="longer than 100"):
        check_name("x" * 101)
    with pytest.raises(AuthError, match="control characters"):
        check_name("Alice\nWu")
    assert check_password("8 chars!") == "8 chars!"
    with pytest.raises(AuthError, match="at least 8 characters") as info:
        check_password("seven77")
    assert "seven77" not in str(info.value)


def test_auth_error_is_a_value_error_and_users_are_frozen():
    assert issubclass(AuthError, ValueError)
    user = User("alice", "Alice", "qa", True)
    with pytest.raises(AttributeError):
        user.role = "admin"  # type: ignore[misc]
