"""Check-in rounds: who is asked, what silence leads to, and the summary at the end."""

from __future__ import annotations

from dataclasses import dataclass

from hubbot.domain.messages import Button, Joined, Msg, Param
from hubbot.domain.models import Hub, member_label
from hubbot.domain.playbook import Checkin

HELP_WORDS = frozenset({"2", "aide", "help", "sos"})


@dataclass(frozen=True)
class Ask:
    id: int
    person_id: int | None
    role: str
    state: str  # waiting | ok | help | silent | unfilled
    answer: str | None = None


def who_to_ask(hub: Hub, checkin: Checkin) -> list[tuple[int | None, str]]:
    """Each holder of each role; a role with nobody is listed once with no person."""
    asks: list[tuple[int | None, str]] = []
    for role in checkin.roles:
        holders = hub.holders(role)
        asks.extend((pid, role) for pid in holders) if holders else asks.append((None, role))
    return asks


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


def summary(hub: Hub, checkin: Checkin, asks: list[Ask], labels: dict[int, str]) -> Msg:
    """Who answered OK, who needs help, who stayed silent, which roles nobody holds."""

    def names(state: str) -> Param:
        found = [
            labels.get(a.person_id, member_label(a.person_id))
            for a in asks
            if a.state == state and a.person_id is not None
        ]
        return Joined(tuple(found)) if found else "-"

    unfilled = [a.role for a in asks if a.state == "unfilled"]
    return Msg(
        "checkin.summary",
        {
            "hub": hub.code,
            "round": checkin.id,
            "ok": names("ok"),
            "help": names("help"),
            "silent": names("silent"),
            "unfilled": Joined(tuple(unfilled)) if unfilled else "-",
        },
    )
