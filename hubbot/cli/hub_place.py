"""`hubbot hub set` (where a hub is, exercise mode) and `hubbot alerts` (official alerts log)."""

from __future__ import annotations

import argparse
import re
import sys
from typing import TextIO

from hubbot.cli.console import Commands, UsageError, command, hub_named, local_time, log, now, store
from hubbot.settings import Settings
from hubbot.store import cap_alerts, hubs

_SGC = re.compile(r"^\d{2}(\d{2}(\d{3})?)?$")  # province, census division, or subdivision


def add_place_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lat", type=float, help="latitude, e.g. 45.50 (official alerts' areas)")
    parser.add_argument("--lon", type=float, help="longitude, e.g. -73.57")
    parser.add_argument("--sgc", help="Statistics Canada geographic code, e.g. 2466023")


def register_set(actions: Commands) -> None:
    """`hubbot hub set CODE [--lat --lon] [--sgc] [--exercise on|off]`."""
    hub_set = command(
        actions, "set", _set, help="where a hub is (for official alerts), or its exercise mode"
    )
    hub_set.add_argument("code")
    add_place_options(hub_set)
    hub_set.add_argument(
        "--exercise", choices=("on", "off"), help="exercise mode: its messages say EXERCISE"
    )


def register_alerts(commands: Commands) -> None:
    listing = command(
        commands,
        "alerts",
        lambda s, a: alerts_list(s, a.limit),
        help="official alerts received: relayed, superseded, dropped... and why",
    )
    listing.add_argument("--limit", type=int, default=50, help="how many, newest first")


def checked_place(
    lat: float | None, lon: float | None, sgc: str | None
) -> tuple[float | None, float | None, str | None]:
    """The location as given, or UsageError saying what to write instead."""
    if (lat is None) != (lon is None):
        raise UsageError("give --lat and --lon together, e.g. --lat 45.50 --lon -73.57")
    if lat is not None and not -90 <= lat <= 90:
        raise UsageError(f"--lat {lat}: a latitude is between -90 and 90, e.g. 45.50")
    if lon is not None and not -180 <= lon <= 180:
        raise UsageError(f"--lon {lon}: a longitude is between -180 and 180, e.g. -73.57")
    if sgc is not None and not _SGC.match(sgc.strip()):
        raise UsageError(f"--sgc {sgc}: use 2, 4 or 7 digits, e.g. 24 (Québec) or 2466023")
    return lat, lon, sgc.strip() if sgc else None


async def _set(settings: Settings, args: argparse.Namespace) -> int:
    return await hub_set(settings, args.code, args.lat, args.lon, args.sgc, args.exercise)


async def hub_set(
    settings: Settings,
    code: str,
    lat: float | None = None,
    lon: float | None = None,
    sgc: str | None = None,
    exercise: str | None = None,
    out: TextIO | None = None,
) -> int:
    out = out or sys.stdout
    lat, lon, sgc = checked_place(lat, lon, sgc)
    if lat is None and sgc is None and exercise is None:
        raise UsageError("say what to set: --lat and --lon, --sgc, or --exercise on|off")
    async with store(settings) as db, db.transaction() as conn:
        record = await hub_named(conn, code)
        said = []
        if lat is not None or sgc is not None:
            await hubs.set_place(conn, record.id, lat, lon, sgc)
            said.append(describe_place(lat, lon, sgc))
        if exercise is not None:
            await hubs.set_exercise(conn, record.id, exercise == "on")
            said.append(f"exercise mode {exercise}")
        await log(conn, record.id, "hub_set", "; ".join(said), now())
    print(f"Hub {record.code}: {'; '.join(said)}.", file=out)
    return 0


def describe_place(lat: float | None, lon: float | None, sgc: str | None) -> str:
    parts = [f"at {lat:.4f}, {lon:.4f}"] if lat is not None and lon is not None else []
    return " ".join(parts + ([f"SGC {sgc}"] if sgc else []))


async def alerts_list(settings: Settings, limit: int = 50, out: TextIO | None = None) -> int:
    """What was received, relayed, superseded, cancelled or dropped, and why; newest first."""
    out = out or sys.stdout
    async with store(settings) as db:
        listed = await cap_alerts.listing(db, limit)
    if not listed:
        print("No official alert received yet (HUBBOT_CAP_FEEDS, HUBBOT_CAP_STREAM).", file=out)
        return 0
    for a in listed:
        when = local_time(a.received_at, settings.timezone)
        kind = " ".join(v for v in (a.status, a.msg_type, a.severity, a.urgency) if v) or "-"
        print(f"A{a.id:<5} {when}  {a.outcome:<10} {kind}", file=out)
        print(f"       {a.headline_en or a.headline_fr or '(unreadable)'}", file=out)
        if a.area:
            print(f"       area: {a.area}", file=out)
        why = a.reason + (f" (hubs: {a.hubs})" if a.hubs and a.hubs not in a.reason else "")
        print(f"       {why or '-'}; from {a.source}", file=out)
    return 0
