"""Each expectation of a scenario judged against what the run left: met or missed, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hubbot.domain.text import fold
from hubbot.exercises.records import Inbound, Item, Outbound, Run
from hubbot.exercises.schema import (
    CheckinAnswered,
    LifeSafetyAnswered,
    MessageReceived,
    NeedMatched,
    NeedsAcknowledged,
    RolesFilled,
    parse_offset,
    parse_span,
)


@dataclass(frozen=True)
class Verdict:
    title: str
    met: bool
    evidence: str


def stamp(run: Run, when: datetime | None) -> str:
    """A moment as simulated time since T+0: T+mm:ss, or T+h:mm:ss past the first hour."""
    if when is None:
        return "never"
    seconds = max(0, int((when - run.t0).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"T+{hours}:{minutes:02d}:{seconds:02d}" if hours else f"T+{minutes:02d}:{seconds:02d}"


def span(value: timedelta) -> str:
    """A duration as people read it: 45 s, 9 min 05 s, 2 h 30 min."""
    seconds = int(value.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def who(run: Run, address: str) -> str:
    if address in run.personas:
        return run.personas[address]
    return "a neighbour" if address in run.crowd else address.split(":", 1)[0]


def judge(run: Run) -> list[Verdict]:
    return [_judge(run, expectation.spec) for expectation in run.scenario.spec.expectations]


def _judge(run: Run, spec: object) -> Verdict:
    if isinstance(spec, RolesFilled):
        return _roles_filled(run, spec)
    if isinstance(spec, LifeSafetyAnswered):
        return _life_safety(run, spec)
    if isinstance(spec, NeedsAcknowledged):
        return _needs_acknowledged(run, spec)
    if isinstance(spec, NeedMatched):
        return _need_matched(run, spec)
    if isinstance(spec, CheckinAnswered):
        return _checkin_answered(run, spec)
    assert isinstance(spec, MessageReceived), f"no judge for {type(spec).__name__}"
    return _message_received(run, spec)


def first_holders(run: Run) -> dict[str, tuple[datetime, int]]:
    """Each role's first assignment: when, and to whom."""
    found: dict[str, tuple[datetime, int]] = {}
    for assignment in run.records.assignments:
        if assignment.role not in found:
            found[assignment.role] = (assignment.start, assignment.person_id)
    return found


def _roles_filled(run: Run, spec: RolesFilled) -> Verdict:
    roles = list(run.priority_roles) if spec.roles == "priority" else spec.roles
    title = f"roles filled within {spec.within} of the opening: {', '.join(roles)}"
    opened = run.records.opened
    if opened is None:
        return Verdict(title, False, "the hub never opened")
    limit = opened + parse_span(spec.within)
    filled = first_holders(run)
    late = [r for r in roles if r not in filled or filled[r][0] > limit]
    facts = [f"{r} {stamp(run, filled[r][0]) if r in filled else 'never'}" for r in roles]
    evidence = f"opened {stamp(run, opened)}; " + ", ".join(facts)
    return Verdict(
        title, not late, evidence + (f"; late or unfilled: {', '.join(late)}" if late else "")
    )


def reply_to(run: Run, message: Inbound, urgent: bool = False) -> Outbound | None:
    """The first message sent back to the sender because of `message`."""
    replies = [
        out
        for out in run.records.outbound
        if out.inbound_id == message.id
        and out.address == message.address
        and out.sent is not None
        and (out.priority == "urgent" or not urgent)
    ]
    return min(replies, key=lambda out: out.sent or out.created, default=None)


def _life_safety(run: Run, spec: LifeSafetyAnswered) -> Verdict:
    title = f"every life-safety message answered within {spec.within}"
    texts = [m for m in run.records.inbound if m.id in run.life_safety]
    if not texts:
        return Verdict(title, False, "no life-safety message was sent: nothing shows it")
    within, facts, ok = parse_span(spec.within), [], True
    for message in texts:
        reply = reply_to(run, message, urgent=True)
        if reply is None or reply.sent is None:
            ok = False
            facts.append(f"{who(run, message.address)} {stamp(run, message.at)}: no urgent reply")
            continue
        took = reply.sent - message.at
        ok = ok and took <= within
        facts.append(
            f"{who(run, message.address)} {stamp(run, message.at)}: answered in {span(took)}"
        )
    return Verdict(title, ok, "; ".join(facts))


def source_of(run: Run, item: Item) -> Inbound | None:
    """The text that put `item` on the board: its poster's last one by then."""
    addresses = run.records.addresses_of(item.person_id)
    texts = [m for m in run.records.inbound if m.address in addresses and m.at <= item.created]
    return texts[-1] if texts else None


def _needs_acknowledged(run: Run, spec: NeedsAcknowledged) -> Verdict:
    title = f"every need acknowledged within {spec.within}"
    needs = [item for item in run.records.items if item.kind == "need"]
    if not needs:
        return Verdict(title, False, "no need was posted: nothing shows it")
    within, facts, ok = parse_span(spec.within), [], True
    for item in needs:
        source = source_of(run, item)
        reply = reply_to(run, source) if source is not None else None
        if source is None or reply is None or reply.sent is None:
            ok = False
            facts.append(f"N{item.number}: not acknowledged")
            continue
        took = reply.sent - source.at
        ok = ok and took <= within
        facts.append(f"N{item.number} in {span(took)}")
    return Verdict(title, ok, ", ".join(facts))


def find_need(run: Run, wanted: str) -> Item | None:
    needs = [item for item in run.records.items if item.kind == "need"]
    address = next((a for a, p in run.personas.items() if p == wanted), None)
    if address is not None:
        person = run.records.person_of.get(address)
        return next((item for item in needs if item.person_id == person), None)
    words = fold(wanted)
    return next((item for item in needs if words in fold(item.text)), None)


def _need_matched(run: Run, spec: NeedMatched) -> Verdict:
    title = f"the need of {spec.need} matched within {spec.within}"
    item = find_need(run, spec.need)
    if item is None:
        return Verdict(title, False, f"no need from or about {spec.need!r} was posted")
    matched = run.records.matches.get(item.number)
    if matched is None:
        return Verdict(
            title, False, f"N{item.number} posted {stamp(run, item.created)}, never matched"
        )
    took = matched - item.created
    evidence = (
        f"N{item.number} posted {stamp(run, item.created)},"
        f" matched {stamp(run, matched)} ({span(took)})"
    )
    return Verdict(title, took <= parse_span(spec.within), evidence)


def _checkin_answered(run: Run, spec: CheckinAnswered) -> Verdict:
    label = "everyone" if spec.by == "everyone" else ", ".join(spec.by)
    title = f"check-ins answered by {label}"
    asks = [a for a in run.records.asks if a.kind == "checkin"]
    if spec.by != "everyone":
        people = {run.records.person_of.get(a) for a, p in run.personas.items() if p in spec.by}
        asks = [a for a in asks if a.person_id in people]
    if not asks:
        return Verdict(title, False, "no check-in was asked of them")
    silent = sorted({_person(run, a.person_id) for a in asks if a.answered is None})
    answered = sum(1 for a in asks if a.answered is not None)
    evidence = f"{answered} of {len(asks)} asks answered"
    return Verdict(
        title, not silent, evidence + (f"; silent: {', '.join(silent)}" if silent else "")
    )


def _person(run: Run, person_id: int) -> str:
    addresses = run.records.addresses_of(person_id)
    return next((run.personas[a] for a in addresses if a in run.personas), "a neighbour")


def _message_received(run: Run, spec: MessageReceived) -> Verdict:
    # A live run plays the scenario's times faster by its speed; `by` is one of those times.
    limit = run.t0 + parse_offset(spec.by) / (run.speed or 1) if spec.by else run.end
    title = f"{spec.to} received {spec.contains!r}" + (f" by {spec.by}" if spec.by else "")
    address = next(a for a, p in run.personas.items() if p == spec.to)
    words = fold(spec.contains)
    for out in run.records.outbound:
        if out.address == address and out.sent is not None and words in fold(out.text):
            return Verdict(title, out.sent <= limit, f"received {stamp(run, out.sent)}")
    return Verdict(title, False, "never received")
