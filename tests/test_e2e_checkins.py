"""Check-ins end to end: `hubbot run` with a fast test playbook, real time, real scheduler."""

from __future__ import annotations

import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.service import ROOT, Service

LEAD, ANSWERS, SILENT, COORD = "+15145550101", "+15145550102", "+15145550103", "+15145550199"


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[Service]:
    playbooks = tmp_path / "playbooks"
    playbooks.mkdir()
    text = (ROOT / "playbooks" / "community-hub.yaml").read_text(encoding="utf-8")
    text = text.replace("    every: 2h\n", "    every: 20s\n").replace(
        "    window: 15m\n", "    window: 3s\n"
    )
    assert "every: 20s" in text and "window: 3s" in text
    (playbooks / "community-hub.yaml").write_text(text, encoding="utf-8")
    svc = Service(tmp_path)
    svc.env["HUBBOT_PLAYBOOKS_DIR"] = str(playbooks)
    yield svc
    await svc.close()


async def _round_under_way(service: Service) -> None:
    await service.start()
    await service.cli("coordinator", "add", COORD)
    await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    await service.text(LEAD, "ACTIVER PLATEAU 2468")
    await service.text(LEAD, f"ASSIGNER {ANSWERS} accueil")
    await service.text(LEAD, f"ASSIGNER {SILENT} besoins et offres")
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
    summary = await service.expect(LEAD, lambda t: t.startswith("Pointage status"), within=6)
    assert "Silence : M" in summary and "OK : M" in summary


async def test_a_sigkill_mid_escalation_continues_where_it_was(service: Service) -> None:
    await _round_under_way(service)
    await service.stop(signal.SIGKILL)
    await service.start()
    await service.expect(COORD, lambda t: "ne répond pas" in t, within=10)
    summary = await service.expect(LEAD, lambda t: t.startswith("Pointage status"), within=10)
    assert "Silence : M" in summary
    lead_alerts = [t for t in await _all(service, LEAD) if "ne répond pas" in t]
    reminders = [t for t in await _all(service, SILENT) if t.startswith("Rappel")]
    assert len(lead_alerts) == 1 and len(reminders) == 1, "no step repeated, none skipped"


async def _all(service: Service, phone: str) -> list[str]:
    assert service.session is not None
    params = {"to": phone, "after": "0"}
    async with service.session.get(f"{service.url}/sim/outbound", params=params) as resp:
        messages = await resp.json()
    # Only the first round: later rounds start every 20 s.
    first_summary = next(
        (i for i, m in enumerate(messages) if str(m["text"]).startswith("Pointage status")),
        len(messages),
    )
    return [str(m["text"]) for m in messages[: first_summary + 1]]
