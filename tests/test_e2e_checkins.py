"""Check-ins end to end: `hubbot run` with a fast test playbook, real time, real scheduler.

Windows are a second or two, so the suite stays quick; every step's timing is tested with an
injected clock in test_checkins.py and test_timed.py.
"""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.service import ROOT, Service, eventually

LEAD, ANSWERS, SILENT, COORD = "+15145550101", "+15145550102", "+15145550103", "+15145550199"


def _service(tmp_path: Path, every: str, window: str) -> Service:
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    text = (ROOT / "playbooks" / "community-hub.yaml").read_text(encoding="utf-8")
    text = text.replace("    every: 2h\n", f"    every: {every}\n").replace(
        "    window: 15m\n", f"    window: {window}\n"
    )
    assert f"every: {every}" in text and f"window: {window}" in text
    (playbooks / "community-hub.yaml").write_text(text, encoding="utf-8")
    svc = Service(tmp_path)
    svc.env["HUBBOT_PLAYBOOKS_DIR"] = str(playbooks)
    return svc


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    """Rounds come by themselves every 6 s; each silent window is 1 s."""
    svc = _service(tmp_path, every="6s", window="1s")
    yield svc
    await svc.close()


@pytest.fixture
async def manual(tmp_path: Path) -> AsyncIterator[Service]:
    """No round comes by itself during the test (every 2 h); the lead starts one. Windows are
    2 s, long enough that a restart falls inside the escalation."""
    svc = _service(tmp_path, every="2h", window="2s")
    yield svc
    await svc.close()


async def _round_under_way(service: Service, *, started_by_lead: bool = False) -> None:
    await service.start()
    await service.cli("coordinator", "add", COORD)
    await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    await service.text(LEAD, "ACTIVER PLATEAU 2468")
    await service.text(LEAD, f"ASSIGNER {ANSWERS} accueil")
    await service.text(LEAD, f"ASSIGNER {SILENT} besoins et offres")
    if started_by_lead:
        await service.expect(SILENT, lambda t: "besoins" in t.lower())  # the task card
        await service.text(LEAD, "POINTAGE")
    await service.expect(ANSWERS, lambda t: t.startswith("Pointage PLATEAU"), within=30)
    await service.expect(SILENT, lambda t: t.startswith("Pointage PLATEAU"), within=5)
    await service.text(ANSWERS, "OK")
    await service.expect(ANSWERS, lambda t: t == "Merci, pointage noté.")
    await service.expect(SILENT, lambda t: t.startswith("Rappel pointage"), within=6)
    await service.expect(LEAD, lambda t: "ne répond pas" in t, within=6)


async def test_a_silent_holder_is_asked_again_then_the_lead_then_the_coordinator_is_told(
    service: Service,
) -> None:
    await _round_under_way(service)
    await service.expect(COORD, lambda t: "ne répond pas" in t, within=6)
    summary = await service.expect(
        LEAD, lambda t: t.startswith("Pointage état des postes"), within=6
    )
    assert "Silence : M" in summary and "OK : M" in summary


async def test_a_sigkill_mid_escalation_continues_where_it_was(manual: Service) -> None:
    service = manual
    await _round_under_way(service, started_by_lead=True)
    # Delivery is at least once: a send the kill cuts short goes again after the restart. Kill
    # once the lead's alert is recorded as sent, so a second one could only be a repeated step.
    in_flight = "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND address = ?"
    assert await eventually(lambda: service.query(in_flight, (f"sms:{LEAD}",)) == [(0,)])
    await service.stop(signal.SIGKILL)
    await service.start()
    await service.expect(COORD, lambda t: "ne répond pas" in t, within=10)
    summary = await service.expect(
        LEAD, lambda t: t.startswith("Pointage état des postes"), within=10
    )
    assert "Silence : M" in summary
    lead_alerts = [t for t in await _all(service, LEAD) if "ne répond pas" in t]
    reminders = [t for t in await _all(service, SILENT) if t.startswith("Rappel")]
    assert len(lead_alerts) == 1 and len(reminders) == 1, "no step repeated, none skipped"


async def _all(service: Service, phone: str) -> list[str]:
    assert service.session is not None
    params = {"to": phone, "after": "0"}
    async with service.session.get(f"{service.url}/sim/outbound", params=params) as resp:
        messages = await resp.json()
    # Only the first round's messages.
    first_summary = next(
        (
            i
            for i, m in enumerate(messages)
            if str(m["text"]).startswith("Pointage état des postes")
        ),
        len(messages),
    )
    return [str(m["text"]) for m in messages[: first_summary + 1]]
