"""HTTP routes of the simulator: text in as a phone would, read what the phone received."""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from hubbot.addresses import normalize_phone
from hubbot.channels import decoding
from hubbot.channels.base import InboundMessage, Ingest
from hubbot.channels.simulator.parse import parse_sim_inbound
from hubbot.channels.simulator.send import SimulatorChannel
from hubbot.domain.numbers import parse_number

log = logging.getLogger(__name__)


def sim_routes(
    sim: SimulatorChannel,
    ingest: Ingest,
    region: str,
    wake: Callable[[], None],
    token: str | None = None,
) -> list[web.RouteDef]:
    """The simulator's routes; with a `token`, each request must carry it as a bearer token.
    `wake` is called when the simulated network comes back, so held sends go out.

    Whoever reaches these routes can text as anyone, the coordinator included: the composition
    root serves them only on a loopback host, or behind HUBBOT_SIM_TOKEN.
    """

    def normalize(number: str) -> str | None:
        return normalize_phone(number, region)

    async def post_inbound(request: web.Request) -> web.Response:
        try:
            data = decoding.loads(await request.read())
        except ValueError:
            return _error(400, "the body must be JSON")
        try:
            message = parse_sim_inbound(data, normalize)
        except ValueError as exc:
            return _error(400, str(exc))
        provider_id = message.provider_id or f"sim-{uuid.uuid4()}"
        inbound_id = await ingest(
            InboundMessage(
                "sms", provider_id, message.address, message.text, to_address=message.to_address
            )
        )
        # Stored (and committed) by the ingest; only now do we acknowledge.
        status = 202 if inbound_id is not None else 200
        return web.json_response({"id": inbound_id, "duplicate": inbound_id is None}, status=status)

    async def get_outbound(request: web.Request) -> web.Response:
        to = request.query.get("to", "")
        e164 = normalize(to)
        if e164 is None:
            return _error(400, "give ?to= a valid phone number, like +15145550101")
        after = parse_number(request.query.get("after", "0"))
        if after is None:
            return _error(400, "?after= must be a message id (a number)")
        messages = await sim.mailbox(f"sms:{e164}", after)
        return web.json_response(
            [{"id": m.id, "to": e164, "text": m.text, "at": m.at} for m in messages]
        )

    async def post_network(request: web.Request) -> web.Response:
        try:
            data = decoding.loads(await request.read())
        except ValueError:
            return _error(400, "the body must be JSON")
        if not isinstance(data, dict) or not isinstance(data.get("up"), bool):
            return _error(400, 'send {"up": true} or {"up": false}')
        sim.network_up = data["up"]
        log.warning("simulated network is now %s", "up" if sim.network_up else "DOWN")
        if sim.network_up:
            wake()
        return web.json_response({"up": sim.network_up})

    def guarded(handler: Handler) -> Handler:
        return handler if token is None else _bearer(token, handler)

    return [
        web.post("/sim/inbound", guarded(post_inbound)),
        web.get("/sim/outbound", guarded(get_outbound)),
        web.post("/sim/network", guarded(post_network)),
    ]


Handler = Callable[[web.Request], Awaitable[web.Response]]


def _bearer(token: str, handler: Handler) -> Handler:
    """Refuse (401) a request without `Authorization: Bearer <token>`; compared in constant
    time, so the answer's timing says nothing about how much of a guess was right."""
    expected = f"Bearer {token}".encode()

    async def checked(request: web.Request) -> web.Response:
        given = request.headers.get("Authorization", "")
        if not hmac.compare_digest(given.encode("utf-8", "replace"), expected):
            log.warning(
                "refused %s %s from %s: %s simulator token",
                request.method,
                request.path,
                request.remote,
                "missing" if not given else "wrong",
            )
            response = _error(401, "this simulator needs its token: Authorization: Bearer ...")
            response.headers["WWW-Authenticate"] = 'Bearer realm="hubbot simulator"'
            return response
        return await handler(request)

    return checked


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)
