"""Text from strangers, made storable: lone UTF-16 surrogates, NUL characters and bad UTF-8
become U+FFFD."""

from __future__ import annotations

import json
import re

REPLACEMENT = "\ufffd"
# JSON's "\ud800" escape decodes to a lone surrogate, which no UTF-8 store can hold; a text
# keeps the rest of what the person wrote, with one replacement character for each.
# NUL, likewise: PostgreSQL's text cannot hold it, and no one means to send it.
_UNSTORABLE = re.compile("[\ud800-\udfff\x00]")


def clean(text: str) -> str:
    """`text` with each lone surrogate or NUL replaced by U+FFFD (a valid pair is one
    character)."""
    return _UNSTORABLE.sub(REPLACEMENT, text)


def clean_json(value: object) -> object:
    """A decoded JSON value with every string in it, keys included, cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean(str(k)): clean_json(v) for k, v in value.items()}
    return value


def loads(body: bytes) -> object:
    """A request body as JSON, read as UTF-8 (RFC 8259) whatever the charset claims, bytes that
    are not UTF-8 replaced. ValueError if it is no JSON, or nested too deep to read."""
    try:
        return clean_json(json.loads(body.decode("utf-8", "replace")))
    except RecursionError:  # '[[[[...' a hundred thousand deep
        raise ValueError("the JSON is nested too deep") from None
