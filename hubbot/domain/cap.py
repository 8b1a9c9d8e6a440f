"""A public alert as CAP 1.2 (Canadian profile CAP-CP) carries it: parsed, keyed and read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

# Statistics Canada SGC codes travel in geocodes named after this (CAP-CP: "Location:0.3").
SGC_VALUE_NAME = "profile:CAP-CP:Location"
ACTUAL = "Actual"
# NAAD's heartbeat says "NAADS-Heartbeat"; some relays append "@naad-adna.pelmorex.com".
HEARTBEAT_SENDER = "naads-heartbeat"
# The other language to fall back on, for the two CAP-CP writes in.
_OTHER = {"fr": "en", "en": "fr"}

Point = tuple[float, float]  # (lat, lon), WGS 84 degrees, in CAP's order
Polygon = tuple[Point, ...]


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    radius_km: float


@dataclass(frozen=True)
class CapRef:
    """One "sender,identifier,sent" triplet of <references>, as written."""

    sender: str
    identifier: str
    sent: str

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.sender, self.identifier, self.sent)


@dataclass(frozen=True)
class CapArea:
    description: str
    polygons: tuple[Polygon, ...] = ()
    circles: tuple[Circle, ...] = ()
    geocodes: tuple[tuple[str, str], ...] = ()  # (valueName, value), in document order

    @property
    def sgc_codes(self) -> tuple[str, ...]:
        """The geocodes that are Statistics Canada SGC codes; other layers' codes (EC's CLC,
        say) look alike but mean something else."""
        return tuple(v for name, v in self.geocodes if name.startswith(SGC_VALUE_NAME))


@dataclass(frozen=True)
class CapInfo:
    """One <info> block: CAP-CP writes one per language."""

    language: str
    event: str
    urgency: str
    severity: str
    certainty: str
    headline: str = ""
    description: str = ""
    instruction: str = ""
    sender_name: str = ""
    expires: datetime | None = None
    effective: datetime | None = None
    onset: datetime | None = None
    web: str | None = None
    areas: tuple[CapArea, ...] = ()
    parameters: tuple[tuple[str, str], ...] = ()  # (valueName, value), e.g. SOREM's layer


@dataclass(frozen=True)
class CapAlert:
    identifier: str
    sender: str
    sent: datetime  # aware
    sent_text: str  # as written: references name an alert by this exact text
    status: str  # Actual, Exercise, System, Test, Draft
    msg_type: str  # Alert, Update, Cancel, Ack, Error
    scope: str
    references: tuple[CapRef, ...] = ()
    infos: tuple[CapInfo, ...] = ()
    codes: tuple[str, ...] = ()  # e.g. "profile:CAP-CP:0.4"
    note: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        """What dedup and <references> know an alert by: (sender, identifier, sent as
        written)."""
        return (self.sender, self.identifier, self.sent_text)

    @property
    def is_actual(self) -> bool:
        """Only Actual concerns the public; Exercise, System, Test and Draft do not."""
        return self.status == ACTUAL


def _primary(language: str) -> str:
    return language.split("-")[0].strip().lower()


def info_for(alert: CapAlert, lang: str) -> CapInfo | None:
    """The <info> block to show a reader of `lang` ("fr", "fr-CA", "en"...): the exact tag,
    then the same language in any region, then the other of French and English, then the
    first block. None when the alert has none (a heartbeat)."""
    if not alert.infos:
        return None
    wanted = lang.strip().lower()
    for info in alert.infos:
        if info.language.strip().lower() == wanted:
            return info
    primary = _primary(lang)
    for choice in (primary, _OTHER.get(primary)):
        for info in alert.infos:
            if choice and _primary(info.language) == choice:
                return info
    return alert.infos[0]


def expired(alert: CapAlert, now: datetime) -> bool:
    """True when every <info> block has expired by `now`. A block without <expires> never
    expires, and an alert without blocks has nothing to expire."""
    if not alert.infos:
        return False
    return all(info.expires is not None and info.expires <= now for info in alert.infos)


def is_heartbeat(alert: CapAlert) -> bool:
    """NAAD's once-a-minute keepalive, whose <references> list recent alerts."""
    return alert.sender.strip().lower().startswith(HEARTBEAT_SENDER)
