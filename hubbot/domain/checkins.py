"""Check-in rounds: who is asked, what silence leads to, and the summary at the end."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hubbot.domain.ask_state import CLOSED, AskState
from hubbot.domain.messages import Button, Joined, Msg, Param
from hubbot.domain.models import Hub, member_label
from hubbot.domain.playbook import Checkin

HELP_WORDS = frozenset({"2", "aide", "help", "sos"})


@dataclass(frozen=True)
class Ask:
    id: int
    person_id: int | None
    role: str
    state: AskState  # the moves between states: domain/ask_state.py
    answer: str | None = None


@dataclass(frozen=True)
class OpenRound:
    """A round still under way at a hub: which check-in, and every ask it made so far."""

    id: int
    checkin: str
    asks: tuple[Ask, ...]


@dataclass(frozen=True)
class Move:
    """An open ask the roster no longer matches: its person left the role, or a role that
    nobody held has a holder now. The ask is closed; `to` are asked in its place.

    `vacant`: nobody holds the role now, so the ask becomes unfilled (the lead is told).
    `prompt`: those of `to` who are not already waiting on this round, so get the prompt.
    """

    ask_id: int
    role: str
    to: tuple[int, ...]
    vacant: bool = False
    prompt: tuple[int, ...] = ()


def who_to_ask(hub: Hub, checkin: Checkin) -> list[tuple[int | None, str]]:
    """Each holder of each role; a role with nobody is listed once with no person."""
    asks: list[tuple[int | None, str]] = []
    for role in checkin.roles:
        holders = hub.holders(role)
        asks.extend((pid, role) for pid in holders) if holders else asks.append((None, role))
    return asks


def follow_roster(asks: Sequence[Ask], roster: Mapping[str, tuple[int, ...]]) -> list[Move]:
    """What one round's open asks become under the roster as it is now.

    A waiting ask whose person no longer holds its role moves to the role's holders; with
    nobody holding it, it becomes unfilled (once per role: a second such ask just closes). An
    unfilled ask whose role has holders now moves to them. Nobody is asked twice for a role.
    """
    # A person counts as asked for the role in this round while their ask stands, answered or not.
    asked = {(a.person_id, a.role) for a in asks if a.state not in CLOSED}
    waiting = {a.person_id for a in asks if a.state == AskState.WAITING}
    vacant = {a.role for a in asks if a.state == AskState.UNFILLED}
    moves: list[Move] = []
    for ask in asks:
        holders = roster.get(ask.role, ())
        if ask.state == AskState.WAITING:
            if ask.person_id in holders:
                continue
        elif ask.state != AskState.UNFILLED or not holders:
            continue  # answered asks stay as they were; an unfilled role still is
        to = tuple(pid for pid in holders if (pid, ask.role) not in asked)
        asked.update((pid, ask.role) for pid in to)
        prompt = tuple(pid for pid in to if pid not in waiting)
        waiting.update(to)
        becomes_vacant = not holders and ask.role not in vacant
        if becomes_vacant:
            vacant.add(ask.role)
        moves.append(Move(ask.id, ask.role, to, becomes_vacant, prompt))
    return moves


def prompt(checkin: Checkin, hub: Hub, again: bool = False) -> tuple[Msg, tuple[Button, ...]]:
    buttons = (Button(Msg("button.checkin_ok"), "OK"), Button(Msg("button.checkin_help"), "2"))
    key = "checkin.again" if again else checkin.prompt
    return Msg(key, {"hub": hub.code}), buttons


def step_action(checkin: Checkin, step: int) -> str | None:
    """What the `step`-th silent window leads to: repeat, lead, coordinators; None: it is over."""
    return checkin.escalate[step] if step < len(checkin.escalate) else None


def classify_answer(text: str) -> str:
    """'2', 'help' and the like need help; any other answer means fine (its text is kept
    as the person's status by the caller)."""
    word = text.strip().lower().rstrip(".!")
    if word in HELP_WORDS:
        return "help"
    return "ok"


def summary(hub: Hub, checkin: Checkin, asks: Sequence[Ask], labels: Mapping[int, str]) -> Msg:
    """Who answered OK, who needs help, who stayed silent, which roles nobody holds."""

    def names(*states: AskState) -> Param:
        found = [
            labels.get(a.person_id, member_label(a.person_id))
            for a in asks
            if a.state in states and a.person_id is not None
        ]
        return Joined(tuple(found)) if found else "-"

    vacant = dict.fromkeys(a.role for a in asks if a.state == AskState.UNFILLED)
    unfilled: list[Param] = [role.name if (role := hub.playbook.role(r)) else r for r in vacant]
    return Msg(
        "checkin.summary",
        {
            "hub": hub.code,
            "round": checkin.title,
            "ok": names(AskState.OK),
            "help": names(AskState.HELP, AskState.UNCLEAR),  # unclear is never OK: the lead looks
            "silent": names(AskState.SILENT),
            "unfilled": Joined(tuple(unfilled)) if unfilled else "-",
        },
    )
