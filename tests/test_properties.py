"""Properties of the pure core: parse, decide and render never raise, whatever people type and
whatever state the hub is in. Example counts scale with the Hypothesis profile (conftest.py)."""

from __future__ import annotations

import logging
import string
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbot.domain.answers import CALLS, Awaiting, AwaitKind
from hubbot.domain.board import item_ref
from hubbot.domain.checkins import Ask, OpenRound
from hubbot.domain.commands import Command, parse
from hubbot.domain.context import Context, MatchView
from hubbot.domain.decide import _HANDLERS, decide
from hubbot.domain.durations import LONGEST, parse_duration
from hubbot.domain.messages import Joined, Msg, Outgoing, Param
from hubbot.domain.models import (
    BoardItem,
    BroadcastStatus,
    Figures,
    Hub,
    HubStatus,
    ItemKind,
    Lifeline,
    Person,
    Rollcall,
)
from hubbot.domain.numbers import MAX_NUMBER, parse_number
from hubbot.domain.playbook import LocalText
from hubbot.domain.situation import TOPICS
from hubbot.i18n import Renderer, catalog_path, entries, read_catalog
from hubbot.playbooks.loader import load_playbooks
from tests.conftest import ROOT
from tests.strategies import examples, numbers, texts

PLAYBOOK = load_playbooks(ROOT / "playbooks", Renderer(ROOT / "locales").all_keys())[
    "community-hub"
]
PEOPLE = range(1, 8)  # small, so holders, posters, targets and senders meet
NOW = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
CATALOGS = {
    locale: entries(read_catalog(catalog_path(ROOT / "locales", locale), locale))
    for locale in ("fr", "en")
}


class RenderErrors(logging.Handler):
    """Catches what the renderer logs when a key or a placeholder is missing."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append(record.getMessage())


# -- numbers and durations -------------------------------------------------------------------


@settings(max_examples=examples(3000))
@given(st.one_of(st.text(), numbers(), st.integers(0, 10**20).map(str)), st.integers(0, 10**20))
def test_a_number_is_read_as_written_or_not_at_all_and_never_over_its_bound(
    text: str, most: int
) -> None:
    number = parse_number(text, most)
    written = text.strip()
    value = int(written.lstrip("0") or "0") if written.isdecimal() else None  # int() of digits
    if number is None:
        assert value is None or value > most
    else:
        assert number == value and 0 <= number <= most
    assert (parse_number(text) or 0) <= MAX_NUMBER


@settings(max_examples=examples(3000))
@given(st.one_of(st.text(), st.tuples(numbers(), st.sampled_from("smhdjx")).map("".join)))
def test_a_duration_is_read_within_a_century_or_refused_with_a_reason(text: str) -> None:
    try:
        duration = parse_duration(text)
    except ValueError as exc:
        assert "invalid duration" in str(exc)
    else:
        assert timedelta(0) < duration <= LONGEST
        assert NOW + duration > NOW  # a date that far away still exists


# -- parse -----------------------------------------------------------------------------------


@settings(max_examples=examples(3000))
@given(texts(), st.booleans())
def test_any_text_parses_into_a_command_that_has_a_handler(text: str, in_a_hub: bool) -> None:
    command = parse(text, PLAYBOOK if in_a_hub else None)
    assert command.name in _HANDLERS
    for word in command.args.split():
        item_ref(word)  # never raises either


# -- decide and render -----------------------------------------------------------------------


# Strategies are built once, at import: building one inside each draw costs more than the
# decision it feeds.
ROLES = [role.id for role in PLAYBOOK.roles]
CHECKINS = [checkin.id for checkin in PLAYBOOK.checkins] or ["status"]
CATEGORIES = [category.id for category in PLAYBOOK.categories]
short_text = st.text(max_size=24)
moments = st.integers(-3000, 3000).map(lambda m: NOW + timedelta(minutes=m))
person_ids = st.sampled_from(PEOPLE)

people = st.builds(
    Person,
    id=person_ids,
    locale=st.sampled_from(("fr", "en")),
    locale_explicit=st.booleans(),
    name=st.none() | short_text,
    is_coordinator=st.booleans(),
    opted_out=st.booleans(),
    hub_id=st.none() | st.sampled_from((1, 2)),
    pin_failures=st.integers(0, 5),
    pin_locked_until=st.none() | moments,
)
rosters = st.dictionaries(
    st.sampled_from(ROLES), st.lists(person_ids, max_size=3, unique=True).map(tuple)
)
hubs = st.builds(
    lambda roster, members, **fields: Hub(
        roster=roster,
        members=frozenset(members) | {p for ids in roster.values() for p in ids},
        playbook=PLAYBOOK,
        **fields,
    ),
    roster=rosters,
    members=st.sets(person_ids),
    id=st.sampled_from((1, 2)),
    code=st.sampled_from(("PLATEAU", "DEMO")),
    name=st.sampled_from(("Plateau", "Démo / Demo", "")) | short_text,
    locale=st.sampled_from(("fr", "en")),
    status=st.sampled_from((HubStatus.ACTIVE, HubStatus.ACTIVE, HubStatus.CLOSED)),
    address=st.none() | short_text,
)


def items(
    number: st.SearchStrategy[int], kind: st.SearchStrategy[ItemKind]
) -> st.SearchStrategy[BoardItem]:
    return st.builds(
        BoardItem,
        kind=kind,
        number=number,
        hub_id=st.sampled_from((1, 2)),
        person_id=person_ids,
        text=st.text(max_size=100),
        status=st.sampled_from(("open", "matched", "done", "used", "cancelled", "expired")),
        category=st.none() | st.sampled_from([*CATEGORIES, "gone"]),
        quantity=st.none() | st.integers(0, 10**6),
        location=st.none() | short_text,
        critical=st.booleans(),
        created_at=st.none() | moments,
        expires_at=st.none() | moments,
        matched_with=st.none() | st.integers(1, 12),
    )


board_items = items(st.integers(1, 12), st.sampled_from(ItemKind))
awaitings = st.builds(
    Awaiting,
    kind=st.sampled_from(AwaitKind),
    ref=st.integers(1, 50),
    asked_at=st.integers(-2000, 0).map(lambda m: NOW + timedelta(minutes=m)),
    label=st.sampled_from(("", "N7", "M3", "B2", "PLATEAU")),
    subject_id=st.none() | person_ids,
    peers=st.lists(person_ids, max_size=3, unique=True).map(tuple),
    topic=st.sampled_from(("", "hub_status", *sorted(CALLS))),
)
lifelines = st.builds(
    Lifeline,
    topic=st.sampled_from(sorted(TOPICS)),  # read_lifeline stores no other
    state=short_text,
    unconfirmed=st.booleans(),
    at=moments,
)
figures = st.builds(
    Figures,
    number=st.integers(1, 99),
    onsite=st.integers(0, 10**4),
    onsite_change=st.integers(-500, 500),
    needs=st.dictionaries(
        st.sampled_from(("water", "food", "gone")),
        st.dictionaries(st.sampled_from(("open", "matched", "done")), st.integers(0, 99)),
    ),
    offers_open=st.integers(0, 99),
    critical=st.lists(st.sampled_from(("N1", "N4")), max_size=2).map(tuple),
    significant=st.lists(st.sampled_from(("N2", "N4")), max_size=2).map(tuple),
    top_needs=st.lists(short_text, max_size=3).map(tuple),
    lifelines=st.lists(lifelines, max_size=4).map(tuple),
)
asks = st.builds(
    Ask,
    id=st.integers(1, 20),
    person_id=st.none() | person_ids,
    role=st.sampled_from(ROLES),
    state=st.sampled_from(("waiting", "ok", "help", "silent", "unfilled", "moved")),
    answer=st.none() | short_text,
)
rounds = st.builds(
    OpenRound,
    id=st.integers(1, 9),
    checkin=st.sampled_from(CHECKINS),
    asks=st.lists(asks, max_size=4).map(tuple),
)
broadcast_statuses = st.builds(
    BroadcastStatus,
    id=st.integers(1, 9),
    by_person_id=st.none() | person_ids,
    total=st.integers(0, 10**4),
    pending=st.integers(0, 99),
    sent=st.integers(0, 99),
    delivered=st.integers(0, 99),
    failed=st.integers(0, 99),
    skipped=st.integers(0, 99),
    acked=st.integers(0, 99),
    not_acked=st.lists(st.sampled_from(("M1", "M2 Ana")), max_size=15).map(tuple),
)
rollcalls = st.builds(
    Rollcall,
    id=st.integers(1, 9),
    hub_id=st.sampled_from((1, 2)),
    by_person_id=st.none() | person_ids,
    answer=st.none() | st.sampled_from(("1", "2", "?")),
)
# What the service looks up, by command (service/context.py gathers only what each one needs).
_ROUTED = ("need", "offer", "text", "intent", "short_answer", "relay", "yes")
_ANSWERS = ("short_answer", "text", "intent", "ack", "yes")


@st.composite
def contexts(draw: st.DrawFn, command: Command) -> Context:
    """What the service could have gathered for `command`: a hub with the shipped playbook
    and people in its roles, the notes the command names, what the sender was asked."""
    name, hub = command.name, draw(st.none() | hubs)
    fields: dict[str, Any] = {
        "coordinators": tuple(draw(st.lists(people, max_size=2))),
        "group_chat": draw(st.none() | st.integers(-(10**13), -1)),
        "templates": frozenset(("boil_water", "shelter_open", "power_restored")),
    }
    if name in ("join", "activate", "link", "broadcast"):
        fields.update(target_hub=draw(st.none() | hubs), pin_valid=draw(st.booleans()))
    if name == "relay":
        fields["item"] = draw(st.none() | board_items)
    if name in ("assign", "unassign", "handover", "link"):
        fields.update(
            target=draw(st.none() | people),
            target_hubs=frozenset(draw(st.sets(st.sampled_from((1, 2))))),
            open_rounds=tuple(draw(st.lists(rounds, max_size=2))),
        )
    if name in ("need", "offer", "text", "intent", "short_answer"):
        fields["next_number"] = {kind: draw(st.integers(1, 99)) for kind in ItemKind}
    if name == "roles":
        fields["labels"] = draw(st.dictionaries(person_ids, short_text))
    if hub is not None:
        board = tuple(draw(st.lists(board_items, max_size=6)))
        needs = [i for i in board if i.kind is ItemKind.NEED]
        offers = [i for i in board if i.kind is ItemKind.OFFER]
        match = None
        if needs and offers and draw(st.booleans()):
            match = MatchView(1, needs[0], offers[0], draw(st.booleans()), draw(st.booleans()))
        named: dict[str, BoardItem] = {}
        for word in command.args.split()[:2]:
            ref = item_ref(word)
            if ref and (n := parse_number(ref[1:])) and draw(st.booleans()):
                kind = ItemKind.NEED if ref[0] == "N" else ItemKind.OFFER
                named[ref] = draw(items(st.just(n), st.just(kind)))
        fields.update(
            board=board,
            items=named,
            match=match,
            contacts={pid: "+15145550101" for pid in PEOPLE if draw(st.booleans())},
            sender_contact=draw(st.sampled_from(("", "+15145550101", "Telegram 42"))),
            list_offset=draw(st.integers(0, 12)),
            list_kind=draw(st.sampled_from((None, "need", "offer"))),
            figures=draw(figures),
        )
    if hub is not None and name in _ROUTED:
        fields["cut_off"] = draw(
            st.dictionaries(person_ids, st.sampled_from(("opted_out", "unreachable")))
        )
    if name in _ANSWERS:
        fields.update(
            awaiting=tuple(draw(st.lists(awaitings, max_size=3))),
            ack_target=draw(st.none() | awaitings),
            already_acked=draw(st.booleans()),
            settled_recently=draw(st.booleans()),
            open_ask=draw(st.none() | asks),
            rollcall=draw(st.none() | rollcalls),
        )
    if name == "alertstatus":
        fields["alert_status"] = draw(st.none() | broadcast_statuses)
    if name in ("link", "link_confirm"):
        fields.update(
            link_code=draw(st.sampled_from(("", "123456"))),
            link_pending=draw(st.none() | person_ids),
            link_code_valid=draw(st.booleans()),
            link_attempts=draw(st.integers(0, 5)),
            link_confirm_by_target=draw(st.booleans()),
            link_failures=tuple(NOW - timedelta(minutes=m) for m in range(draw(st.integers(0, 6)))),
            link_codes_to_target=draw(st.integers(0, 6)),
            target_has_written=draw(st.booleans()),
            target_privileged=draw(st.booleans()),
            link_requests=tuple(draw(st.lists(person_ids, max_size=2))),
            link_confirm_from=draw(st.none() | person_ids),
        )
    sender = draw(people)
    if hub is not None and draw(st.booleans()):
        # Staff half the time, as most commands need a role: the lead, or another holder.
        role = draw(st.sampled_from(["lead", *hub.roster]))
        holders = hub.roster.get(role) or (sender.id,)
        sender = replace(sender, id=draw(st.sampled_from(holders)), hub_id=hub.id)
        roster = {**hub.roster, role: holders}
        hub = replace(hub, roster=roster, members=hub.members | {sender.id})
    return Context(now=NOW, sender=sender, hub=hub, **fields)


def _rendered(renderer: Renderer, message: Outgoing | Msg) -> None:
    msg = message if isinstance(message, Msg) else message.msg
    for locale in ("fr", "en"):
        assert isinstance(renderer.render(msg, locale), str)
    if isinstance(message, Outgoing):
        for extra in (message.rich, *(b.label for b in message.buttons)):
            if extra is not None:
                _rendered(renderer, extra)


@settings(max_examples=examples(2500))
@given(st.data(), texts())
def test_decide_answers_any_command_in_any_hub_state_and_every_reply_renders(
    renderer: Renderer, data: st.DataObject, text: str
) -> None:
    command = parse(text, PLAYBOOK if data.draw(st.booleans()) else None)
    context = data.draw(contexts(command))
    errors = RenderErrors()
    logging.getLogger("hubbot.i18n").addHandler(errors)
    try:
        outcome = decide(command, context)
        for message in outcome.messages:
            _rendered(renderer, message)
        for team in outcome.team:
            _rendered(renderer, team.msg)
    finally:
        logging.getLogger("hubbot.i18n").removeHandler(errors)
    assert not errors.seen, errors.seen


# -- render ----------------------------------------------------------------------------------


def _placeholders(key: str) -> set[str]:
    """The placeholders of a key's text, every plural form and both languages together."""
    found: set[str] = set()
    for catalog in CATALOGS.values():
        text = catalog[key].text
        for form in text if isinstance(text, tuple) else (text,):
            found |= {name for _, name, _, _ in string.Formatter().parse(form) if name}
    return found


KEYS = sorted(CATALOGS["en"])
PLACEHOLDERS = {key: _placeholders(key) for key in KEYS}
_LEAF: st.SearchStrategy[Param] = st.one_of(
    st.text(max_size=40),
    st.integers(-(10**12), 10**12),
    st.builds(LocalText, st.text(max_size=20), st.text(max_size=20)),
)
_MESSAGES = {
    key: st.fixed_dictionaries({name: _LEAF for name in PLACEHOLDERS[key]}).map(
        lambda values, key=key: Msg(key, values)
    )
    for key in KEYS
}
# A parameter: text, a number, a text in both languages, another message (its own
# placeholders filled), or lists and joins of those, nested.
PARAM = st.recursive(
    _LEAF | st.sampled_from(KEYS).flatmap(_MESSAGES.__getitem__),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(tuple),
        st.builds(Joined, st.lists(inner, max_size=3).map(tuple), st.sampled_from((", ", "; "))),
    ),
    max_leaves=6,
)
_VALUES = {key: st.fixed_dictionaries({name: PARAM for name in PLACEHOLDERS[key]}) for key in KEYS}


@settings(max_examples=examples(1000))
@given(st.data())
def test_every_key_renders_in_both_languages_whatever_its_parameters_hold(
    renderer: Renderer, data: st.DataObject
) -> None:
    key = data.draw(st.sampled_from(KEYS))
    values = data.draw(_VALUES[key])
    count = data.draw(st.none() | st.integers(-(10**9), 10**9))
    errors = RenderErrors()
    logging.getLogger("hubbot.i18n").addHandler(errors)
    try:
        for locale in ("fr", "en"):
            assert isinstance(renderer.render(Msg(key, values, count), locale), str)
    finally:
        logging.getLogger("hubbot.i18n").removeHandler(errors)
    assert not errors.seen, errors.seen
