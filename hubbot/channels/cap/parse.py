"""CAP 1.2 documents and Atom feeds from outside, read as hostile XML: no DTD, no entity, no
fetch, and every alert checked against the CAP 1.2 schema shipped beside this module."""

from __future__ import annotations

import functools
import logging
import math
import re
from datetime import datetime
from importlib import resources
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as safe_xml
import xmlschema
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden

from hubbot.domain.cap import CapAlert, CapArea, CapInfo, CapRef, Circle, Point, Polygon

log = logging.getLogger(__name__)

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"
CAP_TYPE = "application/cap+xml"
_NS = {"cap": CAP_NS, "atom": ATOM_NS}
# NAAD alerts may carry their audio inline as base64, so a real one can weigh a few megabytes;
# past this, it is someone filling our memory.
MAX_BYTES = 8 * 1024 * 1024
# "45.5, -73.6" is a sloppy "45.5,-73.6": the pair is still plain.
_COMMA = re.compile(r"\s*,\s*")


class CapRejected(ValueError):
    """A document we will not use, with the reason a log reader needs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@functools.cache
def _schema() -> xmlschema.XMLSchema10:
    text = resources.files(__package__).joinpath("CAP-v1.2.xsd").read_text(encoding="utf-8")
    # allow="none": the schema and the documents it checks may not name anything to fetch.
    schema = xmlschema.XMLSchema10(text, allow="none", defuse="always")
    log.debug("CAP 1.2 schema loaded")
    return schema


def _root(data: bytes, what: str) -> Element:
    if len(data) > MAX_BYTES:
        raise CapRejected(f"{what} is {len(data)} bytes, over the {MAX_BYTES}-byte limit")
    try:
        # A DTD is refused as soon as it opens, before any entity is declared, let alone
        # expanded: that is what stops a billion-laughs bomb and an external entity alike.
        root: Element = safe_xml.fromstring(data, forbid_dtd=True)
    except DTDForbidden:
        raise CapRejected(f"{what} declares a DTD, which could expand or fetch entities") from None
    except EntitiesForbidden as e:
        raise CapRejected(f"{what} declares the entity {e.name!r}") from None
    except ExternalReferenceForbidden as e:
        raise CapRejected(f"{what} refers to an external resource {e.sysid!r}") from None
    except ParseError as e:
        raise CapRejected(f"{what} is not well-formed XML: {e}") from None
    return root


def is_cap(data: bytes) -> bool:
    """Whether `data` is a CAP 1.2 alert rather than a feed (a feed URL may serve either)."""
    try:
        return _root(data, "the document").tag == f"{{{CAP_NS}}}alert"
    except CapRejected:
        return False


def _text(el: Element, name: str) -> str:
    child = el.find(f"cap:{name}", _NS)
    return (child.text or "").strip() if child is not None else ""


def _time(text: str, field: str) -> datetime:
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise CapRejected(f"<{field}> {text!r} is not a date and time") from None
    if when.tzinfo is None:
        raise CapRejected(f"<{field}> {text!r} has no time zone")
    return when


def _optional_time(el: Element, field: str) -> datetime | None:
    text = _text(el, field)
    return _time(text, field) if text else None


def _point(pair: str, where: str) -> Point:
    parts = pair.split(",")
    try:
        lat, lon = (float(p) for p in parts) if len(parts) == 2 else (math.nan, math.nan)
    except ValueError:
        lat = lon = math.nan
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):  # NaN fails both
        raise CapRejected(f"{where} has {pair!r}, which is no latitude,longitude")
    return (lat, lon)


def _polygon(text: str) -> Polygon:
    points = tuple(_point(p, "a <polygon>") for p in _COMMA.sub(",", text).split())
    # CAP asks for the first point repeated last; an open ring still bounds an area, and
    # dropping an evacuation order over a missing repeat would help no one.
    if len(set(points)) < 3:
        raise CapRejected(f"a <polygon> needs 3 distinct points, not {len(set(points))}")
    return points


def _circle(text: str) -> Circle:
    parts = _COMMA.sub(",", text).split()
    if len(parts) != 2:
        raise CapRejected(f"a <circle> {text!r} is not 'latitude,longitude radius'")
    lat, lon = _point(parts[0], "a <circle>")
    try:
        radius = float(parts[1])
    except ValueError:
        radius = math.nan
    if not 0 <= radius < math.inf:
        raise CapRejected(f"a <circle> has the radius {parts[1]!r}, which is no distance in km")
    return Circle(lat, lon, radius)


def _pairs(el: Element, name: str) -> tuple[tuple[str, str], ...]:
    return tuple(
        (_text(pair, "valueName"), _text(pair, "value")) for pair in el.iterfind(f"cap:{name}", _NS)
    )


def _area(el: Element) -> CapArea:
    return CapArea(
        description=_text(el, "areaDesc"),
        polygons=tuple(_polygon(p.text or "") for p in el.iterfind("cap:polygon", _NS)),
        circles=tuple(_circle(c.text or "") for c in el.iterfind("cap:circle", _NS)),
        geocodes=_pairs(el, "geocode"),
    )


def _info(el: Element) -> CapInfo:
    return CapInfo(
        language=_text(el, "language") or "en-US",  # the schema's default
        event=_text(el, "event"),
        urgency=_text(el, "urgency"),
        severity=_text(el, "severity"),
        certainty=_text(el, "certainty"),
        headline=_text(el, "headline"),
        description=_text(el, "description"),
        instruction=_text(el, "instruction"),
        sender_name=_text(el, "senderName"),
        expires=_optional_time(el, "expires"),
        effective=_optional_time(el, "effective"),
        onset=_optional_time(el, "onset"),
        web=_text(el, "web") or None,
        areas=tuple(_area(a) for a in el.iterfind("cap:area", _NS)),
        parameters=_pairs(el, "parameter"),
    )


def _references(text: str) -> tuple[CapRef, ...]:
    refs = []
    for triplet in text.split():
        parts = triplet.split(",")
        if len(parts) != 3 or not all(parts):
            raise CapRejected(f"<references> has {triplet!r}, which is not sender,identifier,sent")
        refs.append(CapRef(*parts))
    return tuple(refs)


def parse_cap(data: bytes) -> CapAlert:
    """A CAP 1.2 alert read from `data`; CapRejected, with the reason, if it is not
    well-formed, declares a DTD or entities, fails the CAP 1.2 schema, or carries a time or an
    area we cannot use."""
    root = _root(data, "the document")
    if root.tag != f"{{{CAP_NS}}}alert":
        raise CapRejected(f"the document is no CAP 1.2 alert: its root element is {root.tag}")
    error = next(_schema().iter_errors(root), None)
    if error is not None:
        # Tags read as the document writes them ('status'), not in Clark notation.
        reason = " ".join((error.reason or "invalid").split()).replace(f"{{{CAP_NS}}}", "")
        path = (error.path or "/").replace(f"{{{CAP_NS}}}", "")
        raise CapRejected(f"the document fails the CAP 1.2 schema at {path}: {reason}")
    sent_text = _text(root, "sent")
    return CapAlert(
        identifier=_text(root, "identifier"),
        sender=_text(root, "sender"),
        sent=_time(sent_text, "sent"),
        sent_text=sent_text,
        status=_text(root, "status"),
        msg_type=_text(root, "msgType"),
        scope=_text(root, "scope"),
        references=_references(_text(root, "references")),
        infos=tuple(_info(i) for i in root.iterfind("cap:info", _NS)),
        codes=tuple((c.text or "").strip() for c in root.iterfind("cap:code", _NS)),
        note=_text(root, "note"),
    )


def _entry_link(entry: Element) -> str | None:
    links = entry.findall("atom:link", _NS)
    for link in links:
        if link.get("type", "").split(";")[0].strip().lower() == CAP_TYPE and link.get("href"):
            return link.get("href")
    for link in links:
        # Atom: a link without rel is an alternate, the entry's own document.
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return None


def parse_atom(data: bytes, base: str = "") -> list[str]:
    """The CAP document links of an Atom feed's entries, in feed order and once each: an
    entry's application/cap+xml link, or else its alternate link. Relative links are resolved
    against `base`, the feed's URL. CapRejected if `data` is no Atom feed or is hostile XML."""
    root = _root(data, "the feed")
    if root.tag != f"{{{ATOM_NS}}}feed":
        raise CapRejected(f"the feed is no Atom feed: its root element is {root.tag}")
    urls: list[str] = []
    for entry in root.iterfind("atom:entry", _NS):
        href = _entry_link(entry)
        if href is None:
            continue
        url = urljoin(base, href.strip())
        if url not in urls:
            urls.append(url)
    return urls
