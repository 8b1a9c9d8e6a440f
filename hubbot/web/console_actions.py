"""Actions from the hub page: each form becomes the chat command a person would type;
service/console_commands.py sends it as the account's own person."""

from __future__ import annotations

import re
from collections.abc import Mapping

from hubbot.domain.playbook import Playbook
from hubbot.domain.situation import TOPICS

_MAX_STATE = 40
_TOKEN = re.compile(r"^[A-Za-z0-9+]{1,20}$")  # M12, N3, O7, a phone number without spaces
_MAX_HOW = 140
_OPENING = {"ACTIVATE", "ACTIVER"}  # its third word is the hub's PIN


def command(
    action: str, form: Mapping[str, str], playbook: Playbook | None, code: str = ""
) -> str | None:
    """The command text for one form, or None if the form does not make one; `code` is the
    hub's, which opening names (ACTIVATE CODE PIN, the PIN as the chat command takes it)."""

    def token(name: str) -> str | None:
        value = form.get(name, "").strip().replace(" ", "")
        return value if _TOKEN.match(value) else None

    if action in ("assign", "unassign"):
        person, role = token("person"), form.get("role", "")
        roles = {r.id for r in playbook.roles} if playbook else set()
        return f"{action.upper()} {person} {role}" if person and role in roles else None
    if action == "open":
        pin = token("pin")
        return f"ACTIVATE {code} {pin}" if pin and code else None
    if action == "done":
        need, how = token("need"), " ".join(form.get("how", "").split())[:_MAX_HOW]
        return f"DONE {need} {how}".strip() if need else None
    if action == "match":
        need, offer = token("need"), token("offer")
        return f"MATCH {need} {offer}" if need and offer else None
    if action == "status":
        lifeline = form.get("lifeline", "")
        state = " ".join(form.get("state", "").split())[:_MAX_STATE]
        ok = lifeline in TOPICS and bool(state)
        return f"STATUS {lifeline} {state}" if ok else None
    simple = {"checkin": "CHECKIN", "close": "CLOSE", "sitrep": "SITREP", "rollcall": "ROLLCALL"}
    return simple.get(action)


def shown(sent: str) -> str:
    """A sent command as the page repeats it: an opening's PIN hidden, as a password field is."""
    words = sent.split()
    if len(words) == 3 and words[0].upper() in _OPENING:
        return f"{words[0]} {words[1]} •••"
    return sent
