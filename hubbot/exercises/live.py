"""Play a scenario's injects into a running service, in real time, for a hub team's drill."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from hubbot.addresses import normalize_phone
from hubbot.channels.cap import CapRejected, parse_cap
from hubbot.clock import Clock
from hubbot.domain.playbook import Playbook
from hubbot.exercises.loader import Scenario
from hubbot.exercises.records import Run, Window, collect
from hubbot.exercises.schema import InjectSpec, parse_span
from hubbot.exercises.sim_client import SimClient
from hubbot.security import verify_pin
from hubbot.store.conn import Store
from hubbot.store.db import iso
from hubbot.store.hubs import HubRecord

log = logging.getLogger(__name__)

TAIL = timedelta(hours=1)  # as in-process: run this long (scenario time) after the last inject
SETTLE_SECONDS = 15.0  # at the end, wait at most this long for the service to finish answering
POLL_SECONDS = 0.2
CROWD_AT_ONCE = 20  # a crowd's texts in flight at once: many neighbours, not a flood of sockets
CAP_TIMES = re.compile(rb"(<(?:\w+:)?(?:sent|effective|onset|expires)>)\s*([^<\s]+)\s*(</)")
NOT_LIVE = "NOT PLAYED LIVE"
NOT_PLAYABLE = {
    "sms_down": f"{NOT_LIVE}: the real SMS network is up or down as it is",
    "silent": f"{NOT_LIVE}: in a live drill the real team answers or not",
}
Receive = Callable[[bytes, str], Awaitable[int | None]]


def retimed(data: bytes, shift: timedelta) -> bytes:
    """The CAP document with its times moved by `shift` (whole seconds, as CAP writes them):
    a scenario's alert, written for its own date, arrives as if sent now and not expired."""

    def move(match: re.Match[bytes]) -> bytes:
        try:
            when = datetime.fromisoformat(match.group(2).decode())
        except ValueError:
            return match.group(0)  # the relay says what is wrong with it
        moved = (when + shift).isoformat(timespec="seconds")
        return match.group(1) + moved.encode() + match.group(3)

    return CAP_TIMES.sub(move, data)


class Live:
    """One live run: texts through the service's simulator, alerts through a relay on its
    database, and the report read back from that database."""

    def __init__(
        self,
        scenario: Scenario,
        db: Store,
        hub: HubRecord,
        playbook: Playbook,
        receive: Receive,
        segments: Callable[[str, str], int],
        url: str,
        token: str | None,
        speed: float,
        region: str,
        clock: Clock,
    ) -> None:
        self.scenario, self.spec = scenario, scenario.spec
        self.db, self.hub, self.playbook, self.clock = db, hub, playbook, clock
        self.receive, self.segments = receive, segments
        self.url, self.speed, self.region = url.rstrip("/"), speed, region
        self.sim = SimClient(url, token, hub.sms_number)
        self.personas: dict[str, str] = {}  # address -> persona id
        for persona in self.spec.personas:
            phone = normalize_phone(persona.phone, region) if persona.phone else None
            address = f"sms:{phone}" if phone else f"telegram:{persona.telegram}"
            self.personas[address] = persona.id
        self.crowd: set[str] = set()
        self.played: list[tuple[InjectSpec, str]] = []
        self.refusals: list[str] = []
        self.stop = asyncio.Event()
        # Texts name the scenario's hub ("ACTIVER GLACE 2468"): here they name the live one.
        self._hub_code = re.compile(rf"\b{re.escape(self.spec.hub.code)}\b", re.IGNORECASE)

    async def probe(self) -> None:
        """LiveError unless the service's simulator takes texts from here."""
        phone = next((a for a in self.personas if a.startswith("sms:")), "sms:+14385551000")
        await self.sim.probe(phone.removeprefix("sms:"))

    async def run(self, echo: Callable[[str], None]) -> Run:
        """Play every inject at its time divided by the speed, then read what the drill did."""
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        for sig in (signal.SIGINT, signal.SIGTERM):
            # The first Ctrl-C ends the drill early with its report; a second one ends it now.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self._interrupted, task)
        started, self.t0 = time.perf_counter(), self.clock.now()
        self.origin = loop.time()
        try:
            async with self.sim:
                await self._play(echo)
            await self._settle()
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.remove_signal_handler(sig)
        end = self.clock.now()
        window = Window(self.t0, end, frozenset(self.personas) | frozenset(self.crowd))
        records = await collect(self.db, self.hub.id, self.segments, window)
        return Run(
            self.scenario,
            self.t0,
            end,
            records,
            self.personas,
            self.crowd,
            self.played,
            time.perf_counter() - started,
            self.hub.id,
            tuple(r.id for r in self.playbook.roles if r.priority),
            {r.id: r.name.en for r in self.playbook.roles},
            {m.id for m in records.inbound if self.playbook.is_life_safety(m.text)},
            self.hub.code,
            self.speed,
            self._notes(),
        )

    def _interrupted(self, task: asyncio.Task[object] | None) -> None:
        if self.stop.is_set() and task is not None:
            task.cancel()  # the hub's exercise mode is still put back: the caller's `finally`
        else:
            self.stop.set()

    async def _until(self, offset: timedelta) -> bool:
        """Wait for `offset` of scenario time (divided by the speed); False if stopped first."""
        delay = (
            self.origin + offset.total_seconds() / self.speed - asyncio.get_running_loop().time()
        )
        if delay > 0 and not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), delay)
        return not self.stop.is_set()

    async def _play(self, echo: Callable[[str], None]) -> None:
        injects = sorted(self.spec.injects, key=lambda inject: inject.offset)
        crowds: list[asyncio.Task[None]] = []
        for i, inject in enumerate(injects):
            if not await self._until(inject.offset):
                self.played += [(rest, f"{NOT_LIVE}: the run was stopped") for rest in injects[i:]]
                break
            outcome = await self._inject(inject, crowds)
            self.played.append((inject, outcome))
            echo(f"{self._stamp()} {inject.at} {inject.kind}: {outcome}")
        end = parse_span(self.spec.duration) if self.spec.duration else injects[-1].offset + TAIL
        if crowds:
            await asyncio.gather(*crowds)
        if await self._until(end):
            echo(f"{self._stamp()} the scenario's end: reading what the drill did")
        else:
            echo(f"{self._stamp()} stopped: reading what the drill did so far")

    async def _inject(self, inject: InjectSpec, crowds: list[asyncio.Task[None]]) -> str:
        if inject.kind in NOT_PLAYABLE:
            return NOT_PLAYABLE[inject.kind]
        if inject.text is not None:
            address = next(a for a, p in self.personas.items() if p == inject.text.persona)
            if not address.startswith("sms:"):
                return f"{NOT_LIVE}: {inject.text.persona} is on Telegram; the simulator takes SMS"
            body = self._hub_code.sub(self.hub.code, inject.text.body)
            refused = await self._text(address, body)
            said = f"{inject.text.persona} texted {body!r}"
            return f"{said}, REFUSED: {refused}" if refused else said
        if inject.crowd is not None:
            crowd = inject.crowd
            join = "REJOINDRE" if crowd.language == "fr" else "JOIN"
            body = crowd.body or f"{join} {self.hub.code}"
            addresses = [
                f"sms:+1438555{1000 + len(self.crowd) + i:04d}" for i in range(crowd.count)
            ]
            self.crowd.update(addresses)
            spread = parse_span(crowd.over) if crowd.over else timedelta()
            crowds.append(asyncio.create_task(self._crowd(inject.offset, spread, addresses, body)))
            return f"{crowd.count} neighbours text {body!r}"
        assert inject.cap is not None, "every kind is played above"
        return await self._cap(inject)

    async def _crowd(
        self, offset: timedelta, spread: timedelta, addresses: list[str], body: str
    ) -> None:
        gate = asyncio.Semaphore(CROWD_AT_ONCE)

        async def one(i: int, address: str) -> None:
            if await self._until(offset + spread * i / len(addresses)):
                async with gate:
                    if refused := await self._text(address, body):
                        log.warning("a neighbour's text was refused: %s", refused)

        await asyncio.gather(*(one(i, a) for i, a in enumerate(addresses)))

    async def _text(self, address: str, body: str) -> str | None:
        refused = await self.sim.text(address.removeprefix("sms:"), body)
        if refused:
            self.refusals.append(refused)
        return refused

    async def _cap(self, inject: InjectSpec) -> str:
        assert inject.cap is not None
        data = self.scenario.cap_file(inject.cap.file).read_bytes()
        with contextlib.suppress(CapRejected):  # the relay keeps a rejected one, and says why
            if (await asyncio.to_thread(parse_cap, data)).is_actual:
                return (
                    f"{NOT_LIVE}: status Actual would reach every hub in its area;"
                    " a drill's alert says <status>Exercise</status>"
                )
        # Sent now, not on the scenario's date (long past, or to come): not dropped as expired.
        written = datetime.fromisoformat(self.spec.start) + inject.offset
        shift = timedelta(seconds=round((self.clock.now() - written).total_seconds()))
        number = await self.receive(retimed(data, shift), "exercise live")
        if number is None:
            return "not taken in: a heartbeat, or a copy of an alert already received"
        row = await self.db.fetchone(
            "SELECT outcome, reason FROM cap_alerts WHERE id = ?", (number,)
        )
        outcome = f"{row[0]}{f' ({row[1]})' if row[1] else ''}" if row else "received"
        return f"alert A{number}: {outcome}"

    async def _settle(self) -> None:
        """Give the service the time to read the last texts and send what they caused (its
        dispatcher looks at the outbox every few seconds for what this process wrote)."""
        since = iso(self.t0)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + SETTLE_SECONDS
        while loop.time() < deadline:
            row = await self.db.fetchone(
                "SELECT (SELECT COUNT(*) FROM inbound WHERE processed_at IS NULL"
                " AND received_at >= ?) + (SELECT COUNT(*) FROM outbox WHERE"
                " status IN ('pending', 'sending') AND created_at >= ?)",
                (since, since),
            )
            if not row or not row[0]:
                return
            await asyncio.sleep(POLL_SECONDS)
        log.warning("the service still had work %s s after the drill's end", SETTLE_SECONDS)

    def _stamp(self) -> str:
        """How long the run has gone, for its progress lines: T+mm:ss of real time."""
        seconds = max(0, int((self.clock.now() - self.t0).total_seconds()))
        return f"T+{seconds // 60:02d}:{seconds % 60:02d}"

    def _notes(self) -> list[str]:
        notes = [
            f"Live: the injects went into the running service at {self.url}. Personas do not"
            " answer by themselves here: the real team plays them, so check-ins and roll calls"
            " are answered only by whoever really answered.",
            f"Hub {self.hub.code} played with its own name, PIN, playbook and location; the"
            " scenario's `hub:` block was not used.",
        ]
        pin = self.spec.hub.pin
        if any(i.text and pin in i.text.body for i in self.spec.injects) and not verify_pin(
            pin, self.hub.pin_hash
        ):
            notes.append(
                f"The scenario's texts give PIN {pin}, which is not hub {self.hub.code}'s:"
                " the service refused them as it would a wrong PIN."
            )
        if self.speed != 1:
            notes.append(
                f"Speed {self.speed:g}: the scenario's times (`at`, `by`) were divided by it;"
                " the `within` spans of the expectations are real time."
            )
        if any(i.cap is not None for i in self.spec.injects) and not (
            self.hub.sgc or self.hub.lat is not None
        ):
            notes.append(
                f"Hub {self.hub.code} has no location, so no alert can reach it:"
                f" `hubbot hub set {self.hub.code} --lat --lon` or `--sgc`."
            )
        coordinators = [p.id for p in self.spec.personas if p.coordinator]
        if coordinators:
            notes.append(
                f"Coordinator personas ({', '.join(coordinators)}) were not made coordinators:"
                " only real coordinators who are members of the hub hear a drill."
            )
        if self.refusals:
            notes.append(
                f"{len(self.refusals)} text(s) were refused by the service: {self.refusals[0]}"
            )
        return notes
