"""Answers and confirmations: OK, 1, 2 and the words around them, read in one place.

A roll call or a check-in is answered by any text while it waits, and again later by a text
that starts with OK, 1 or 2 (a later answer replaces the earlier one). A bare OK, or the
button, settles the last thing the person was asked: an alert, a broadcast, a roll call or a
check-in. Whatever needs a human goes to one, with the person's own words.
"""

from __future__ import annotations

from hubbot.domain import matching, routing, safety
from hubbot.domain.answers import (
    ROLLCALL_WORD,
    Answer,
    Awaiting,
    AwaitKind,
    Reading,
    newest,
    read_answer,
    restates,
)
from hubbot.domain.board_effects import CreateItem
from hubbot.domain.commands import Command, CommandId, CommandSpec
from hubbot.domain.context import Context
from hubbot.domain.effects import (
    AckBroadcast,
    AnswerCheckin,
    AnswerRollcall,
    ConfirmAlert,
    LogActivity,
    Outcome,
)
from hubbot.domain.facts import AnswerFacts, MatchFacts, Numbers
from hubbot.domain.messages import Confirm, Priority
from hubbot.domain.models import Hub, ItemKind
from hubbot.domain.reach import staff_for

ROLLCALL_ITEM_PREFIX = "APPEL/ROLL CALL: "


def on_short_answer(cmd: Command, ctx: Context, out: Outcome) -> None:
    """A bare OK, 1 or 2."""
    word = cmd.args
    if word in ("1", "2"):
        # The two numbers answer roll calls and check-ins only: unanswered ones first.
        if _answer_open(word, ctx, out, unanswered_only=True):
            return
        if _answer_open(word, ctx, out, unanswered_only=False):
            return
        if word == "2":
            # A "2" out of the blue may be a call for help: a human reads it.
            routing.on_routed_text(Command(CommandId.TEXT, args=word), ctx, out)
            return
    facts = ctx.of(AnswerFacts)
    latest = newest(facts.awaiting)
    if latest is not None:
        _settle(latest, word, ctx, out)
    elif _answer_open(word, ctx, out, unanswered_only=False):
        pass  # "2" earlier, "OK" now: the later answer counts
    else:
        out.messages.append(ctx.reply("ack.already" if facts.settled_recently else "ok.nothing"))


def on_text(cmd: Command, ctx: Context, out: Outcome) -> None:
    """Free text (or a playbook intent): an answer while a roll call or check-in waits for
    one, or a new answer that starts with OK, 1 or 2; otherwise routed as usual."""
    if _answer_open(cmd.args, ctx, out, unanswered_only=True):
        return
    if restates(cmd.args) and _answer_open(cmd.args, ctx, out, unanswered_only=False):
        return
    routing.on_routed_text(cmd, ctx, out)


def on_yes(cmd: Command, ctx: Context, out: Outcome) -> None:
    """YES/OUI: consent to a match (or opt back in); with none pending, it answers a waiting
    roll call or check-in ("tout va bien ?" "oui")."""
    word = "oui" if cmd.locale == "fr" else "yes"
    pending = ctx.sender.opted_out or ctx.of(MatchFacts).match is not None
    if pending or not _answer_open(word, ctx, out, unanswered_only=True):
        matching.on_yes(cmd, ctx, out)


def on_ack(cmd: Command, ctx: Context, out: Outcome) -> None:
    """ACK o12 / ACK b5, typed or tapped: counted once however often it comes."""
    facts = ctx.of(AnswerFacts)
    target = facts.ack_target
    if target is None:
        out.messages.append(ctx.reply("ack.already" if facts.already_acked else "ack.unknown"))
        return
    _settle(target, "ok", ctx, out)


def _answer_open(text: str, ctx: Context, out: Outcome, *, unanswered_only: bool) -> bool:
    """Answer the open roll call, else the open check-in; False if neither takes it."""
    facts = ctx.of(AnswerFacts)
    rollcall, ask = facts.rollcall, facts.open_ask
    if ctx.hub is None:
        return False
    if rollcall is not None and (rollcall.answer is None or not unanswered_only):
        answer_rollcall(text, ctx, ctx.hub, out)
        return True
    if ask is not None and (ask.state == "waiting" or not unanswered_only):
        answer_checkin(text, ctx, ctx.hub, out)
        return True
    return False


def _settle(item: Awaiting, word: str, ctx: Context, out: Outcome) -> None:
    hub = ctx.hub
    if item.kind is AwaitKind.ROLLCALL and hub is not None:
        answer_rollcall(word, ctx, hub, out)
    elif item.kind is AwaitKind.CHECKIN and hub is not None:
        answer_checkin(word, ctx, hub, out)
    elif item.kind is AwaitKind.BROADCAST:
        out.effects.append(AckBroadcast(item.ref, ctx.sender.id))
        out.messages.append(ctx.reply("ack.thanks"))
    else:
        _confirm(item, ctx, out)


def _confirm(item: Awaiting, ctx: Context, out: Outcome) -> None:
    """They confirmed an alert. For a call for help, the person it is about and the others
    alerted learn who is on it, so nobody is left alone and nobody goes twice unknowingly."""
    sender = ctx.sender
    out.effects.append(ConfirmAlert(item.ref, sender.id))
    hub_id = ctx.hub.id if ctx.hub else None
    out.effects.append(LogActivity(hub_id, sender.id, None, "confirmed", item.label))
    if not item.is_a_call:
        out.messages.append(ctx.reply("ack.thanks"))
        return
    out.messages.append(ctx.reply("confirm.thanks", id=item.label))
    if item.subject_id is not None and item.subject_id != sender.id:
        coming = ctx.tell(
            item.subject_id, "confirm.coming", Priority.URGENT, person=sender.label, id=item.label
        )
        out.messages.append(coming)
    for pid in item.peers:
        if pid not in (sender.id, item.subject_id):
            out.messages.append(ctx.tell(pid, "confirm.taken", person=sender.label, id=item.label))


def _leads(ctx: Context, hub: Hub, out: Outcome) -> tuple[int, ...]:
    """Who hears that someone needs a human: the lead if reachable, else the coordinators."""
    return staff_for(ctx, hub, ("lead",), out)


def answer_checkin(text: str, ctx: Context, hub: Hub, out: Outcome) -> None:
    ask = ctx.of(AnswerFacts).open_ask
    if ask is None:
        return
    answer = read_answer(text, hub.playbook)
    state = answer.reading.value
    changed = state != ask.state or text != (ask.answer or "")
    out.effects.append(AnswerCheckin(ask.id, state, text))
    out.effects.append(LogActivity(hub.id, ctx.sender.id, ask.role, f"checkin_{state}", text[:100]))
    if answer.life_safety:
        routing.on_item(
            Command(CommandId.NEED, args=text), ctx, out
        )  # 911 now, lead and comms alerted
        return
    if answer.reading is Reading.FINE:
        if ask.state in (Reading.HELP.value, Reading.UNCLEAR.value):
            for pid in _leads(ctx, hub, out):
                out.messages.append(
                    ctx.tell(pid, "checkin.now_ok", person=ctx.sender.label, text=text)
                )
        out.messages.append(ctx.reply("checkin.thanks"))
        return
    if changed:
        key = "checkin.help" if answer.reading is Reading.HELP else "checkin.unclear"
        confirm = Confirm("checkin_help", ctx.sender.label, ctx.sender.id, hub.id)
        for pid in _leads(ctx, hub, out):
            out.messages.append(ctx.alert(pid, key, confirm, person=ctx.sender.label, text=text))
        if answer.reading is Reading.HELP:
            # Not an unclear one: role holders often answer a status round in words ("40
            # personnes, génératrice en marche"), which the lead reads; a roll call's is a doubt.
            out.effects.append(safety.unless_confirmed(confirm, ctx.now))
    noted = "checkin.help_noted" if answer.reading is Reading.HELP else "checkin.unclear_noted"
    out.messages.append(ctx.reply(noted))


def answer_rollcall(text: str, ctx: Context, hub: Hub, out: Outcome) -> None:
    """1 (or OK, or "fine"): safe. 2, a help word, or anything unclear: the lead is told at
    once with the person's words; a call for help also becomes a critical need."""
    rollcall = ctx.of(AnswerFacts).rollcall
    if rollcall is None:
        return
    answer = read_answer(text, hub.playbook)
    word = ROLLCALL_WORD[answer.reading]
    out.effects.append(AnswerRollcall(rollcall.id, ctx.sender.id, word, text[:200]))
    out.effects.append(LogActivity(hub.id, ctx.sender.id, None, f"rollcall_{answer.reading}"))
    if answer.life_safety:
        routing.on_item(Command(CommandId.NEED, args=text), ctx, out)
        return
    if answer.reading is Reading.FINE:
        if rollcall.answer in ("2", "?"):
            for pid in _leads(ctx, hub, out):
                out.messages.append(
                    ctx.tell(pid, "rollcall.now_safe", person=ctx.sender.label, text=text)
                )
        out.messages.append(ctx.reply("rollcall.safe"))
        return
    if word != rollcall.answer:
        _rollcall_alert(answer, ctx, hub, out)
    key = "rollcall.help_noted" if answer.reading is Reading.HELP else "rollcall.unclear_noted"
    out.messages.append(ctx.reply(key))


def _rollcall_alert(answer: Answer, ctx: Context, hub: Hub, out: Outcome) -> None:
    label = ctx.sender.label
    if answer.reading is Reading.HELP and (number := ctx.of(Numbers).next.get(ItemKind.NEED)):
        out.effects.append(
            CreateItem(
                ItemKind.NEED, number, hub.id, ctx.sender.id,
                (ROLLCALL_ITEM_PREFIX + answer.text)[: routing.ITEM_TEXT_MAX], None,
                ctx.now + hub.playbook.default_expiry, critical=True,
            )
        )  # fmt: skip
        label = f"N{number}"
    confirm = Confirm("rollcall_help", label, ctx.sender.id, hub.id)
    for pid in _leads(ctx, hub, out):
        if answer.reading is Reading.HELP:
            alert = ctx.alert(
                pid, "rollcall.help", confirm, person=ctx.sender.label, id=label, text=answer.text
            )
        else:
            alert = ctx.alert(pid, "rollcall.unclear", confirm, person=ctx.sender.label,
                              text=answer.text)  # fmt: skip
        out.messages.append(alert)
    out.effects.append(safety.unless_confirmed(confirm, ctx.now))


# An answer may turn out to be a call for help: it is routed like any text then.
_ANSWER_FACTS = (AnswerFacts, *routing.ROUTED_FACTS)
SPECS = (
    CommandSpec(
        CommandId.SHORT_ANSWER,
        on_short_answer,
        whole={"ok": None, "1": None, "2": None},
        facts=_ANSWER_FACTS,
    ),
    # YES opts back in someone who opted out (Twilio's word); otherwise it consents to a match.
    CommandSpec(
        CommandId.YES, on_yes, whole={"yes": "en", "oui": "fr"}, facts=(*_ANSWER_FACTS, MatchFacts)
    ),
    CommandSpec(CommandId.ACK, on_ack, words={"ack": None}, facts=_ANSWER_FACTS),
    CommandSpec(CommandId.INTENT, on_text, facts=_ANSWER_FACTS),
    CommandSpec(CommandId.TEXT, on_text, facts=_ANSWER_FACTS),
)
