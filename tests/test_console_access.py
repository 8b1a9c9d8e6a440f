"""Who sees which hub in the console, and when wrong passwords lock a login (pure rules)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hubbot.domain.console_access import (
    Access,
    locked,
    locked_until,
    may_see,
    password_problem,
    username_problem,
    visible_hubs,
)

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
PLATEAU, VERDUN, LACHINE = 1, 2, 3


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


# Scope


def test_a_coordinator_sees_every_hub() -> None:
    coordinator = Access("coordinator")
    assert visible_hubs(coordinator, [PLATEAU, VERDUN, LACHINE]) == [PLATEAU, VERDUN, LACHINE]


def test_a_lead_sees_their_own_hub_only() -> None:
    lead = Access("lead", PLATEAU)
    assert may_see(lead, PLATEAU)
    assert not may_see(lead, VERDUN)
    assert visible_hubs(lead, [PLATEAU, VERDUN, LACHINE]) == [PLATEAU]


def test_a_lead_without_a_hub_sees_nothing() -> None:
    assert visible_hubs(Access("lead", None), [PLATEAU, VERDUN]) == []


def test_an_unknown_role_sees_nothing_as_if_no_hub_existed() -> None:
    for role in ("admin", "Coordinator", "", "operator"):
        assert visible_hubs(Access(role, PLATEAU), [PLATEAU, VERDUN]) == []


# Lockout: 5 failed logins in 15 minutes lock the (user, client) pair


def test_five_failures_within_fifteen_minutes_lock_the_login() -> None:
    assert locked(minutes_ago(14, 10, 5, 1, 0), NOW)


def test_four_failures_do_not_lock_the_login() -> None:
    assert not locked(minutes_ago(4, 3, 2, 1), NOW)


def test_failures_older_than_fifteen_minutes_no_longer_count() -> None:
    assert not locked(minutes_ago(20, 16, 15, 2, 1), NOW)
    assert not locked(minutes_ago(15, 15, 15, 15, 15), NOW)


def test_a_lock_lifts_fifteen_minutes_after_the_fifth_last_failure() -> None:
    failures = minutes_ago(12, 9, 6, 3, 0)
    assert locked_until(failures, NOW) == NOW + timedelta(minutes=3)
    assert locked(failures, NOW + timedelta(minutes=2, seconds=59))
    assert not locked(failures, NOW + timedelta(minutes=3))
    assert locked_until(failures, NOW + timedelta(minutes=3)) is None


def test_failures_after_now_are_not_counted() -> None:
    future = [NOW + timedelta(minutes=1)] * 5
    assert not locked(future, NOW)


def test_another_client_address_is_not_locked() -> None:
    """The lock is per pair: the store counts the failures of one (user, client) pair only,
    so a client with no failures of its own is judged on none."""
    by_client = {"203.0.113.5": minutes_ago(5, 4, 3, 2, 1), "198.51.100.7": []}
    assert locked(by_client["203.0.113.5"], NOW)
    assert not locked(by_client["198.51.100.7"], NOW)


# Names and passwords an account may have


def test_a_password_shorter_than_twelve_characters_is_refused_and_twelve_will_do() -> None:
    assert password_problem("") == "the password is empty: give it on standard input"
    assert password_problem("x" * 11) == ("the password is too short: use at least 12 characters")
    assert password_problem("x" * 12) is None


def test_a_user_name_is_letters_digits_dots_dashes_and_underscores() -> None:
    assert username_problem("marie.tremblay") is None
    assert username_problem("Lead_Plateau-2") is None
    for bad in ("", "marie tremblay", "-marie", "é" * 3, "m" * 65):
        assert username_problem(bad) is not None
