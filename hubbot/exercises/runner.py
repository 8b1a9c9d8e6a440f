"""Play a scenario against the whole service in-process, on a clock only the runner moves."""

from __future__ import annotations

import logging
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from hubbot.addresses import normalize_phone
from hubbot.app import Hubbot
from hubbot.channels.base import InboundMessage
from hubbot.channels.simulator import SimulatorChannel
from hubbot.channels.simulator.parse import parse_sim_inbound
from hubbot.domain.playbook import Playbook
from hubbot.domain.sms import segment_count
from hubbot.exercises.agenda import Agenda
from hubbot.exercises.loader import Scenario, ScenarioError
from hubbot.exercises.records import Run, collect
from hubbot.exercises.schema import InjectSpec, PersonaSpec, parse_span
from hubbot.playbooks.loader import Problem
from hubbot.security import hash_pin
from hubbot.service.ingest import JournalIngest
from hubbot.settings import Settings
from hubbot.store import hubs, people, schedule

log = logging.getLogger(__name__)

STEP = timedelta(seconds=30)  # the longest the clock jumps, so nothing due is stepped over
TAIL = timedelta(hours=1)  # run this long after the last inject unless the scenario says
SETTLE_ROUNDS = 10_000  # a guard: the workers always run out of work long before


class ExerciseClock:
    """The service's clock during an exercise: it moves only when the runner moves it."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current


class Runner:
    def __init__(self, scenario: Scenario, base: Settings, workdir: Path) -> None:
        self.scenario = scenario
        self.spec = scenario.spec
        self.t0 = datetime.fromisoformat(self.spec.start)
        self.clock = ExerciseClock(self.t0)
        self.region = base.default_region
        self.settings = base.model_copy(
            update={
                "database": str(workdir / "exercise.db"),
                "seed_demo": False,
                "twilio_account_sid": None,
                "twilio_auth_token": None,
                "telegram_token": None,
            }
        )
        self.addresses: dict[str, str] = {}  # persona id -> address
        self.personas: dict[str, PersonaSpec] = {}  # address -> persona
        self.crowd: set[str] = set()
        self.outage_until: datetime | None = None
        self.played: list[tuple[InjectSpec, str]] = []
        self.sequence = 0

    async def run(self) -> Run:
        started = time.perf_counter()
        self.app = await Hubbot.build(self.settings, self.clock)
        try:
            sim = self.app.channels["sms"]
            assert isinstance(sim, SimulatorChannel), "an exercise runs on the simulator"
            self.sim = sim
            if any(p.telegram is not None for p in self.spec.personas):
                # Outbound and the dispatcher share this mapping: Telegram personas get a mailbox.
                self.app.channels["telegram"] = SimulatorChannel(
                    self.app.delivery_db, self.clock, name="telegram"
                )
            # The runner drives the workers itself, so the ingest need wake nobody.
            self.ingest = JournalIngest(self.app.db, self.clock, lambda: None)
            playbook = self._playbook()
            self.agenda = Agenda(
                self.app.db,
                self.personas,
                self.crowd,
                parse_span(self.spec.answer_delay),
                tuple(checkin.prompt for checkin in playbook.checkins),
                self.t0,
            )
            self.hub_id = await self._setup()
            end = await self._play()
            records = await collect(self.app.db, self.hub_id, self._segments)
        finally:
            await self.app.stop()
        return Run(
            self.scenario,
            self.t0,
            end,
            records,
            {address: p.id for address, p in self.personas.items()},
            self.crowd,
            self.played,
            time.perf_counter() - started,
            self.hub_id,
            tuple(r.id for r in playbook.roles if r.priority),
            {r.id: r.name.en for r in playbook.roles},
            {m.id for m in records.inbound if playbook.is_life_safety(m.text)},
        )

    def _playbook(self) -> Playbook:
        found = self.app.processor.playbooks.get(self.spec.hub.playbook)
        if found is None:
            where = f"{self.settings.playbooks_dir} has {', '.join(self.app.processor.playbooks)}"
            message = f"hub.playbook: no playbook {self.spec.hub.playbook!r} ({where})"
            raise ScenarioError([Problem(str(self.scenario.path), 0, message)])
        return found

    def _segments(self, channel: str, text: str) -> int:
        if channel != "sms":
            return 1  # a chat message is one message, whatever its length
        return sum(segment_count(part) for part in self.sim.shape(text))

    async def _setup(self) -> int:
        hub = self.spec.hub
        now = self.clock.now()
        async with self.app.db.transaction() as conn:
            hub_id = await hubs.create(
                conn,
                hub.code,
                hub.name,
                hash_pin(hub.pin),
                hub.locale,
                self._phone(hub.sms_number) if hub.sms_number else None,
                hub.playbook,
                now,
            )
            if hub.address:
                await hubs.set_address(conn, hub_id, hub.address)
            await hubs.set_place(conn, hub_id, hub.lat, hub.lon, hub.sgc)
            # Exercise mode: every text says EXERCICE / EXERCISE, as in a live drill.
            await hubs.set_exercise(conn, hub_id, True)
            for persona in self.spec.personas:
                address = (
                    f"sms:{self._phone(persona.phone)}"
                    if persona.phone
                    else f"telegram:{persona.telegram}"
                )
                self.addresses[persona.id] = address
                self.personas[address] = persona
                if persona.coordinator:
                    person = await people.create(conn, address, persona.language, now)
                    await people.set_coordinator(conn, person.id)
                    # A member of the hub: a coordinator in the scenario hears the exercise.
                    await hubs.join(conn, hub_id, person.id, now)
        return hub_id

    def _phone(self, number: str) -> str:
        e164 = normalize_phone(number, self.region)
        assert e164 is not None, "the loader checked every number"
        return e164

    async def _play(self) -> datetime:
        injects = sorted(self.spec.injects, key=lambda inject: inject.offset)
        last = self.t0 + injects[-1].offset
        end = self.t0 + parse_span(self.spec.duration) if self.spec.duration else last + TAIL
        pending = [(self.t0 + inject.offset, inject) for inject in injects]
        while True:
            now = self.clock.now()
            while pending and pending[0][0] <= now:
                await self._inject(pending.pop(0)[1])
            for address, text in await self.agenda.due(now):
                await self._text(address, text)
            if self.outage_until is not None and self.outage_until <= now:
                self.sim.network_up, self.outage_until = True, None
            await self._settle()
            await self.agenda.look(self.clock.now())
            if now >= end:
                return now
            self.clock.current = await self._next(now, end, pending)

    async def _next(
        self, now: datetime, end: datetime, pending: list[tuple[datetime, InjectSpec]]
    ) -> datetime:
        """The next moment something may happen, at most a STEP away."""
        candidates = [now + STEP, end]
        if pending:
            candidates.append(pending[0][0])
        if (planned := self.agenda.next_time()) is not None:
            candidates.append(planned)
        if self.outage_until is not None:
            candidates.append(self.outage_until)
        due = await schedule.next_time(self.app.db)
        if due is not None:
            candidates.append(due)
        wait = self.app.dispatcher.last_wait
        if wait is not None:
            candidates.append(now + timedelta(seconds=wait))
        return max(now + timedelta(milliseconds=1), min(candidates))

    async def _settle(self) -> None:
        """Let the processor, scheduler and dispatcher work until none has anything left now."""
        for _ in range(SETTLE_ROUNDS):
            done = await self.app.processor.drain()
            done += await self.app.scheduler.tick()
            done += await self.app.dispatcher.run_once()
            if not done:
                return
        log.warning("the workers were still busy after %d rounds", SETTLE_ROUNDS)

    async def _inject(self, inject: InjectSpec) -> None:
        now = self.clock.now()
        if inject.text is not None:
            await self._text(self.addresses[inject.text.persona], inject.text.body)
            self.played.append((inject, f"{inject.text.persona} texted {inject.text.body!r}"))
        elif inject.crowd is not None:
            crowd = inject.crowd
            spread = parse_span(crowd.over) if crowd.over else timedelta()
            join = "REJOINDRE" if crowd.language == "fr" else "JOIN"
            body = crowd.body or f"{join} {self.spec.hub.code}"
            for i in range(crowd.count):
                address = f"sms:+1438555{1000 + len(self.crowd):04d}"
                self.crowd.add(address)
                at = now + spread * i / crowd.count
                self.agenda.add(at, address, body)
            self.played.append((inject, f"{crowd.count} neighbours texted"))
        elif inject.sms_down is not None:
            self.sim.network_up = False
            self.outage_until = now + parse_span(inject.sms_down.for_)
            self.played.append((inject, "SMS sends fail (and are retried) for that long"))
        elif inject.silent is not None:
            address = self.addresses[inject.silent.persona]
            self.agenda.silent_until[address] = now + parse_span(inject.silent.for_)
            self.played.append((inject, f"{inject.silent.persona} answers nothing until then"))
        elif inject.cap is not None:
            self.played.append((inject, await self._cap(inject.cap.file)))

    async def _cap(self, name: str) -> str:
        if self.app.cap is None:
            return "SKIPPED: this hubbot has no CAP relay to hand the alert to"
        data = self.scenario.cap_file(name).read_bytes()
        number = await self.app.cap.receive(data, "exercise")
        if number is None:
            return "not taken in: a heartbeat, or a copy of an alert already received"
        row = await self.app.db.fetchone(
            "SELECT outcome, reason FROM cap_alerts WHERE id = ?", (number,)
        )
        outcome = f"{row[0]}{f' ({row[1]})' if row[1] else ''}" if row else "received"
        return f"alert A{number}: {outcome}"

    async def _text(self, address: str, body: str) -> None:
        """In through the simulator webhook's own steps: read as its JSON, then the ingest."""
        self.sequence += 1
        external = f"exercise-{self.sequence}"
        if address.startswith("telegram:"):
            message = InboundMessage("telegram", external, address, body)
        else:
            parsed = parse_sim_inbound(
                {"from": address.removeprefix("sms:"), "text": body, "to": self.spec.hub.sms_number}
                if self.spec.hub.sms_number
                else {"from": address.removeprefix("sms:"), "text": body},
                lambda number: normalize_phone(number, self.region),
            )
            message = InboundMessage(
                "sms", external, parsed.address, parsed.text, to_address=parsed.to_address
            )
        await self.ingest(message)


async def run_scenario(scenario: Scenario, base: Settings) -> Run:
    """Run `scenario` on a fresh database in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="hubbot-exercise-") as workdir:
        return await Runner(scenario, base, Path(workdir)).run()
