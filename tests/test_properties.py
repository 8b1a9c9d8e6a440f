"""Properties of the pure core: parse, decide and render never raise, whatever people type and
whatever state the hub is in. Example counts scale with the Hypothesis profile (conftest.py)."""

from __future__ import annotations

import logging
import string
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbot.domain.answers import CALLS, Awaiting, AwaitKind
from hubbot.domain.board import item_ref
from hubbot.domain.checkins import Ask, OpenRound
from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.decide import decide
from hubbot.domain.durations import LONGEST, parse_duration
from hubbot.domain.facts import (
    AlertStatusFacts,
    AnswerFacts,
    BoardFacts,
    FigureFacts,
    LinkFacts,
    MatchFacts,
    MatchView,
    NamedHub,
    NewPerson,
    Numbers,
    RelayFacts,
    RosterFacts,
    RoundFacts,
    Routed,
    TargetFacts,
    TemplateFacts,
)
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
from hubbot.domain.registry import REGISTRY, parse
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
    assert command.name in REGISTRY.specs
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


def _board(draw: st.DrawFn, command: Command, hub: Hub | None) -> BoardFacts:
    if hub is None:
        return BoardFacts()
    named: dict[str, BoardItem] = {}
    for word in command.args.split()[:2]:
        ref = item_ref(word)
        if ref and (n := parse_number(ref[1:])) and draw(st.booleans()):
            kind = ItemKind.NEED if ref[0] == "N" else ItemKind.OFFER
            named[ref] = draw(items(st.just(n), st.just(kind)))
            if kind is ItemKind.NEED and named[ref].matched_with and draw(st.booleans()):
                other = named[ref].matched_with  # DONE on a matched need sees its offer
                matched = draw(items(st.just(other), st.just(ItemKind.OFFER)))
                named[f"O{other}"] = replace(matched, matched_with=n)
    return BoardFacts(
        tuple(draw(st.lists(board_items, max_size=6))),
        named,
        draw(st.sampled_from((None, "need", "offer"))),
        draw(st.integers(0, 12)),
    )


def _match(draw: st.DrawFn, command: Command, hub: Hub | None) -> MatchFacts:
    needs = draw(st.lists(items(st.integers(1, 12), st.just(ItemKind.NEED)), max_size=1))
    offers = draw(st.lists(items(st.integers(1, 12), st.just(ItemKind.OFFER)), max_size=1))
    if not (needs and offers):
        return MatchFacts()
    match = MatchView(1, needs[0], offers[0], draw(st.booleans()), draw(st.booleans()))
    return MatchFacts(match, {pid: "+15145550101" for pid in PEOPLE if draw(st.booleans())})


def _target(draw: st.DrawFn, command: Command, hub: Hub | None) -> TargetFacts:
    new = draw(st.none() | st.just(NewPerson(99, "sms:+15145550199", "fr")))
    hubs_of = frozenset(draw(st.sets(st.sampled_from((1, 2)))))
    return TargetFacts(draw(st.none() | people), new, hubs_of)


def _link(draw: st.DrawFn, command: Command, hub: Hub | None) -> LinkFacts:
    return LinkFacts(
        code=draw(st.sampled_from(("", "123456"))),
        target=draw(st.none() | people),
        pending=draw(st.none() | person_ids),
        code_valid=draw(st.booleans()),
        attempts=draw(st.integers(0, 5)),
        confirm_by_target=draw(st.booleans()),
        failures=tuple(NOW - timedelta(minutes=m) for m in range(draw(st.integers(0, 6)))),
        codes_to_target=draw(st.integers(0, 6)),
        target_has_written=draw(st.booleans()),
        target_privileged=draw(st.booleans()),
        requests=tuple(draw(st.lists(person_ids, max_size=2))),
        confirm_from=draw(st.none() | person_ids),
    )


def _answers(draw: st.DrawFn, command: Command, hub: Hub | None) -> AnswerFacts:
    return AnswerFacts(
        awaiting=tuple(draw(st.lists(awaitings, max_size=3))),
        open_ask=draw(st.none() | asks),
        rollcall=draw(st.none() | rollcalls),
        settled_recently=draw(st.booleans()),
        ack_target=draw(st.none() | awaitings),
        already_acked=draw(st.booleans()),
    )


def _relay(draw: st.DrawFn, command: Command, hub: Hub | None) -> RelayFacts:
    """R N12: a note and maybe its matched note; R M6: a member and their routed messages."""
    routed = st.builds(Routed, hub=hubs, role_id=st.sampled_from(ROLES), at=moments)
    return RelayFacts(
        item=draw(st.none() | board_items),
        other=draw(st.none() | board_items),
        member=draw(st.none() | people),
        routed=tuple(draw(st.lists(routed, max_size=2))),
    )


def _roster(draw: st.DrawFn, command: Command, hub: Hub | None) -> RosterFacts:
    cut_off = st.dictionaries(person_ids, st.sampled_from(("opted_out", "unreachable")))
    return RosterFacts(draw(st.dictionaries(person_ids, short_text)), draw(cut_off))


# What the service could gather, by fact group: one strategy for each of its loaders.
FACTS: dict[type, Callable[[st.DrawFn, Command, Hub | None], object]] = {
    NamedHub: lambda draw, c, h: NamedHub(draw(st.none() | hubs), draw(st.booleans())),
    TargetFacts: _target,
    Numbers: lambda draw, c, h: Numbers({k: draw(st.integers(1, 99)) for k in ItemKind}),
    RosterFacts: _roster,
    BoardFacts: _board,
    RelayFacts: _relay,
    MatchFacts: _match,
    AnswerFacts: _answers,
    LinkFacts: _link,
    FigureFacts: lambda draw, c, h: FigureFacts(draw(st.none() | figures)),
    AlertStatusFacts: lambda draw, c, h: AlertStatusFacts(draw(st.none() | broadcast_statuses)),
    RoundFacts: lambda draw, c, h: RoundFacts(tuple(draw(st.lists(rounds, max_size=2)))),
    TemplateFacts: lambda draw, c, h: TemplateFacts(
        frozenset(("boil_water", "shelter_open", "power_restored"))
    ),
}


@st.composite
def contexts(draw: st.DrawFn, command: Command) -> Context:
    """What the service could have gathered for `command`: a hub with the shipped playbook
    and people in its roles, and each fact group the command's spec names."""
    hub = draw(st.none() | hubs)
    sender = draw(people)
    if hub is not None and draw(st.booleans()):
        # Staff half the time, as most commands need a role: the lead, or another holder.
        role = draw(st.sampled_from(["lead", *hub.roster]))
        holders = hub.roster.get(role) or (sender.id,)
        sender = replace(sender, id=draw(st.sampled_from(holders)), hub_id=hub.id)
        roster = {**hub.roster, role: holders}
        hub = replace(hub, roster=roster, members=hub.members | {sender.id})
    facts = {kind: FACTS[kind](draw, command, hub) for kind in REGISTRY.spec(command.name).facts}
    return Context(
        now=NOW,
        sender=sender,
        hub=hub,
        coordinators=tuple(draw(st.lists(people, max_size=2))),
        group_chat=draw(st.none() | st.integers(-(10**13), -1)),
        sender_contact=draw(st.sampled_from(("", "+15145550101", "Telegram 42"))),
        facts=facts,
    )


def test_every_fact_group_has_a_strategy_here() -> None:
    wanted = {kind for spec in REGISTRY.specs.values() for kind in spec.facts}
    assert wanted <= set(FACTS)


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
