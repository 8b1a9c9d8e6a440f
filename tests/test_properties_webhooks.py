"""Properties of the shell: the webhooks never answer 5xx whatever comes in, and the processor
answers every stored text without an internal error, whatever state the hub is in.

Each test serves the real web app (or runs the real processor) on a fresh SQLite file, in an
event loop of its own that lives for the whole run of examples: starting a server and a store
per example would spend the time budget on set-up instead of inputs.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Coroutine, Iterator
from contextlib import AsyncExitStack, contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlencode

from hypothesis import example, given, settings
from hypothesis import strategies as st

from hubbot.channels.telegram.routes import SECRET_HEADER
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.dispatcher import Dispatcher
from hubbot.service.send_limits import SendLimits
from hubbot.store.db import Database
from tests.conftest import Harness
from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import sign
from tests.fakes import FakeChannel, FakeClock, workers
from tests.strategies import examples, texts
from tests.webhooks import TELEGRAM_SECRET, Client, webhooks

T = TypeVar("T")
PHONES = ("+15145550101", "514-555-0102", "+1 (514) 555-0103", "5145550199", "+33612345678")

# Any JSON, with any characters in its strings, and strings with a lone surrogate (JSON's
# \ud800) in them: among all code points, surrogates are too rare to turn up by chance.
# (`texts().map(str)` below keeps texts() one choice among others: a bare one_of would be
# merged into the outer one, and the others drawn less often.)
LONE = st.sampled_from(("\ud800", "\udbff", "\udc00", "\udfff"))
with_lone = st.tuples(st.text(max_size=20), LONE, st.text(max_size=20)).map("".join)
any_text = st.one_of(st.text(st.characters(exclude_categories=()), max_size=40), with_lone)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats()
    | st.sampled_from(("", "0", "+15145550101", "HELP"))
    | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)


def mostly(right: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The right type for a field, or now and then any JSON at all."""
    return st.one_of(right, right, right, json_values)


class Loop:
    """An event loop that outlives each example: `run` a coroutine on it from sync code."""

    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        self.stack = AsyncExitStack()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coroutine)

    def close(self) -> None:
        self.run(self.stack.aclose())
        self.runner.close()


@contextmanager
def served(tmp_path: Path, renderer: Renderer) -> Iterator[tuple[Loop, Client]]:
    loop = Loop()
    try:

        async def start() -> Client:
            db = await Database.open(tmp_path / "hub.db")
            loop.stack.push_async_callback(db.close)
            tg = await FakeTelegram().start()
            loop.stack.push_async_callback(tg.stop)
            return await loop.stack.enter_async_context(webhooks(db, FakeClock(), tg, renderer))

        yield loop, loop.run(start())
    finally:
        loop.close()


async def _post(client: Client, path: str, **kwargs: Any) -> int:
    async with client.post(path, **kwargs) as response:
        await response.read()
        return response.status


# -- the simulator ---------------------------------------------------------------------------

sim_messages = st.fixed_dictionaries(
    {
        "from": mostly(st.sampled_from(PHONES) | any_text),
        "text": st.one_of(texts().map(str), with_lone, json_values),
    },
    optional={"to": mostly(st.sampled_from(PHONES)), "id": mostly(any_text)},
)
sim_bodies = st.one_of(
    sim_messages.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)


def test_the_simulator_never_answers_5xx_whatever_json_or_bytes_come_in(
    tmp_path: Path, renderer: Renderer
) -> None:
    with served(tmp_path, renderer) as (loop, client):

        @settings(max_examples=examples(2500))
        @given(body=sim_bodies)
        def check(body: bytes) -> None:
            headers = {"Content-Type": "application/json"}
            status = loop.run(_post(client, "/sim/inbound", data=body, headers=headers))
            assert status in (200, 202, 400), (status, body)

        check()


# -- Telegram --------------------------------------------------------------------------------

telegram_ids = st.integers(-(2**64), 2**64) | st.integers(1, 10**6)
users = st.fixed_dictionaries(
    {
        "id": mostly(telegram_ids),
        "is_bot": mostly(st.booleans()),
        "first_name": st.one_of(st.text(max_size=20), with_lone, json_values),
    },
    optional={
        "username": mostly(any_text),
        "language_code": mostly(st.sampled_from(("fr", "en", "fr-CA", "")) | any_text),
    },
)
chats = st.fixed_dictionaries(
    {
        "id": mostly(telegram_ids),
        "type": mostly(st.sampled_from(("private", "group", "supergroup", "channel"))),
    },
    optional={"title": mostly(any_text)},
)
messages = st.fixed_dictionaries(
    {
        "message_id": mostly(telegram_ids),
        "date": mostly(st.integers(-(2**40), 2**40)),
        "chat": mostly(chats),
    },
    optional={
        "from": mostly(users),
        "text": st.one_of(texts().map(str), with_lone, json_values),
        "entities": json_values,
    },
)
callbacks = st.fixed_dictionaries(
    {"id": mostly(any_text), "from": mostly(users), "chat_instance": mostly(any_text)},
    optional={"data": mostly(texts() | any_text), "message": mostly(messages)},
)
updates = st.fixed_dictionaries(
    {"update_id": mostly(telegram_ids)},
    optional={
        "message": mostly(messages),
        "callback_query": mostly(callbacks),
        "edited_message": mostly(messages),
    },
)
telegram_bodies = st.one_of(
    updates.map(lambda v: json.dumps(v).encode()),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200),
)
# Header values as an HTTP client can send them: no control characters.
header_text = st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=40)
secrets = st.one_of(st.just(TELEGRAM_SECRET), st.just(TELEGRAM_SECRET), st.none(), header_text)


def test_the_telegram_webhook_never_answers_5xx_whatever_the_body_or_secret(
    tmp_path: Path, renderer: Renderer
) -> None:
    with served(tmp_path, renderer) as (loop, client):

        @settings(max_examples=examples(2500))
        @given(body=telegram_bodies, secret=secrets)
        def check(body: bytes, secret: str | None) -> None:
            headers = {"Content-Type": "application/json"}
            if secret is not None:
                headers[SECRET_HEADER] = secret
            status = loop.run(_post(client, "/telegram/webhook", data=body, headers=headers))
            expected = (200, 400) if secret == TELEGRAM_SECRET else (403,)
            assert status in expected, (status, body)

        check()


# -- Twilio ----------------------------------------------------------------------------------

form_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)
sms_forms = st.fixed_dictionaries(
    {"MessageSid": st.from_regex(r"SM[0-9a-f]{32}", fullmatch=True)},
    optional={"From": st.sampled_from(PHONES), "To": st.sampled_from(PHONES), "Body": form_text},
)
any_forms = st.dictionaries(form_text.filter(bool), form_text, max_size=6)


# Bodies no Twilio sends: bytes that are not UTF-8, unknown charsets, broken multipart.
raw_forms = st.tuples(
    st.binary(max_size=120),
    st.sampled_from(
        (
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=latin-9000",
            "application/x-www-form-urlencoded; charset=utf-16",
            "multipart/form-data; boundary=zz",
            "multipart/form-data",
            "text/plain",
        )
    ),
)


def test_twilio_webhooks_refuse_unsigned_forms_and_take_signed_ones_never_with_5xx(
    tmp_path: Path, renderer: Renderer
) -> None:
    with served(tmp_path, renderer) as (loop, client):

        @settings(max_examples=examples(2500))
        @given(
            path=st.sampled_from(("/twilio/sms", "/twilio/status")),
            form=st.one_of(sms_forms, any_forms, st.tuples(sms_forms, any_forms).map(_merged)),
            signed=st.sampled_from(("signed", "unsigned", "forged")),
        )
        def check(path: str, form: dict[str, str], signed: str) -> None:
            url = str(client.make_url(path))
            headers = {
                "signed": {"X-Twilio-Signature": sign(url, form)},
                "unsigned": {},
                "forged": {"X-Twilio-Signature": sign(url, {**form, "Body": "forged!"})},
            }[signed]
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = urlencode(form).encode()  # as Twilio posts it, whatever the field names
            status = loop.run(_post(client, path, data=body, headers=headers))
            if signed != "signed":
                assert status == 403, (status, form)
            elif path == "/twilio/sms" and form.get("From") in PHONES and "MessageSid" in form:
                assert status == 200, (status, form)
            else:
                assert status in (200, 204, 400), (status, form)

        check()

        @settings(max_examples=examples(500))
        @given(raw=raw_forms, signature=st.none() | header_text)
        def unreadable(raw: tuple[bytes, str], signature: str | None) -> None:
            headers = {"Content-Type": raw[1]}
            if signature is not None:
                headers["X-Twilio-Signature"] = signature
            status = loop.run(_post(client, "/twilio/sms", data=raw[0], headers=headers))
            assert status in (400, 403), (status, raw)

        unreadable()


def _merged(forms: tuple[dict[str, str], dict[str, str]]) -> dict[str, str]:
    """Twilio's fields, among others of any name."""
    required, extra = forms
    return {**extra, **required}


# -- the processor ---------------------------------------------------------------------------

LEAD, HELPER, COMMS, RECEPTION = "+15145550101", "+15145550102", "+15145550105", "+15145550104"
VOLUNTEER, COORD, STRANGER = "+15145550103", "+15145550199", "+15145550142"
SENDERS = (LEAD, HELPER, COMMS, RECEPTION, VOLUNTEER, COORD, STRANGER)


def test_every_text_from_anyone_gets_an_answer_and_never_an_internal_error(
    tmp_path: Path, renderer: Renderer, playbooks: dict[str, Playbook]
) -> None:
    loop = Loop()
    try:
        harness = loop.run(_staffed_hub(loop, tmp_path, renderer, playbooks))

        @settings(max_examples=examples(800))
        @given(sender=st.sampled_from(SENDERS), text=texts(), minutes=st.sampled_from((0, 0, 7)))
        # Issue #11's findings, always tried first; the fuzz finds their like by itself.
        @example(sender=RECEPTION, text="ARRIVEE ²", minutes=0)
        @example(sender=VOLUNTEER, text="ACK B99999999999999999999", minutes=0)
        @example(sender=LEAD, text="ETATALERTE 9223372036854775808", minutes=0)
        @example(sender=HELPER, text="EXPIRER N1 99999999j", minutes=0)
        @example(sender=LEAD, text="ASSIGNER M9999999999999999999 accueil", minutes=0)
        def check(sender: str, text: str, minutes: int) -> None:
            # Only this example's text: the hub's state carries over, its verdicts do not.
            before = loop.run(harness.db.fetchone("SELECT COALESCE(MAX(id), 0) FROM inbound"))
            loop.run(harness.text(sender, text))
            if minutes:
                loop.run(harness.tick(minutes=minutes))
            failed = loop.run(
                harness.db.fetchall(
                    "SELECT text, error FROM inbound WHERE id > ? AND error IS NOT NULL",
                    (before[0] if before else 0,),
                )
            )
            assert not failed, [tuple(row) for row in failed]

        check()
    finally:
        loop.close()


async def _staffed_hub(
    loop: Loop, tmp_path: Path, renderer: Renderer, playbooks: dict[str, Playbook]
) -> Harness:
    """An open hub with a lead, needs & offers, communications and reception, a member with a
    need and an offer up, a broadcast out and a coordinator; as conftest's harness builds it."""
    db = await Database.open(tmp_path / "hub.db")
    loop.stack.push_async_callback(db.close)
    clock, channel = FakeClock(), FakeChannel()
    channels = {"sms": channel, "telegram": channel}
    processor, scheduler = workers(db, clock, playbooks, renderer, channels)
    dispatcher = Dispatcher(db, channels, clock, SendLimits(max_attempts=3))
    harness = Harness(db, clock, channel, processor, dispatcher, scheduler)
    await harness.add_hub()
    await harness.add_coordinator(COORD)
    await harness.text(LEAD, "ACTIVER PLATEAU 2468")
    staff = ((HELPER, "besoins et offres"), (COMMS, "communications"), (RECEPTION, "accueil"))
    for phone, role in staff:
        await harness.text(LEAD, f"ASSIGNER {phone} {role}")
    await harness.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await harness.text(VOLUNTEER, "BESOIN eau potable pour 3")
    await harness.text(VOLUNTEER, "OFFRE couvertures")
    await harness.text(LEAD, "DIFFUSER URGENT Eau a bouillir")
    return harness
