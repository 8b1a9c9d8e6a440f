"""The console's small pieces: the reader's language, CSRF tokens, cookies, and hiding phone
numbers that someone typed into a need's text."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from aiohttp import web

from hubbot.domain.playbook import LOCALES

SESSION_COOKIE = "hubbot_session"
LOGIN_COOKIE = "hubbot_login"  # the pre-session nonce the login form's token is signed over
# A phone number as people type one: 8 or more digits with spaces, dots, dashes or brackets.
_PHONE = re.compile(r"\+?\d[\d\s().-]{6,}\d")


def language(request: web.Request, default: str) -> str:
    """`?lang=fr|en`, else the first supported language of Accept-Language, else `default`."""
    asked = request.query.get("lang", "")
    if asked in LOCALES:
        return asked
    for part in request.headers.get("Accept-Language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LOCALES:
            return tag
    return default


def login_nonce() -> str:
    return secrets.token_urlsafe(24)


def login_token(key: bytes, nonce: str) -> str:
    """The token the login form carries: the nonce in its cookie, signed with the server's key."""
    return hmac.new(key, nonce.encode(), hashlib.sha256).hexdigest()


def login_token_ok(key: bytes, nonce: str | None, given: str | None) -> bool:
    if not nonce or not given:
        return False
    return hmac.compare_digest(login_token(key, nonce), given)


def session_token_ok(secret: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(secret.encode(), (given or "").encode())


def set_cookie(
    response: web.StreamResponse, name: str, value: str, secure: bool, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="Strict",
        secure=secure,
    )


def without_phones(text: str) -> str:
    """The text with anything that looks like a phone number hidden."""
    return _PHONE.sub("•••", text)


def duration(minutes: int) -> str:
    """'<1 min', '45 min', '2 h 05': the same in French and English."""
    if minutes < 1:
        return "<1 min"
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d}"
