"""CAP-CP documents shaped like NAAD's are read whole, and hostile or broken ones are refused
with a reason a log reader understands, without expanding, fetching or guessing anything."""

from __future__ import annotations

import socket
import tracemalloc
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hubbot.channels.cap import CapRejected, is_cap, parse_atom, parse_cap
from hubbot.channels.cap import parse as cap_parse
from hubbot.domain.cap import Circle, expired, info_for, is_heartbeat

FIXTURES = Path(__file__).parent / "fixtures" / "cap"
MONTREAL = "alertes@securite-civile.montreal.example"
ALERT_KEY = (MONTREAL, "urn:oid:2.49.0.1.124.2466023.2026.0420.0615", "2026-04-20T06:15:00-04:00")
UPDATE_KEY = (MONTREAL, "urn:oid:2.49.0.1.124.2466023.2026.0420.1430", "2026-04-20T14:30:00-04:00")


def _bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _rejected(data: bytes) -> str:
    with pytest.raises(CapRejected) as caught:
        parse_cap(data)
    return caught.value.reason


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every attempt to open a connection is recorded and refused."""
    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def test_a_bilingual_flood_warning_is_read_with_both_languages_and_its_area() -> None:
    alert = parse_cap(_bytes("alert.xml"))
    assert alert.key == ALERT_KEY
    assert alert.sent == datetime(2026, 4, 20, 10, 15, tzinfo=UTC)
    assert (alert.status, alert.msg_type, alert.scope) == ("Actual", "Alert", "Public")
    assert alert.is_actual and not is_heartbeat(alert)
    assert "profile:CAP-CP:0.4" in alert.codes
    assert [i.language for i in alert.infos] == ["fr-CA", "en-CA"]
    fr = alert.infos[0]
    assert fr.headline == "avertissement d'inondation - rivière des Prairies"
    assert fr.instruction.startswith("Préparez-vous à quitter votre domicile.")
    assert (fr.severity, fr.urgency, fr.certainty) == ("Severe", "Expected", "Likely")
    assert fr.sender_name == "Sécurité civile de Montréal"
    assert fr.expires == datetime(2026, 4, 21, 22, 0, tzinfo=UTC)
    assert fr.web == "https://securite-civile.montreal.example/inondations"
    assert ("layer:SOREM:1.0:Broadcast_Immediately", "No") in fr.parameters
    (area,) = fr.areas
    assert area.description == "Île de Montréal"
    (polygon,) = area.polygons
    assert len(polygon) == 14 and polygon[0] == polygon[-1] == (45.7040, -73.4760)
    # The weather office's CLC code is a geocode too, but no SGC code.
    assert ("layer:EC-MSC-SMC:1.0:CLC", "024700") in area.geocodes
    assert area.sgc_codes == ("2466023", "2466007")


def test_a_signed_alert_validates_without_touching_the_network(no_network: list[object]) -> None:
    cap_parse._schema.cache_clear()  # the schema itself is loaded here too, offline
    alert = parse_cap(_bytes("alert.xml"))
    assert alert.key == ALERT_KEY
    assert no_network == []


def test_each_reader_gets_their_language_and_falls_back_to_the_other() -> None:
    alert = parse_cap(_bytes("alert.xml"))
    assert info_for(alert, "fr") is alert.infos[0]
    assert info_for(alert, "en-CA") is alert.infos[1]
    assert info_for(alert, "en") is alert.infos[1]
    english_only = replace(alert, infos=alert.infos[1:])
    assert info_for(english_only, "fr-CA") is english_only.infos[0]
    assert info_for(alert, "es") is alert.infos[0]


def test_an_update_names_the_alert_it_supersedes() -> None:
    update = parse_cap(_bytes("update.xml"))
    assert update.msg_type == "Update"
    assert [r.key for r in update.references] == [ALERT_KEY]
    en = info_for(update, "en")
    assert en is not None
    assert (en.severity, en.urgency) == ("Extreme", "Immediate")
    assert en.headline == "evacuation order - Rivière des Prairies shore"


def test_a_cancel_names_the_whole_chain_it_ends() -> None:
    cancel = parse_cap(_bytes("cancel.xml"))
    assert cancel.msg_type == "Cancel"
    assert [r.key for r in cancel.references] == [ALERT_KEY, UPDATE_KEY]


def test_an_alert_is_expired_once_every_block_has_expired() -> None:
    cold = parse_cap(_bytes("expired.xml"))
    assert expired(cold, datetime(2026, 4, 20, tzinfo=UTC))
    flood = parse_cap(_bytes("alert.xml"))
    ends = datetime(2026, 4, 21, 22, 0, tzinfo=UTC)
    assert not expired(flood, ends - timedelta(seconds=1))
    assert expired(flood, ends)
    open_ended = replace(flood.infos[1], expires=None)
    assert not expired(replace(flood, infos=(flood.infos[0], open_ended)), ends)


def test_a_test_message_is_read_but_is_not_actual() -> None:
    alert = parse_cap(_bytes("test-status.xml"))
    assert alert.status == "Test"
    assert not alert.is_actual
    assert alert.infos[0].areas[0].sgc_codes == ("24",)


def test_a_heartbeat_is_recognised_and_lists_recent_alerts() -> None:
    beat = parse_cap(_bytes("heartbeat.xml"))
    assert is_heartbeat(beat)
    assert beat.status == "System" and beat.infos == ()
    assert info_for(beat, "fr") is None
    assert not expired(beat, datetime(2030, 1, 1, tzinfo=UTC))
    assert [r.key for r in beat.references] == [ALERT_KEY, UPDATE_KEY]
    relayed = replace(beat, sender="NAADS-Heartbeat@naad-adna.pelmorex.com")
    assert is_heartbeat(relayed)


def test_a_circle_area_is_read_as_centre_and_radius_in_km() -> None:
    alert = parse_cap(_bytes("circle.xml"))
    (area,) = alert.infos[1].areas
    assert area.circles == (Circle(45.5088, -73.5540, 1.5),)
    assert area.polygons == () and area.geocodes == ()


def test_a_truncated_document_is_refused_as_not_well_formed() -> None:
    assert "not well-formed XML" in _rejected(_bytes("malformed.xml"))


def test_a_document_without_status_fails_the_schema_and_says_so() -> None:
    reason = _rejected(_bytes("no-status.xml"))
    assert reason.startswith("the document fails the CAP 1.2 schema at /alert")
    assert "'cap:status' expected" in reason


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("<sent>2026-04-20T06:15:00-04:00", "<sent>2026-04-31T06:15:00-04:00", "/alert/sent"),
        ("<severity>Severe", "<severity>Dire", "/alert/info[1]/severity"),
        ("<polygon>45.7040,-73.4760", "<polygon>95.7040,-73.4760", "'95.7040,-73.4760'"),
        ("<polygon>45.7040,-73.4760", "<polygon>45.7040;-73.4760", "no latitude,longitude"),
        ("cap:1.2", "cap:1.1", "no CAP 1.2 alert"),
    ],
)
def test_values_the_hub_cannot_use_are_refused_with_where_they_are(
    old: str, new: str, words: str
) -> None:
    data = _bytes("alert.xml").replace(old.encode(), new.encode(), 1)
    assert words in _rejected(data)


def test_a_polygon_with_too_few_points_and_a_circle_without_radius_are_refused() -> None:
    flat = _bytes("update.xml").replace(
        b"45.5350,-73.7000 45.5650,-73.6600 45.5600,-73.6500 45.5300,-73.6900 45.5350,-73.7000",
        b"45.5350,-73.7000 45.5650,-73.6600 45.5350,-73.7000",
        1,
    )
    assert "3 distinct points" in _rejected(flat)
    no_radius = _bytes("circle.xml").replace(b"-73.5540 1.5", b"-73.5540 far", 1)
    assert "radius 'far'" in _rejected(no_radius)


def test_a_reference_that_is_not_a_triplet_is_refused() -> None:
    cut = b",2026-04-20T06:15:00-04:00</references>"  # the sent part goes
    data = _bytes("update.xml").replace(cut, b"</references>", 1)
    assert "not sender,identifier,sent" in _rejected(data)


def test_the_xml_bomb_is_refused_without_expanding_it() -> None:
    tracemalloc.start()
    try:
        reason = _rejected(_bytes("bomb.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "declares a DTD" in reason
    # Expanded, the note would hold 3 GB of "lol"; refused, parsing used well under 1 MB.
    assert peak < 1_000_000


def test_an_external_entity_is_refused_and_never_fetched(no_network: list[object]) -> None:
    assert "declares a DTD" in _rejected(_bytes("external-entity.xml"))
    assert no_network == []


def test_an_oversized_document_is_refused_before_it_is_parsed() -> None:
    padding = b" " * (cap_parse.MAX_BYTES + 1)
    assert "over the" in _rejected(_bytes("alert.xml") + padding)


def test_a_feed_lists_the_cap_document_of_each_entry_in_order() -> None:
    links = parse_atom(_bytes("feed.atom"), base="https://alertes.montreal.example/feed.atom")
    assert links == [
        "https://alertes.montreal.example/cap/2026-04-20/update.xml",  # its cap+xml link
        "https://alertes.montreal.example/cap/2026-04-20/alert.xml",  # relative, resolved
    ]


def test_a_feed_url_serving_one_cap_document_is_told_from_a_feed() -> None:
    assert is_cap(_bytes("alert.xml"))
    assert not is_cap(_bytes("feed.atom"))
    assert not is_cap(_bytes("bomb.xml"))
    with pytest.raises(CapRejected, match="no Atom feed"):
        parse_atom(_bytes("alert.xml"))


def test_a_feed_with_a_dtd_is_refused_too() -> None:
    hostile = _bytes("external-entity.xml").replace(b"<alert", b"<feed", 1)
    with pytest.raises(CapRejected, match="the feed declares a DTD"):
        parse_atom(hostile)
