"""`hubbot hub close CODE`: close a hub from the console, with what FERMER/CLOSE does by text.

What closing means is decided once, in the core (`close_hub` in domain/opening.py), and
written by the service's one `apply`: the coordinators are alerted, the members told, and the
activity log says the operator did it. The texts go into the outbox, which the running
service sends (it looks at least every few seconds); `hubbot outbox` shows them waiting.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TextIO

from telegram import Bot

from hubbot.channels.base import Channel
from hubbot.channels.simulator import SimulatorChannel
from hubbot.channels.sms_policy import SmsPolicy
from hubbot.channels.telegram.send import TelegramChannel
from hubbot.cli.console import (
    OPERATOR,
    UsageError,
    catalogs_and_playbooks,
    hub_named,
    store,
)
from hubbot.clock import Clock, SystemClock
from hubbot.domain.effects import Outcome
from hubbot.domain.messages import Msg
from hubbot.domain.opening import Closer, close_hub
from hubbot.domain.playbook import Playbook
from hubbot.i18n import Renderer
from hubbot.service.alerts import Alerts
from hubbot.service.apply import Effects
from hubbot.service.outbound import Origin, Outbound
from hubbot.settings import Settings
from hubbot.store import hubs, people
from hubbot.store.conn import Store


def console_effects(
    settings: Settings,
    db: Store,
    renderer: Renderer,
    playbooks: Mapping[str, Playbook],
    clock: Clock,
) -> Effects:
    """The service's way to apply an outcome, wired as the composition root wires it. Texts are
    only written here, never sent, so the channels serve to shape them: SMS by the same policy
    Twilio and the simulator use, Telegram by its message length."""
    policy = SmsPolicy(settings.sms_mps, settings.sms_max_segments, settings.sms_fold_accents)
    channels: dict[str, Channel] = {"sms": SimulatorChannel(db, clock, policy)}
    if settings.telegram_token is not None:
        channels["telegram"] = TelegramChannel(Bot(settings.telegram_token.get_secret_value()))
    outbound = Outbound(renderer, channels, clock)
    keys = renderer.all_keys()
    templates = frozenset(k.removeprefix("template.") for k in keys if k.startswith("template."))
    return Effects(outbound, Alerts(outbound, playbooks, templates, settings.timezone))


async def hub_close(
    settings: Settings, code: str, out: TextIO | None = None, clock: Clock | None = None
) -> int:
    """Close an open hub as its lead would by text; a closed hub is left as it is."""
    out = out or sys.stdout
    renderer, playbooks = catalogs_and_playbooks(settings)
    clock = clock or SystemClock()
    outcome = Outcome()
    async with store(settings) as db:
        effects = console_effects(settings, db, renderer, playbooks, clock)
        async with db.transaction() as conn:
            record = await hub_named(conn, code)
            if record.playbook_id not in playbooks:
                raise UsageError(
                    f"hub {record.code} uses playbook {record.playbook_id!r}, not found"
                )
            hub = await hubs.load(conn, record, playbooks)
            if not hub.is_active:
                print(f"Hub {hub.code} ({hub.name}) is already closed.", file=out)
                return 0
            closer = Closer(None, OPERATOR, Msg("coord.by_operator"))
            close_hub(hub, await people.coordinators(conn), closer, outcome)
            # From the hub's own SMS number, if it has one, as when its lead texts FERMER.
            origin = Origin(from_number=record.sms_number)
            await effects.outcome(conn, outcome, clock.now(), origin)
    keys = [message.msg.key for message in outcome.messages]
    print(
        f"Hub {hub.code} ({hub.name}) is closed; told {keys.count('coord.hub_closed')}"
        f" coordinator(s) and {keys.count('close.members')} member(s) (see `hubbot outbox`).",
        file=out,
    )
    return 0
