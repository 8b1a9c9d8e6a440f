"""End to end: `hubbot run` as a subprocess, driven only through its CLI and simulator HTTP API."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import aiohttp

from tests.service import Service, eventually

COORD = "+15145550199"
LEAD, HELPER, VOLUNTEER, OTHER = "+15145550101", "+15145550102", "+15145550103", "+15145550104"
EN_LEAD, EN_HELPER, EN_VOLUNTEER = "+16135550101", "+16135550102", "+16135550103"


async def test_a_first_start_seeds_the_demo_hub_and_prints_how_to_talk_to_it(
    service: Service,
) -> None:
    await service.start()
    banner = "".join(service.stdout)
    assert "Demo hub DEMO created. Its PIN is" in banner
    pin = banner.split("Its PIN is ")[1].split()[0]
    assert f"ACTIVATE DEMO {pin}" in banner and "hubbot chat --from" in banner
    assert f"Console: {service.url}/login" in banner, "where coordinators log in"
    assert "hubbot user add NAME --role coordinator --password-stdin" in banner
    await service.text(LEAD, f"ACTIVATE DEMO {pin}")
    await service.expect(LEAD, lambda t: "is now OPEN" in t)
    code, listing = await service.cli("hub", "list")
    assert code == 0 and "DEMO" in listing and "active" in listing


async def test_a_french_hub_is_opened_staffed_and_routes_a_need(service: Service) -> None:
    await service.start()
    assert (await service.cli("coordinator", "add", COORD))[0] == 0
    code, out = await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    assert code == 0, out
    await service.text(LEAD, "ACTIVER PLATEAU 2468")
    await service.expect(LEAD, lambda t: "Plateau est maintenant OUVERT" in t)
    await service.expect(
        LEAD, lambda t: t.startswith("Votre poste au centre PLATEAU : Responsable du centre")
    )
    await service.expect(COORD, lambda t: "Centre PLATEAU (Plateau) OUVERT" in t)

    await service.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    card = await service.expect(
        HELPER, lambda t: t.startswith("Votre poste au centre PLATEAU : Besoins et offres")
    )
    assert "tableau" in card.lower() or "besoins" in card.lower()

    await service.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await service.expect(VOLUNTEER, lambda t: t.startswith("Bienvenue"))
    await service.text(VOLUNTEER, "BESOIN eau potable pour 3 personnes")
    ack = await service.expect(VOLUNTEER, lambda t: t.startswith("Besoin N"))
    need_id = ack.split()[1]
    relayed = await service.expect(HELPER, lambda t: need_id in t)
    assert "eau potable pour 3 personnes" in relayed and VOLUNTEER[2:] not in relayed

    await service.text(VOLUNTEER, "ASSIGNER 514-555-0104 accueil")
    await service.expect(VOLUNTEER, lambda t: t.startswith("ASSIGNER : Responsable du centre"))
    await service.text(OTHER, "ACTIVER PLATEAU 0000")
    await service.expect(OTHER, lambda t: t.startswith("NIP erroné"))


async def test_an_english_hub_works_the_same_way_in_english(service: Service) -> None:
    await service.start()
    code, out = await service.cli(
        "hub", "add", "NEWTOWN", "--name", "Newtown School", "--pin", "1357", "--locale", "en"
    )
    assert code == 0, out
    await service.text(EN_LEAD, "ACTIVATE NEWTOWN 1357")
    await service.expect(EN_LEAD, lambda t: t.startswith("Your role at hub NEWTOWN: Hub lead"))
    await service.text(EN_LEAD, "ASSIGN (613) 555-0102 needs & offers")
    await service.expect(
        EN_HELPER, lambda t: t.startswith("Your role at hub NEWTOWN: Needs & offers")
    )
    await service.text(EN_VOLUNTEER, "JOIN NEWTOWN")
    await service.text(EN_VOLUNTEER, "NEED drinking water for 3 people")
    ack = await service.expect(EN_VOLUNTEER, lambda t: t.startswith("Need N"))
    assert "sent to Needs & offers" in ack
    await service.expect(EN_HELPER, lambda t: t.startswith(f"New need {ack.split()[1]} (Water)"))
    await service.text(EN_VOLUNTEER, "ASSIGN 613-555-0104 reception")
    await service.expect(EN_VOLUNTEER, lambda t: t.startswith("ASSIGN: Hub lead only."))
    await service.text(EN_VOLUNTEER, "ACTIVATE NEWTOWN 0000")
    await service.expect(EN_VOLUNTEER, lambda t: t.startswith("Wrong PIN."))


async def test_a_restart_keeps_everything_and_sends_what_was_still_queued(
    service: Service, tmp_path: Path
) -> None:
    await service.start()
    await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    await service.text(LEAD, "ACTIVER PLATEAU 2468")
    await service.text(LEAD, "ASSIGNER 514-555-0102 besoins et offres")
    await service.text(VOLUNTEER, "REJOINDRE PLATEAU")
    await service.text(VOLUNTEER, "BESOIN couvertures")
    await service.expect(HELPER, lambda t: t.startswith("Nouveau besoin N1"))
    await service.expect(VOLUNTEER, lambda t: t.startswith("Besoin N1"))

    # The network goes down: the next reply stays in the outbox.
    assert (await service.post("/sim/network", {"up": False}))[0] == 200
    await service.text(VOLUNTEER, "AIDE")
    # Only the volunteer's queue: other people's messages (a long task card, paced at one
    # segment a second) may still be waiting too, depending on how fast this machine is.
    # Pending, or being tried again (a try against the down network marks it sending, then
    # pending): either way still in the outbox, not lost and not delivered.
    pending = "SELECT COUNT(*) FROM outbox WHERE status IN ('pending', 'sending') AND address = ?"
    theirs = (f"sms:{VOLUNTEER}",)
    assert await eventually(lambda: service.query(pending, theirs) != [(0,)], within=5)
    assert service.query(pending, theirs) == [(1,)], "the help reply waits for the network"
    assert await service.stop() == 0, "SIGTERM is a clean shutdown"

    await service.start()
    help_reply = await service.expect(VOLUNTEER, lambda t: "ARRET" in t)
    assert help_reply.startswith("Plateau - vos commandes : BESOIN")
    await service.text(LEAD, "ROLES")
    roster = await service.expect(LEAD, lambda t: t.startswith("Postes à PLATEAU"))
    assert "Besoins et offres : M" in roster
    await service.text(VOLUNTEER, "BESOIN lampes de poche")
    await service.expect(HELPER, lambda t: t.startswith("Nouveau besoin N2"))


async def test_bad_requests_get_clear_errors_and_health_is_reported(service: Service) -> None:
    await service.start()
    status, body = await service.post("/sim/inbound", {"text": "hi"})
    assert status == 400 and "from" in body["error"]
    status, body = await service.post("/sim/inbound", {"from": "not a phone", "text": "hi"})
    assert status == 400 and "valid phone number" in body["error"]
    status, body = await service.post("/sim/inbound", {"from": LEAD, "text": "   "})
    assert status == 400 and "text" in body["error"]
    status, body = await service.post("/sim/inbound", ["a list"])
    assert status == 400
    assert service.session is not None
    async with service.session.get(f"{service.url}/sim/outbound?to=abc") as resp:
        assert resp.status == 400
    async with service.session.get(f"{service.url}/nowhere") as resp:
        assert resp.status == 404 and "error" in await resp.json()
    code, out = await service.cli("hub", "add", "X", "--name", "n", "--pin", "12")
    assert code == 1 and "hub code" in out


async def test_hubbot_chat_sends_typed_lines_and_prints_the_replies(service: Service) -> None:
    await service.start()
    await service.cli("hub", "add", "PLATEAU", "--name", "Plateau", "--pin", "2468")
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "hubbot",
        "chat",
        "--from",
        "514 555 0177",
        "--url",
        service.url,
        cwd=service.workdir,
        env=service.env,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(b"JOIN PLATEAU\nHELP\n"), 30)
    text = out.decode()
    assert proc.returncode == 0, text
    assert "Texting as +15145550177" in text
    assert "< You joined Plateau (member M1)" in text
    assert "< Plateau - your commands: NEED, OFFER" in text


async def test_a_console_page_left_open_does_not_hold_up_a_shutdown(service: Service) -> None:
    await service.start()
    password = "correct horse battery"
    add = ("user", "add", "marie", "--role", "coordinator", "--password-stdin")
    assert (await service.cli(*add, stdin=f"{password}\n"))[0] == 0
    jar = aiohttp.CookieJar(unsafe=True)  # cookies for 127.0.0.1
    async with aiohttp.ClientSession(cookie_jar=jar) as browser:
        async with browser.get(f"{service.url}/login") as login:
            found = re.search(r'name="csrf" value="([^"]+)"', await login.text())
        assert found is not None
        form = {"username": "marie", "password": password, "csrf": found.group(1)}
        async with browser.post(f"{service.url}/login", data=form) as region:
            assert region.status == 200 and "/login" not in str(region.url)
        async with browser.get(f"{service.url}/events") as live:  # the page's live stream
            assert live.headers["Content-Type"].startswith("text/event-stream")
            loop = asyncio.get_running_loop()
            asked = loop.time()
            assert await service.stop() == 0, "SIGTERM is a clean shutdown"
            # An open stream would hold the server's exit for aiohttp's 60 s; a supervisor
            # stopping the service would kill it first.
            assert loop.time() - asked < 15
            assert await live.content.read() == b"", "the stream was ended, not cut"
