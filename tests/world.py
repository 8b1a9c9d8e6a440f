"""Phones and Telegram users around a running hubbot: they write to it and read what came back."""

from __future__ import annotations

from collections.abc import Callable

from tests.fake_telegram import FakeTelegram
from tests.fake_twilio import FakeTwilio, inbound_form, signed_post
from tests.service import Service, eventually

HUB_NUMBER = "+15145550001"


class World:
    """SMS phones (through signed Twilio webhooks) and, given a fake Bot API, Telegram users."""

    def __init__(
        self, service: Service, twilio: FakeTwilio, tg: FakeTelegram | None = None
    ) -> None:
        self.service, self.twilio, self._tg = service, twilio, tg
        self.sms_count = 0
        self.read: dict[object, int] = {}

    @property
    def tg(self) -> FakeTelegram:
        assert self._tg is not None, "this world has no Telegram"
        return self._tg

    async def sms(
        self, sender: str, body: str, *, to: str = HUB_NUMBER, sid: str | None = None
    ) -> None:
        """Text the hub's number (or `to`); the webhook must be accepted."""
        self.sms_count += 1
        form = inbound_form(sid or f"SM{self.sms_count:032d}", sender, to, body)
        assert await signed_post(f"{self.service.url}/twilio/sms", form) == 200

    def telegram(self, user_id: int, text: str, **kwargs: object) -> None:
        self.tg.push(self.tg.message_update(user_id, text, **kwargs))  # type: ignore[arg-type]

    async def _expect(
        self,
        key: object,
        texts: Callable[[], list[str]],
        predicate: Callable[[str], bool],
        within: float,
    ) -> str:
        """The first new message matching; those before it are passed over, those after kept."""
        found: list[str] = []

        def seen() -> bool:
            for text in texts()[self.read.get(key, 0) :]:
                self.read[key] = self.read.get(key, 0) + 1
                if predicate(text):
                    found.append(text)
                    return True
            return False

        if not await eventually(seen, within):
            raise AssertionError(f"{key} got nothing matching; it got {texts()}")
        return found[0]

    async def expect_sms(
        self, to: str, predicate: Callable[[str], bool], within: float = 15
    ) -> str:
        return await self._expect(to, lambda: self.twilio.bodies_to(to), predicate, within)

    async def expect_tg(
        self, chat: int, predicate: Callable[[str], bool], within: float = 15
    ) -> str:
        return await self._expect(chat, lambda: self.tg.texts_to(chat), predicate, within)

    async def open_hub(self, lead: str, code: str, name: str, activate: str = "ACTIVER") -> None:
        """Add the hub (with HUB_NUMBER as its number), start the service, and open it."""
        status, out = await self.service.cli(
            "hub", "add", code, "--name", name, "--pin", "2468", "--sms-number", HUB_NUMBER
        )
        assert status == 0, out
        await self.service.start()
        await self.sms(lead, f"{activate} {code} 2468")
        await self.expect_sms(lead, lambda t: "OUVERT" in t)
