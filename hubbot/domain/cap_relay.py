"""What becomes of an official alert (CAP): which hubs it concerns, who there hears it, in
which lane, what the text says, and what it supersedes or cancels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from hubbot.domain.alert_rules import DEFAULT_RULES, AlertRule, Audience
from hubbot.domain.cap import CapAlert, CapInfo, expired, info_for, is_heartbeat
from hubbot.domain.fanout import text_room
from hubbot.domain.geo import info_applies
from hubbot.domain.messages import Priority


class Outcome(StrEnum):
    """What `hubbot alerts` says became of a document."""

    RELAYED = "relayed"  # sent to at least one hub
    RECEIVED = "received"  # valid and current, but concerns no hub (or no rule sends it)
    APPLIED = "applied"  # a Cancel, or an Update's references, acted on
    SUPERSEDED = "superseded"  # an Update replaced it
    CANCELLED = "cancelled"  # a Cancel withdrew it
    DROPPED = "dropped"  # unreadable, invalid, expired, or a status nobody takes


@dataclass(frozen=True)
class HubPlace:
    """A hub as an alert sees it: where it is, its playbook's rules, and whether it trains."""

    hub_id: int
    code: str
    lat: float | None
    lon: float | None
    sgc: str | None
    exercise: bool
    rules: tuple[AlertRule, ...] = DEFAULT_RULES


@dataclass(frozen=True)
class Target:
    hub_id: int
    audience: Audience
    roles: tuple[str, ...]
    lane: Priority


@dataclass(frozen=True)
class Decision:
    outcome: Outcome
    reason: str = ""
    targets: tuple[Target, ...] = ()
    supersedes: tuple[int, ...] = ()  # earlier alerts (their ids) this Update replaces
    cancels: tuple[int, ...] = ()  # earlier alerts this Cancel withdraws: their readers are told
    store: bool = True  # False: a heartbeat or a copy of one already stored


@dataclass(frozen=True)
class Earlier:
    """An alert already stored, as a later document's references find it."""

    alert_id: int
    outcome: Outcome


@dataclass(frozen=True)
class Known:
    """What the store knows that a decision needs: documents already seen (by key), and the
    earlier alerts the new one's references name."""

    seen: bool
    referenced: Mapping[tuple[str, str, str], Earlier] = field(default_factory=dict)


def lane_for(info: CapInfo, rule: AlertRule) -> Priority:
    """Urgent goes in the ALERT lane: urgent, to many, ahead of replies and bulk, behind one
    person's life-safety message."""
    urgent = rule.urgent
    if urgent is None:
        urgent = info.severity in ("Extreme", "Severe") and info.urgency == "Immediate"
    return Priority.ALERT if urgent else Priority.NORMAL


def decide(alert: CapAlert, known: Known, hubs: Sequence[HubPlace], now: datetime) -> Decision:
    """The fate of one valid document, given what came before it."""
    if is_heartbeat(alert):
        return Decision(Outcome.RECEIVED, "heartbeat", store=False)
    if known.seen:
        return Decision(Outcome.RECEIVED, "already received", store=False)
    earlier = [known.referenced[ref.key] for ref in alert.references if ref.key in known.referenced]
    live = tuple(e.alert_id for e in earlier if e.outcome is not Outcome.CANCELLED)
    if alert.msg_type == "Cancel":
        if not live:
            return Decision(Outcome.RECEIVED, "cancels nothing relayed here")
        return Decision(Outcome.APPLIED, f"cancels {_ids(live)}", cancels=live)
    if alert.msg_type not in ("Alert", "Update"):
        return Decision(Outcome.DROPPED, f"message type {alert.msg_type} is not relayed")
    supersedes = live if alert.msg_type == "Update" else ()
    if expired(alert, now):
        return Decision(Outcome.DROPPED, "expired before it arrived", supersedes=supersedes)
    targets, why_not = _targets(alert, hubs)
    if not targets:
        return Decision(Outcome.RECEIVED, why_not, supersedes=supersedes)
    codes = ", ".join(h.code for h in hubs if any(t.hub_id == h.hub_id for t in targets))
    return Decision(Outcome.RELAYED, f"to {codes}", targets=targets, supersedes=supersedes)


def _targets(alert: CapAlert, hubs: Sequence[HubPlace]) -> tuple[tuple[Target, ...], str]:
    """Each hub in the alert's area whose playbook has a rule for it; else why none."""
    placed = [h for h in hubs if h.sgc or (h.lat is not None and h.lon is not None)]
    if not placed:
        return (), "no hub has a location (hubbot hub set CODE --lat --lon or --sgc)"
    inside = [h for h in placed if any(info_applies(i, h.lat, h.lon, h.sgc) for i in alert.infos)]
    if not inside:
        return (), "no hub in its area"
    if not alert.is_actual:
        inside = [h for h in inside if h.exercise]
        if not inside:
            return (), f"status {alert.status}: relayed only to hubs in exercise mode; none is"
    info = alert.infos[0]
    targets = []
    for hub in inside:
        rule = next((r for r in hub.rules if r.matches(info)), None)
        if rule is not None:
            targets.append(Target(hub.hub_id, rule.audience, rule.roles, lane_for(info, rule)))
    if not targets:
        return (), f"severity {info.severity}, urgency {info.urgency}: no playbook rule sends it"
    return tuple(targets), ""


def _ids(ids: Sequence[int]) -> str:
    return ", ".join(f"A{i}" for i in ids)


def sms_text(alert: CapAlert, language: str) -> str:
    """The alert as an SMS carries it, in `language` (the other if it has none): the headline,
    the start of the instruction (or description), and its source, within a broadcast's 3
    segments with room for the frame. The whole text is full_text's."""
    info = info_for(alert, language)
    if info is None:
        return ""
    head = _clean(info.headline or info.event)
    source = f"Source: {_clean(info.sender_name or alert.sender)}"
    body = _clean(info.instruction or info.description)
    text = _join(head, body, source)
    if _fits(text):
        return text
    # Cut the body at a word, then mark the cut; the headline and source always stay.
    words = body.split()
    while words:
        words.pop()
        text = _join(head, " ".join(words) + "...", source)
        if _fits(text):
            return text
    return _join(head, "", source)


def full_text(alert: CapAlert, language: str) -> str:
    """Everything a reader needs, for the console and Telegram: headline, area, description,
    instruction, source."""
    info = info_for(alert, language)
    if info is None:
        return ""
    areas = "; ".join(a.description for a in info.areas if a.description)
    parts = [info.headline or info.event, areas, info.description, info.instruction]
    parts.append(f"Source: {info.sender_name or alert.sender}")
    return "\n\n".join(_clean(p) for p in parts if p and p.strip())


def _fits(text: str) -> bool:
    """Whether the text fits a broadcast's segments with its frame (fanout.text_room)."""
    length, room = text_room(text)
    return length <= room


def _join(head: str, body: str, source: str) -> str:
    return " ".join(p for p in (_end(head), body, source) if p)


def _end(text: str) -> str:
    return text if not text or text[-1] in ".!?:" else text + "."


def _clean(text: str) -> str:
    return " ".join(text.split())
