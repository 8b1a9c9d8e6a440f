"""The rule in one place: cut-off holders count as absent, and the lead hears of it once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hubbot.domain.context import Context
from hubbot.domain.effects import NoteCutOff, Outcome
from hubbot.domain.facts import RosterFacts
from hubbot.domain.messages import Msg
from hubbot.domain.models import Hub, HubStatus, Person
from hubbot.domain.playbook import Playbook
from hubbot.domain.reach import recipients, staff_for

NOW = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
LEAD, HELPER, COMMS, MEMBER, COORD = 1, 2, 4, 3, 9


def _context(
    playbook: Playbook, cut_off: dict[int, str], told: frozenset[tuple[int, str]] = frozenset()
) -> Context:
    hub = Hub(
        1, "PLATEAU", "Plateau", "fr", HubStatus.ACTIVE, playbook,
        roster={"lead": (LEAD,), "needs_offers": (HELPER,), "communications": (COMMS,)},
        members=frozenset({LEAD, HELPER, COMMS, MEMBER}),
    )  # fmt: skip
    return Context(
        now=NOW,
        sender=Person(MEMBER, "fr"),
        hub=hub,
        coordinators=(Person(COORD, "en", is_coordinator=True),),
        facts={RosterFacts: RosterFacts({HELPER: "M2 Ana"}, cut_off, told)},
    )


def _hub(ctx: Context) -> Hub:
    assert ctx.hub is not None
    return ctx.hub


def _role_name(ctx: Context, role_id: str) -> object:
    role = _hub(ctx).playbook.role(role_id)
    assert role is not None
    return role.name


def _notices(out: Outcome) -> list[tuple[int, str, str]]:
    """(to whom, about whom, why) for each cut-off notice sent."""
    found = []
    for message in out.messages:
        if message.msg.key == "reach.cut_off":
            why = message.msg.params["why"]
            assert isinstance(why, Msg)
            found.append((message.person_id, str(message.msg.params["person"]), why.key))
    return found


def test_a_reachable_holder_gets_the_role_and_nobody_is_told_anything(
    playbooks: dict[str, Playbook],
) -> None:
    ctx, out = _context(playbooks["community-hub"], {}), Outcome()
    name, ids = recipients(ctx, _hub(ctx), "needs_offers", out)
    assert ids == (HELPER,) and name == _role_name(ctx, "needs_offers")
    assert out.messages == [] and out.effects == []


def test_an_opted_out_holder_passes_the_role_to_the_lead_who_is_told_why(
    playbooks: dict[str, Playbook],
) -> None:
    ctx, out = _context(playbooks["community-hub"], {HELPER: "opted_out"}), Outcome()
    name, ids = recipients(ctx, _hub(ctx), "needs_offers", out)
    assert ids == (LEAD,) and name == _role_name(ctx, "lead")
    assert _notices(out) == [(LEAD, "M2 Ana", "reach.opted_out")]
    assert out.effects == [NoteCutOff(1, HELPER, "needs_offers")]


def test_a_lead_already_told_is_not_told_again(playbooks: dict[str, Playbook]) -> None:
    told = frozenset({(HELPER, "needs_offers")})
    ctx, out = _context(playbooks["community-hub"], {HELPER: "opted_out"}, told), Outcome()
    recipients(ctx, _hub(ctx), "needs_offers", out)
    assert out.messages == [] and out.effects == []


def test_with_the_lead_cut_off_too_the_coordinators_get_it_and_hear_of_both(
    playbooks: dict[str, Playbook],
) -> None:
    cut = {HELPER: "unreachable", LEAD: "opted_out"}
    ctx, out = _context(playbooks["community-hub"], cut), Outcome()
    name, ids = recipients(ctx, _hub(ctx), "needs_offers", out)
    assert ids == (COORD,) and name == Msg("who.coordinators")
    assert _notices(out) == [
        (COORD, "M2 Ana", "reach.unreachable"),
        (COORD, "M1", "reach.opted_out"),
    ]


def test_alerts_go_to_whoever_of_the_roles_is_reachable_and_report_each_holder_once(
    playbooks: dict[str, Playbook],
) -> None:
    ctx, out = _context(playbooks["community-hub"], {COMMS: "opted_out"}), Outcome()
    assert staff_for(ctx, _hub(ctx), ("lead", "communications"), out) == (LEAD,)
    assert staff_for(ctx, _hub(ctx), ("lead", "communications"), out) == (LEAD,)
    assert _notices(out) == [(LEAD, "M4", "reach.opted_out")]


def test_alerts_fall_back_to_coordinators_who_have_not_opted_out(
    playbooks: dict[str, Playbook],
) -> None:
    ctx = _context(playbooks["community-hub"], {LEAD: "opted_out", COMMS: "unreachable"})
    gone = Person(10, "fr", is_coordinator=True, opted_out=True)
    ctx = replace(ctx, coordinators=(*ctx.coordinators, gone))
    out = Outcome()
    assert staff_for(ctx, _hub(ctx), ("lead", "communications"), out) == (COORD,)
    assert [to for to, _, _ in _notices(out)] == [COORD, COORD], "about the lead and comms"


def test_a_role_with_one_holder_still_reachable_is_not_vacant(
    playbooks: dict[str, Playbook],
) -> None:
    ctx = _context(playbooks["community-hub"], {HELPER: "opted_out"})
    hub = replace(_hub(ctx), roster={**_hub(ctx).roster, "needs_offers": (HELPER, 5)})
    out = Outcome()
    assert recipients(ctx, hub, "needs_offers", out)[1] == (5,)
    assert out.messages == [], "nothing to reassign while someone still takes the messages"
