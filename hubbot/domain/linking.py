"""One person on SMS and Telegram: LINK/LIER proves both addresses are theirs with a code."""

from __future__ import annotations

import re
from datetime import timedelta

from hubbot.domain.commands import Command
from hubbot.domain.context import Context
from hubbot.domain.effects import FailLink, LogActivity, MergePeople, Outcome, StartLink
from hubbot.domain.models import member_label

CODE_LIFETIME = timedelta(minutes=15)
CODE_ATTEMPTS = 3
_CODE = re.compile(r"^\d{6}$")


def on_link_account(cmd: Command, ctx: Context, out: Outcome) -> None:
    """LINK <phone or @username> sends a code there; LINK <code> from here completes it."""
    arg = cmd.args.strip()
    sender = ctx.sender
    if _CODE.match(arg):
        if ctx.link_pending is None:
            out.messages.append(ctx.reply("link.no_pending"))
        elif not ctx.link_code_valid:
            out.effects.append(FailLink(sender.id))
            left = CODE_ATTEMPTS - ctx.link_attempts - 1
            key = "link.bad_code" if left > 0 else "link.too_many"
            out.messages.append(ctx.reply(key))
        else:
            out.effects.append(MergePeople(sender.id, ctx.link_pending))
            out.effects.append(
                LogActivity(
                    None, sender.id, None, "accounts_linked", member_label(ctx.link_pending)
                )
            )
            out.messages.append(ctx.reply("link.merged"))
        return
    target = ctx.target
    if target is None:
        if cmd.person is None:
            out.messages.append(ctx.reply("link.account_usage"))
        else:
            out.messages.append(ctx.reply("error.unknown_person", person=arg))
        return
    if target.id == sender.id:
        out.messages.append(ctx.reply("link.same"))
        return
    out.effects.append(StartLink(sender.id, target.id, ctx.link_code, ctx.now + CODE_LIFETIME))
    out.messages.append(ctx.tell(target.id, "link.code", code=ctx.link_code))
    out.messages.append(ctx.reply("link.code_sent"))
