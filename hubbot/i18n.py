"""Render message keys into French or English text from the gettext catalogs in locales/."""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from hubbot.domain.messages import Joined, Msg, Param
from hubbot.domain.playbook import LOCALES, LocalText

log = logging.getLogger(__name__)
DOMAIN = "hubbot"


@dataclass(frozen=True)
class Entry:
    key: str
    text: str | tuple[str, ...]
    budget: str  # segments allowed: "1", "2", "3", or "list" for lists split as they must be


def read_catalog(path: Path, locale: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=DOMAIN)


def catalog_path(locales_dir: Path, locale: str) -> Path:
    return locales_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def entries(catalog: Catalog) -> dict[str, Entry]:
    """Every translated key of a catalog, with its SMS budget from a '#. budget: N' comment."""
    found: dict[str, Entry] = {}
    for message in catalog:
        if not message.id:
            continue  # the header
        key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        budget = "1"
        for comment in message.auto_comments:
            if comment.strip().startswith("budget:"):
                budget = comment.split(":", 1)[1].strip()
        text = message.string
        found[key] = Entry(
            key, tuple(text) if isinstance(text, (tuple, list)) else text or "", budget
        )
    return found


class Renderer:
    """Holds one Translations object per locale and renders Msg trees with them."""

    def __init__(self, locales_dir: Path, fallback: str = "en") -> None:
        self.fallback = fallback
        self._translations: dict[str, Translations] = {}
        self.keys: dict[str, set[str]] = {}
        for locale in LOCALES:
            catalog = read_catalog(catalog_path(locales_dir, locale), locale)
            self.keys[locale] = {k for k, e in entries(catalog).items() if _translated(e.text)}
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            self._translations[locale] = Translations(fp=buffer, domain=DOMAIN)

    def all_keys(self) -> set[str]:
        return set().union(*self.keys.values())

    def render(self, msg: Msg, locale: str) -> str:
        if locale not in self._translations:
            locale = self.fallback
        if msg.key not in self.keys[locale]:
            # Never send a raw key to someone in a crisis: fall back to the other language.
            log.error("message key %r missing in locale %s", msg.key, locale)
            locale = next((lc for lc in LOCALES if msg.key in self.keys[lc]), locale)
        translations = self._translations[locale]
        if msg.count is not None:
            template = translations.ngettext(msg.key, msg.key, msg.count)
        else:
            template = translations.gettext(msg.key)
        values = {name: self._param(value, locale) for name, value in msg.params.items()}
        try:
            return template.format_map(values)
        except (KeyError, IndexError, ValueError):
            log.exception("cannot fill %r in %s with %s", msg.key, locale, sorted(values))
            return template

    def _param(self, value: Param, locale: str) -> str:
        if isinstance(value, LocalText):
            return value.get(locale)
        if isinstance(value, Msg):
            return self.render(value, locale)
        if isinstance(value, tuple):
            return "\n".join(self._param(v, locale) for v in value)
        if isinstance(value, Joined):
            return value.sep.join(self._param(v, locale) for v in value.items)
        return str(value)


def _translated(text: str | tuple[str, ...]) -> bool:
    return all(text) if isinstance(text, tuple) else bool(text)
