"""Console accounts: stored with an argon2 hash, managed from the command line, and logged in
with a lockout after 5 failures that never tells whether a user name exists."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher, extract_parameters

from hubbot import passwords
from hubbot.cli.main import main
from hubbot.passwords import check_password, hash_password
from hubbot.security import hash_pin
from hubbot.service import console_auth
from hubbot.service.console_auth import Refusal, authenticate
from hubbot.settings import Settings
from hubbot.store import accounts, hubs
from hubbot.store.accounts import Account
from hubbot.store.db import Database
from tests.conftest import ROOT

NOW = datetime(2026, 12, 2, 14, 0, tzinfo=UTC)
PASSWORD = "correct horse battery"
HOME, AWAY = "203.0.113.5", "198.51.100.7"


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "hub.db")
    try:
        yield database
    finally:
        await database.close()


async def add_hub(db: Database, code: str = "PLATEAU") -> int:
    async with db.transaction() as conn:
        return await hubs.create(conn, code, code.title(), hash_pin("2468"), "fr", None, "x", NOW)


async def add_account(
    db: Database, name: str = "marie", role: str = "coordinator", hub_id: int | None = None
) -> Account:
    async with db.transaction() as conn:
        return await accounts.create(conn, name, hash_password(PASSWORD), role, hub_id, NOW)


async def activity(db: Database) -> list[tuple[str, str, str]]:
    rows = await db.fetchall("SELECT role, action, detail FROM activity_log ORDER BY id")
    return [(str(r["role"]), str(r["action"]), str(r["detail"])) for r in rows]


# The store and the hash


async def test_an_account_is_found_by_name_with_its_role_and_hub(db: Database) -> None:
    plateau = await add_hub(db)
    await add_account(db, "luc", "lead", plateau)
    async with db.transaction() as conn:
        found = await accounts.by_username(conn, "luc")
        missing = await accounts.by_username(conn, "nobody")
    assert found is not None and (found.role, found.hub_code) == ("lead", "PLATEAU")
    assert missing is None


async def test_the_password_is_stored_as_an_argon2id_hash_never_as_itself(db: Database) -> None:
    account = await add_account(db)
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert PASSWORD not in repr(account) and "argon2" not in repr(account)


async def test_a_lead_account_needs_a_hub_and_a_coordinator_account_has_none(
    db: Database,
) -> None:
    plateau = await add_hub(db)
    with pytest.raises(Exception, match="CHECK constraint"):
        await add_account(db, "luc", "lead", None)
    with pytest.raises(Exception, match="CHECK constraint"):
        await add_account(db, "marie", "coordinator", plateau)


def test_the_right_password_matches_and_a_wrong_one_does_not() -> None:
    stored = hash_password(PASSWORD)
    assert check_password(stored, PASSWORD).ok
    assert not check_password(stored, PASSWORD + "!").ok
    assert not check_password("not a hash", PASSWORD).ok


async def test_a_hash_made_with_weaker_parameters_is_replaced_at_the_next_login(
    db: Database,
) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    async with db.transaction() as conn:
        account = await accounts.create(conn, "marie", weak, "coordinator", None, NOW)
    assert isinstance(await authenticate(db, "marie", PASSWORD, HOME, NOW), Account)
    async with db.transaction() as conn:
        again = await accounts.by_username(conn, "marie")
    assert again is not None and again.password_hash != weak
    assert not PasswordHasher().check_needs_rehash(again.password_hash)
    assert again.password_changed_at == account.password_changed_at  # sessions stay


# Logging in


async def test_the_right_password_logs_in_and_the_login_is_in_the_activity_log(
    db: Database,
) -> None:
    await add_account(db)
    got = await authenticate(db, "Marie ", PASSWORD, HOME, NOW)
    assert isinstance(got, Account) and got.username == "marie"
    assert await activity(db) == [("console", "console_login", "marie (coordinator)")]


async def test_a_wrong_password_and_an_unknown_name_get_the_same_refusal(db: Database) -> None:
    await add_account(db)
    assert await authenticate(db, "marie", "wrong password!", HOME, NOW) == Refusal("invalid")
    assert await authenticate(db, "nobody", "wrong password!", HOME, NOW) == Refusal("invalid")
    assert await authenticate(db, "", "", HOME, NOW) == Refusal("invalid")


async def test_an_unknown_name_costs_a_password_check_all_the_same(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    wasted: list[str] = []
    monkeypatch.setattr(console_auth, "waste_like_a_check", wasted.append)
    await authenticate(db, "nobody", "a guess", HOME, NOW)
    assert wasted == ["a guess"]


async def test_five_wrong_passwords_lock_that_name_from_that_client_even_with_the_right_one(
    db: Database,
) -> None:
    await add_account(db)
    answers = [
        await authenticate(db, "marie", f"guess {n}", HOME, NOW + timedelta(minutes=n))
        for n in range(5)
    ]
    assert answers[:4] == [Refusal("invalid")] * 4
    unlocked_at = NOW + timedelta(minutes=15)
    assert answers[4] == Refusal("locked", unlocked_at)
    assert await authenticate(db, "marie", PASSWORD, HOME, NOW + timedelta(minutes=5)) == (
        Refusal("locked", unlocked_at)
    )
    assert await activity(db) == [("console", "console_locked", f"marie (coordinator) from {HOME}")]


async def test_four_wrong_passwords_do_not_lock_and_a_good_login_clears_them(
    db: Database,
) -> None:
    await add_account(db)
    for n in range(4):
        await authenticate(db, "marie", f"guess {n}", HOME, NOW)
    assert isinstance(await authenticate(db, "marie", PASSWORD, HOME, NOW), Account)
    for n in range(4):  # counted afresh: four more are still not five
        assert await authenticate(db, "marie", f"again {n}", HOME, NOW) == Refusal("invalid")


async def test_a_locked_name_still_logs_in_from_another_client_address(db: Database) -> None:
    await add_account(db)
    for n in range(5):
        await authenticate(db, "marie", f"guess {n}", HOME, NOW)
    assert isinstance(await authenticate(db, "marie", PASSWORD, AWAY, NOW), Account)


async def test_the_lock_lifts_fifteen_minutes_after_the_fifth_failure(db: Database) -> None:
    await add_account(db)
    for n in range(5):
        await authenticate(db, "marie", f"guess {n}", HOME, NOW)
    later = NOW + timedelta(minutes=15)
    assert isinstance(await authenticate(db, "marie", PASSWORD, HOME, later), Account)


async def test_an_unknown_name_is_locked_alike_and_never_written_to_the_log(
    db: Database,
) -> None:
    answers = [await authenticate(db, "hunter2hunter2", "x", HOME, NOW) for _ in range(5)]
    assert answers[-1] == Refusal("locked", NOW + timedelta(minutes=15))
    log = await activity(db)
    assert log == [("console", "console_locked", f"an unknown user name from {HOME}")]


# The command line: hubbot user add|list|remove|set-password


@pytest.fixture
def console(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HUBBOT_DATABASE", str(tmp_path / "hub.db"))
    monkeypatch.setenv("HUBBOT_PLAYBOOKS_DIR", str(ROOT / "playbooks"))
    assert main(["hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468"]) == 0
    return tmp_path / "hub.db"


async def hubbot(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    """Run the command line with `stdin` as its standard input (in a thread: it runs its own
    event loop), and what it printed."""
    capsys.readouterr()
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = await asyncio.to_thread(main, list(args))
    said = capsys.readouterr()
    return code, said.out, said.err


async def stored(path: Path, name: str) -> Account | None:
    database = await Database.open(path)
    try:
        async with database.transaction() as conn:
            return await accounts.by_username(conn, name)
    finally:
        await database.close()


async def test_user_add_and_list_show_name_role_and_hub_but_never_a_hash(
    console: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = await hubbot(capsys, monkeypatch, "user", "list")
    assert code == 0 and out.startswith("No console accounts yet.")
    code, out, _ = await hubbot(
        capsys,
        monkeypatch,
        "user",
        "add",
        "Marie",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert (code, out) == (
        0,
        "User marie added: a coordinator, who sees every hub in the console.\n",
    )
    code, out, _ = await hubbot(
        capsys, monkeypatch,
        "user", "add", "luc", "--role", "lead", "--hub", "plateau", "--password-stdin",
        stdin=PASSWORD,
    )  # fmt: skip
    assert out == "User luc added: a lead, who sees hub PLATEAU only in the console.\n"
    code, out, _ = await hubbot(capsys, monkeypatch, "user", "list")
    assert [line.split() for line in out.splitlines()] == [
        ["luc", "lead", "PLATEAU"],
        ["marie", "coordinator", "-"],
    ]
    assert "argon2" not in out and PASSWORD not in out
    account = await stored(console, "marie")
    assert account is not None and check_password(account.password_hash, PASSWORD).ok


@pytest.mark.parametrize(
    ("args", "stdin", "says"),
    [
        (["--role", "lead"], PASSWORD, "a lead account needs --hub CODE"),
        (["--role", "coordinator", "--hub", "PLATEAU"], PASSWORD, "a coordinator sees every hub"),
        (["--role", "lead", "--hub", "NOWHERE"], PASSWORD, "no hub NOWHERE"),
        (["--role", "coordinator"], "\n", "the password is empty"),
        (["--role", "coordinator"], "short pass\n", "at least 12 characters"),
        (["--role", "coordinator"], "line one is long\nline two\n", "must be one line"),
    ],
    ids=["lead-without-hub", "coordinator-with-hub", "unknown-hub", "empty", "short", "two-lines"],
)
async def test_a_refused_user_add_says_why_in_one_line_and_adds_nobody(
    console: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    stdin: str,
    says: str,
) -> None:
    code, out, err = await hubbot(
        capsys, monkeypatch, "user", "add", "marie", *args, "--password-stdin", stdin=stdin
    )
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: ") and says in err
    assert await stored(console, "marie") is None


async def test_user_add_without_password_stdin_or_twice_is_refused_in_one_line(
    console: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add = ("user", "add", "marie", "--role", "coordinator")
    code, _, err = await hubbot(capsys, monkeypatch, *add, stdin=PASSWORD)
    assert code == 1 and err.count("\n") == 1 and "--password-stdin" in err
    assert (await hubbot(capsys, monkeypatch, *add, "--password-stdin", stdin=PASSWORD))[0] == 0
    code, _, err = await hubbot(capsys, monkeypatch, *add, "--password-stdin", stdin=PASSWORD)
    assert (code, err) == (
        1,
        "error: there is already a user marie; see `hubbot user list`, or"
        " `hubbot user set-password`\n",
    )


async def test_set_password_replaces_the_old_one_and_remove_ends_the_account(
    console: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    new = "a brand new passphrase"
    add = ("user", "add", "luc", "--role", "lead", "--hub", "PLATEAU", "--password-stdin")
    assert (await hubbot(capsys, monkeypatch, *add, stdin=PASSWORD))[0] == 0
    code, out, _ = await hubbot(
        capsys, monkeypatch, "user", "set-password", "luc", "--password-stdin", stdin=new
    )
    assert (code, out) == (0, "User luc has a new password; the old one no longer works.\n")
    database = await Database.open(console)
    try:
        assert await authenticate(database, "luc", PASSWORD, HOME, NOW) == Refusal("invalid")
        assert isinstance(await authenticate(database, "luc", new, HOME, NOW), Account)
    finally:
        await database.close()
    code, out, _ = await hubbot(capsys, monkeypatch, "user", "remove", "luc")
    assert (code, out) == (0, "User luc removed: they can no longer log in to the console.\n")
    assert await stored(console, "luc") is None
    code, _, err = await hubbot(capsys, monkeypatch, "user", "remove", "luc")
    assert (code, err) == (1, "error: no user luc; see `hubbot user list`\n")
    code, _, err = await hubbot(
        capsys, monkeypatch, "user", "set-password", "luc", "--password-stdin", stdin=new
    )
    assert (code, err) == (1, "error: no user luc; see `hubbot user list`\n")


async def test_every_account_change_is_in_the_activity_log_by_operator_without_a_password(
    console: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    add = ("user", "add", "luc", "--role", "lead", "--hub", "PLATEAU", "--password-stdin")
    await hubbot(capsys, monkeypatch, *add, stdin=PASSWORD)
    await hubbot(
        capsys, monkeypatch, "user", "set-password", "luc", "--password-stdin", stdin=PASSWORD
    )
    await hubbot(capsys, monkeypatch, "user", "remove", "luc")
    code, out, _ = await hubbot(capsys, monkeypatch, "log", "--hub", "PLATEAU", "--since", "1h")
    assert code == 0
    changes = [
        line.split("  ")[1:] for line in out.splitlines() if "account" in line or "pass" in line
    ]
    assert changes == [
        ["operator", "account_added", "luc (lead)"],
        ["operator", "password_changed", "luc (lead)"],
        ["operator", "account_removed", "luc (lead)"],
    ]
    assert PASSWORD not in out


# The setting


def test_a_console_session_lasts_twelve_hours_unless_hubbot_session_ttl_says_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings(_env_file=None).session_lifetime == timedelta(hours=12)  # type: ignore[call-arg]
    monkeypatch.setenv("HUBBOT_SESSION_TTL", "30m")
    assert Settings(_env_file=None).session_lifetime == timedelta(minutes=30)  # type: ignore[call-arg]
    monkeypatch.setenv("HUBBOT_SESSION_TTL", "forever")
    with pytest.raises(ValueError, match="session_ttl"):
        Settings(_env_file=None)  # type: ignore[call-arg]


def test_the_check_spent_on_an_unknown_name_costs_what_a_real_one_does() -> None:
    assert extract_parameters(passwords._dummy_hash()) == extract_parameters(
        hash_password(PASSWORD)
    )
