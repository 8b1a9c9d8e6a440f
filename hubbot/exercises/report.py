"""The transcript and the after-action report of an exercise run, in Markdown."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from hubbot.domain.sms import segment_count
from hubbot.exercises.expectations import (
    Verdict,
    first_holders,
    judge,
    reply_to,
    source_of,
    span,
    stamp,
)
from hubbot.exercises.records import Inbound, Run

log = logging.getLogger(__name__)

# What one segment costs, in US dollars, for the cost lines of the report: an SMS segment about
# what Twilio lists for Canadian numbers (in or out) when this was written, a chat message
# nothing. An estimate for planning; the provider's invoice is the truth.
COST_PER_SEGMENT = {"sms": 0.0083, "telegram": 0.0, "console": 0.0}


@dataclass(frozen=True)
class Report:
    transcript: str
    after_action: str
    verdicts: list[Verdict]

    @property
    def passed(self) -> bool:
        return all(verdict.met for verdict in self.verdicts)

    def summary(self) -> str:
        met = sum(verdict.met for verdict in self.verdicts)
        lines = [
            f"{'met   ' if v.met else 'MISSED'} {v.title}: {v.evidence}" for v in self.verdicts
        ]
        return "\n".join([*lines, f"{met} of {len(self.verdicts)} expectations met"])


def build(run: Run) -> Report:
    verdicts = judge(run)
    return Report(transcript(run), after_action(run, verdicts), verdicts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\r", "").replace("\n", "<br>")


def _label(run: Run, address: str, when: datetime) -> str:
    """The persona, with the roles they hold at that moment; a neighbour; or, for someone
    outside the scenario (a real coordinator on a live run), their member number: a report is
    handed around, and a phone number is not its to show."""
    person = run.records.person_of.get(address)
    roles = run.records.roles_at(person, when) if person is not None else []
    outsider = f"M{person}" if person is not None else "someone outside the scenario"
    name = run.personas.get(address) or ("neighbour" if address in run.crowd else outsider)
    return f"{name} ({', '.join(roles)})" if roles else name


def _channel(address: str) -> str:
    return address.split(":", 1)[0]


def _segments(message: Inbound) -> int:
    """What a text in costs: its SMS segments; a chat message counts as one."""
    return segment_count(message.text) if _channel(message.address) == "sms" else 1


def transcript(run: Run) -> str:
    spec = run.scenario.spec
    rows: list[tuple[datetime, int, int, str]] = []
    for m in run.records.inbound:
        # Before the text was read: ACTIVATE shows who activated, not the lead they became.
        label = _label(run, m.address, m.at - timedelta(microseconds=1))
        text = f"| {stamp(run, m.at)} | in | {label} | {_channel(m.address)} | {_segments(m)}"
        rows.append((m.at, 0, m.id, f"{text} | {_cell(m.text)} |"))
    for out in run.records.outbound:
        when = out.sent or out.created
        state = "" if out.sent else f" ({out.status}, not sent)"
        rows.append(
            (
                when,
                1,
                out.id,
                f"| {stamp(run, when)} | out{state} |"
                f" {_label(run, out.address, when)} | {out.channel} | {out.segments}"
                f" | {_cell(out.text)} |",
            )
        )
    lines = [
        f"# Transcript: {spec.name}",
        "",
        f"Hub {run.hub_code or spec.hub.code}, T+0 = {run.t0.isoformat()}. Times are"
        f" {'real, since the start of the live run' if run.speed else 'simulated'} (T+mm:ss, or"
        " T+h:mm:ss past the first hour); an outgoing message is shown when it left. People are"
        " named by persona and the roles they held then; neighbours of a crowd inject as"
        " 'neighbour'.",
        "",
        "| Time | | Who | Channel | Segments | Text |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [row for *_, row in sorted(rows)]
    return "\n".join(lines) + "\n"


def after_action(run: Run, verdicts: list[Verdict]) -> str:
    spec = run.scenario.spec
    met = sum(v.met for v in verdicts)
    simulated = span(run.end - run.t0)
    if run.speed is None:
        how = f"{simulated} of simulated time, played in {run.wall_seconds:.1f} s."
    else:
        how = (
            f"Played live into the running service at speed {run.speed:g}: {simulated} of"
            " real time (times below are real time since the start)."
        )
    lines = [
        f"# After-action report: {spec.name}",
        "",
        f"Scenario `{run.scenario.path.name}`, hub {run.hub_code or spec.hub.code}"
        f" ({spec.hub.playbook if run.hub_code is None else 'its own playbook'}),"
        f" T+0 = {run.t0.isoformat()}. {how}",
        "",
        *[f"{note}\n" for note in run.notes],
        f"**{met} of {len(verdicts)} expectations met.**",
        "",
        "## Expectations",
        "",
        "| | Expectation | Evidence |",
        "| --- | --- | --- |",
    ]
    lines += [
        f"| {'met' if v.met else '**MISSED**'} | {v.title} | {_cell(v.evidence)} |"
        for v in verdicts
    ]
    lines += ["", "## Injects", ""]
    lines += [f"- {inject.at} {inject.kind}: {_cell(outcome)}" for inject, outcome in run.played]
    lines += _roles(run) + _needs(run) + _answers(run) + _unanswered(run) + _costs(run)
    return "\n".join(lines) + "\n"


def _roles(run: Run) -> list[str]:
    lines = ["", "## Time to fill roles", ""]
    opened = run.records.opened
    lines.append(f"The hub opened at {stamp(run, opened)}." if opened else "The hub never opened.")
    lines += ["", "| Role | Filled | By | After the opening |", "| --- | --- | --- | --- |"]
    filled = first_holders(run)
    for role, name in run.role_names.items():
        if role not in filled:
            flag = " (priority)" if role in run.priority_roles else ""
            lines.append(f"| {name}{flag} | never | | |")
            continue
        at, person = filled[role]
        after = span(at - opened) if opened else ""
        lines.append(f"| {name} | {stamp(run, at)} | {_persona(run, person)} | {after} |")
    return lines + _planned_roles(run)


def _planned_roles(run: Run) -> list[str]:
    """Personas the scenario meant for a role who never got it."""
    missing = []
    for persona in run.scenario.spec.personas:
        address = next((a for a, p in run.personas.items() if p == persona.id), None)
        person = run.records.person_of.get(address or "")
        given = {a.role for a in run.records.assignments if a.person_id == person}
        if persona.role and persona.role not in given:
            missing.append(f"{persona.id} ({persona.role})")
    if not missing:
        return ["", "Every persona got the role the scenario meant for them."]
    return ["", f"Never given the role the scenario meant for them: {', '.join(missing)}."]


def _persona(run: Run, person_id: int) -> str:
    addresses = run.records.addresses_of(person_id)
    return next((run.personas[a] for a in addresses if a in run.personas), "a neighbour")


def _needs(run: Run) -> list[str]:
    lines = ["", "## Needs: from posted to matched", ""]
    needs = [item for item in run.records.items if item.kind == "need"]
    if not needs:
        return [*lines, "No need was posted."]
    lines += ["| Need | Posted by | Posted | Acknowledged | Matched | Time to match |"]
    lines += ["| --- | --- | --- | --- | --- | --- |"]
    for item in needs:
        source = source_of(run, item)
        reply = reply_to(run, source) if source else None
        matched = run.records.matches.get(item.number)
        took = span(matched - item.created) if matched else "-"
        lines.append(
            f"| N{item.number} {_cell(item.text[:60])} | {_persona(run, item.person_id)} |"
            f" {stamp(run, item.created)} | {stamp(run, reply.sent if reply else None)} |"
            f" {stamp(run, matched)} | {took} |"
        )
    return lines


def _answers(run: Run) -> list[str]:
    lines = ["", "## Check-ins and roll calls", ""]
    for kind, name in (("checkin", "Check-in"), ("rollcall", "Roll call")):
        asks = [a for a in run.records.asks if a.kind == kind]
        if not asks:
            lines.append(f"- {name}s: none ran.")
            continue
        answered = sum(1 for a in asks if a.answered is not None)
        silent = sorted({_persona(run, a.person_id) for a in asks if a.answered is None})
        # One decimal: 206 of 207 is not 100%.
        rate = f"{100 * answered / len(asks):.1f}".removesuffix(".0")
        lines.append(
            f"- {name} answer rate: {answered} of {len(asks)} ({rate}%)"
            + (f"; silent: {', '.join(silent)}" if silent else "")
        )
    return lines


def _unanswered(run: Run) -> list[str]:
    """Texts that caused nothing to be sent to anyone: what a volunteer would call ignored."""
    caused = {out.inbound_id for out in run.records.outbound if out.inbound_id is not None}
    silent = [m for m in run.records.inbound if m.id not in caused]
    lines = ["", "## Unanswered messages", ""]
    if not silent:
        return [*lines, "Every message in got an answer or went on to someone."]
    lines.append(f"{len(silent)} message(s) in caused no message out:")
    lines += [""] + [
        f"- {stamp(run, m.at)} {_label(run, m.address, m.at)}: {_cell(m.text)}" for m in silent
    ]
    return lines


def _costs(run: Run) -> list[str]:
    out_segments: Counter[str] = Counter()
    messages: Counter[str] = Counter()
    for out in run.records.outbound:
        if out.sent is not None:
            out_segments[out.channel] += out.segments
            messages[out.channel] += 1
    lines = ["", "## Segments and cost per channel", ""]
    lines.append(
        "Cost per segment (USD, an estimate): "
        + ", ".join(f"{c} {rate}" for c, rate in COST_PER_SEGMENT.items())
        + ". A text in costs what it would cost out; a chat message counts as one."
    )
    incoming: Counter[str] = Counter()
    for m in run.records.inbound:
        incoming[_channel(m.address)] += _segments(m)
    lines += [
        "",
        "| Channel | Sent | Segments out | Segments in | Cost |",
        "| --- | --- | --- | --- | --- |",
    ]
    for channel in sorted(set(messages) | set(incoming)):
        rate = COST_PER_SEGMENT.get(channel, 0.0)
        cost = rate * (out_segments[channel] + incoming[channel])
        lines.append(
            f"| {channel} | {messages[channel]} | {out_segments[channel]} |"
            f" {incoming[channel]} | ${cost:.2f} |"
        )
    unsent = Counter(out.status for out in run.records.outbound if out.sent is None)
    if unsent:
        lines += ["", "Not sent: " + ", ".join(f"{n} {status}" for status, n in unsent.items())]
    return lines
