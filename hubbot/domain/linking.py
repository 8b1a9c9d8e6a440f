"""One person on SMS and Telegram: LINK/LIER proves both addresses are theirs with a code.

A code is six digits, so guessing must stay slow: each code takes three tries, an address gets
at most three codes an hour whoever asks, and ten wrong codes in a day lock LINK for the one
typing them. A code goes only to an address that has written to hubbot (so LINK cannot bomb a
stranger's phone), and the reply never says whether it went. Linking takes over the other
record's hubs and roles, so a coordinator's or a role holder's address must say YES itself.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hubbot.domain.commands import Command, CommandId, CommandSpec
from hubbot.domain.context import Context
from hubbot.domain.effects import LogActivity, Outcome
from hubbot.domain.facts import LinkFacts
from hubbot.domain.link_effects import FailLink, MergePeople, StartLink
from hubbot.domain.messages import Outgoing
from hubbot.domain.models import member_label

CODE_LIFETIME = timedelta(minutes=15)
CODE_ATTEMPTS = 3
CODES_PER_TARGET = 3  # codes one address may receive ...
CODES_WINDOW = timedelta(hours=1)  # ... in this long
WRONG_CODES = 10  # wrong codes one person may type ...
WRONG_WINDOW = timedelta(days=1)  # ... in this long, then LINK is locked for them
_CODE = re.compile(r"^\d{6}$")


def locked_until(failures: tuple[datetime, ...], now: datetime) -> datetime | None:
    """When LINK opens again for someone with these wrong codes, if it is locked now: once the
    oldest of their last WRONG_CODES leaves the window, so no day ever holds more."""
    recent = sorted(t for t in failures if t > now - WRONG_WINDOW)
    if len(recent) < WRONG_CODES:
        return None
    return recent[-WRONG_CODES] + WRONG_WINDOW


def _log(ctx: Context, out: Outcome, action: str, detail: str = "") -> None:
    target = ctx.of(LinkFacts).target
    hub_id = ctx.hub.id if ctx.hub else (target.hub_id if target else None)
    out.effects.append(LogActivity(hub_id, ctx.sender.id, None, action, detail[:200]))


def _locked(ctx: Context, until: datetime) -> Outgoing:
    shown = until.astimezone(ZoneInfo(ctx.timezone)).strftime("%Y-%m-%d %H:%M")
    return ctx.reply("link.locked", number=WRONG_CODES, until=shown)


def on_link_account(cmd: Command, ctx: Context, out: Outcome) -> None:
    """LINK <phone or @username> sends a code there; LINK <code> from here completes it."""
    link = ctx.of(LinkFacts)
    arg = cmd.args.strip()
    if (until := locked_until(link.failures, ctx.now)) is not None:
        _log(ctx, out, "link_locked", arg)
        out.messages.append(_locked(ctx, until))
        return
    if _CODE.match(arg):
        _enter_code(ctx, out)
    else:
        _request(cmd, ctx, out)


def _enter_code(ctx: Context, out: Outcome) -> None:
    link = ctx.of(LinkFacts)
    sender = ctx.sender
    if link.pending is None:
        _log(ctx, out, "link_no_request")
        out.messages.append(ctx.reply("link.no_pending"))
    elif link.confirm_by_target:
        # Only the other address may confirm this one: a code typed here proves nothing.
        _log(ctx, out, "link_refused", f"{member_label(link.pending)} must confirm")
        out.messages.append(ctx.reply("link.confirm_there"))
    elif not link.code_valid:
        _wrong(ctx, out, FailLink(sender.id), link.attempts)
    else:
        out.effects.append(MergePeople(sender.id, link.pending))
        _log(ctx, out, "accounts_linked", member_label(link.pending))
        out.messages.append(ctx.reply("link.merged"))


def _wrong(ctx: Context, out: Outcome, fail: FailLink, attempts: int) -> None:
    """Count a wrong code, and say what is left: a try, a new code, or nothing until later."""
    link = ctx.of(LinkFacts)
    out.effects.append(fail)
    _log(ctx, out, "link_wrong_code")
    until = locked_until((*link.failures, ctx.now), ctx.now)
    if until is not None:
        _log(ctx, out, "link_locked", f"{WRONG_CODES} wrong codes")
        out.messages.append(_locked(ctx, until))
        return
    left = CODE_ATTEMPTS - attempts - 1
    out.messages.append(ctx.reply("link.bad_code" if left > 0 else "link.too_many"))


def _request(cmd: Command, ctx: Context, out: Outcome) -> None:
    link = ctx.of(LinkFacts)
    target, arg = link.target, cmd.args.strip()
    if cmd.person is None:
        out.messages.append(ctx.reply("link.account_usage"))
        return
    if cmd.person.kind == "member" or not link.code:
        # Member numbers prove nothing about an address; a number that does not read is a typo.
        out.messages.append(ctx.reply("error.unknown_person", person=arg))
        return
    if target is not None and target.id == ctx.sender.id:
        out.messages.append(ctx.reply("link.same"))
        return
    # From here the reply is the same whether a code went or not: LINK must not tell who
    # uses hubbot, who holds a role, or how often someone was asked.
    said = ctx.reply("link.code_if_known")
    if target is None or not link.target_has_written:
        _log(ctx, out, "link_refused", "address never wrote")
    elif link.codes_to_target >= CODES_PER_TARGET:
        _log(ctx, out, "link_refused", f"{member_label(target.id)}: codes per hour")
    else:
        confirm = link.target_privileged
        code = link.code
        out.effects.append(
            StartLink(ctx.sender.id, target.id, code, ctx.now + CODE_LIFETIME, confirm)
        )
        if confirm:
            asker = member_label(ctx.sender.id)
            out.messages.append(ctx.tell(target.id, "link.confirm_code", code=code, member=asker))
        else:
            out.messages.append(ctx.tell(target.id, "link.code", code=code))
        detail = f"{member_label(target.id)}{' (they confirm)' if confirm else ''}"
        _log(ctx, out, "link_requested", detail)
    out.messages.append(said)


def on_link_confirm(cmd: Command, ctx: Context, out: Outcome) -> None:
    """YES <code> / OUI <code> from the address a coordinator's or role holder's link code
    went to: that address itself agrees, and keeps its member number and roles."""
    link = ctx.of(LinkFacts)
    if (until := locked_until(link.failures, ctx.now)) is not None:
        _log(ctx, out, "link_locked", "YES")
        out.messages.append(_locked(ctx, until))
        return
    if not link.requests:
        _log(ctx, out, "link_no_request", "YES")
        out.messages.append(ctx.reply("link.no_request"))
        return
    asker = link.confirm_from
    if asker is None:
        _wrong(ctx, out, FailLink(ctx.sender.id, by_target=True), link.attempts)
        return
    out.effects.append(MergePeople(ctx.sender.id, asker))
    _log(ctx, out, "accounts_linked", f"{member_label(asker)}, confirmed here")
    out.messages.append(ctx.reply("link.merged"))


SPECS = (
    # YES 123456 from the address a link code went to: that address agrees to the link.
    CommandSpec(
        CommandId.LINK_CONFIRM,
        on_link_confirm,
        words={"yes": "en", "oui": "fr"},
        arguments=r"\d{6}",
        facts=(LinkFacts,),
    ),
)
