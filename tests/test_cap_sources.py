"""Where official alerts come from: CAP feeds polled over HTTP, and NAAD's TCP stream."""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import AsyncIterator

import pytest

from hubbot.channels.cap import feeds
from hubbot.channels.cap.feeds import FeedPoller
from hubbot.channels.cap.stream import CapStream, DocumentSplitter, StreamOutOfStep
from hubbot.cli.main import main
from tests.fake_cap import DOCS, FEED, Clock, FakeFeedServer, FakeNaad, Inbox, fixture, refused_url

ALERT, UPDATE, CANCEL, HEARTBEAT = (
    fixture(name) for name in ("alert.xml", "update.xml", "cancel.xml", "heartbeat.xml")
)


@pytest.fixture
async def server() -> AsyncIterator[FakeFeedServer]:
    fake = await FakeFeedServer().start()
    yield fake
    await fake.stop()


@pytest.fixture
async def naad() -> AsyncIterator[FakeNaad]:
    fake = await FakeNaad().start()
    yield fake
    await fake.stop()


def poller(urls: list[str], inbox: Inbox, clock: Clock | None = None) -> FeedPoller:
    return FeedPoller(urls, 60.0, inbox, clock=clock or Clock())


async def test_a_feeds_new_cap_documents_are_delivered_once_each(server: FakeFeedServer) -> None:
    inbox = Inbox()
    source = poller([server.link(FEED)], inbox)
    await source.poll_once()
    await source.poll_once()
    assert sorted(inbox.got) == sorted(
        [(ALERT, server.link(DOCS + "alert.xml")), (UPDATE, server.link(DOCS + "update.xml"))]
    )
    cancel_url = server.add_entry("cancel.xml")
    await source.poll_once()
    await source.poll_once()
    await source.close()
    assert inbox.got[2:] == [(CANCEL, cancel_url)]
    assert server.requests[DOCS + "alert.xml"] == server.requests[DOCS + "update.xml"] == 1


async def test_an_unchanged_feed_answers_304_and_nothing_is_fetched_again(
    server: FakeFeedServer,
) -> None:
    inbox = Inbox()
    source = poller([server.link(FEED)], inbox)
    for _ in range(3):
        await source.poll_once()
    await source.close()
    feed_answers = [status for path, status in server.answers if path == FEED]
    assert feed_answers == [200, 304, 304]
    assert sum(server.requests.values()) == 3 + 2, "three feed requests, two documents"
    asked = [headers for path, headers in server.headers if path == FEED]
    assert "If-None-Match" not in asked[0]
    assert asked[1]["If-Modified-Since"] == "Mon, 20 Apr 2026 18:30:05 GMT"
    assert all(h["User-Agent"].startswith("hubbot/") for _, h in server.headers)
    assert len(inbox.got) == 2


async def test_a_url_that_returns_one_cap_document_is_delivered_with_that_url(
    server: FakeFeedServer,
) -> None:
    server.files["/latest"] = ALERT
    inbox = Inbox()
    source = poller([server.link("/latest")], inbox)
    await source.poll_once()
    await source.poll_once()
    await source.close()
    assert inbox.got == [(ALERT, server.link("/latest"))]


async def test_a_failing_url_is_logged_and_does_not_stop_the_others(
    server: FakeFeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.statuses["/broken"] = 500
    server.files["/garbage"] = b"Service temporarily unavailable, try later"
    refused = refused_url()
    urls = [server.link("/broken"), refused, server.link("/garbage"), server.link(FEED)]
    inbox = Inbox()
    source = poller(urls, inbox)
    with caplog.at_level(logging.WARNING, logger="hubbot.channels.cap.feeds"):
        await source.poll_once()
    await source.close()
    assert len(inbox.got) == 2, "the healthy feed's two documents"
    said = caplog.text
    assert f"{server.link('/broken')} failed (HTTP 500" in said
    assert f"{refused} failed (Cannot connect" in said
    assert f"{server.link('/garbage')} failed (returned text/html that is neither" in said


async def test_a_failing_url_is_tried_less_and_less_often_and_then_normally_again(
    server: FakeFeedServer,
) -> None:
    server.statuses[FEED] = 503
    clock = Clock()
    source = poller([server.link(FEED)], Inbox(), clock)
    tried_at = []
    for _ in range(60 * 6):  # six hours of one poll a minute
        before = server.requests[FEED]
        await source.poll_once()
        if server.requests[FEED] > before:
            tried_at.append(clock.now - 1000)
        clock.now += 60
    gaps = [b - a for a, b in itertools.pairwise(tried_at)]
    assert gaps[:4] == [120, 240, 480, 600] and set(gaps[4:]) == {600}
    del server.statuses[FEED]
    clock.now += 600
    await source.poll_once()
    clock.now += 60
    await source.poll_once()
    await source.close()
    assert [s for p, s in server.answers if p == FEED][-2:] == [200, 304]


async def test_a_linked_document_that_failed_is_fetched_at_the_next_poll(
    server: FakeFeedServer,
) -> None:
    server.statuses[DOCS + "update.xml"] = 500
    inbox = Inbox()
    source = poller([server.link(FEED)], inbox)
    await source.poll_once()
    assert [data for data, _ in inbox.got] == [ALERT]
    del server.statuses[DOCS + "update.xml"]
    await source.poll_once()  # the feed is not 304: its ETag was not kept while incomplete
    await source.close()
    assert [data for data, _ in inbox.got] == [ALERT, UPDATE]
    assert server.requests[DOCS + "alert.xml"] == 1


async def test_a_document_over_the_size_limit_is_not_read_to_the_end(
    server: FakeFeedServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(feeds, "MAX_BYTES", 1000)
    server.files["/latest"] = ALERT  # a few kilobytes
    inbox = Inbox()
    source = poller([server.link("/latest")], inbox)
    await source.poll_once()
    await source.close()
    assert not inbox.got and "over 1000" in caplog.text


async def test_polling_runs_on_through_failures_until_closed(server: FakeFeedServer) -> None:
    server.statuses["/broken"] = 500
    inbox = Inbox()
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:
            await source.close()

    source = FeedPoller([server.link("/broken"), server.link(FEED)], 60.0, inbox, sleep=nap)
    await asyncio.wait_for(source.run(), 5)
    assert naps == [60.0, 60.0, 60.0] and server.requests[FEED] == 3 and len(inbox.got) == 2


def test_documents_are_split_wherever_the_chunks_are_cut_even_inside_an_end_tag() -> None:
    stream = b"\r\n" + ALERT + HEARTBEAT + b"\n" + UPDATE.replace(b"<?xml", b"  <?xml")
    ends = [i for i in range(len(stream)) if stream.startswith(b"</alert>", i)]
    cuts = [*range(1, len(stream), 97), *(end + k for end in ends for k in range(1, 9))]
    for cut in cuts:
        splitter = DocumentSplitter()
        documents = splitter.feed(stream[:cut]) + splitter.feed(stream[cut:])
        assert documents == [ALERT.rstrip(), HEARTBEAT.rstrip(), UPDATE.rstrip()], cut


def test_a_stream_that_never_ends_its_document_is_given_up() -> None:
    splitter = DocumentSplitter(max_bytes=1000)
    with pytest.raises(StreamOutOfStep):
        splitter.feed(ALERT[:-20] * 2)


async def test_the_stream_delivers_documents_cut_in_chunks_and_keeps_heartbeats_back(
    naad: FakeNaad,
) -> None:
    inbox, beats = Inbox(), Inbox()
    clock = Clock()
    stream = CapStream(naad.host, naad.port, inbox, clock=clock, on_heartbeat=beats)
    task = asyncio.create_task(stream.run())
    await naad.wait_connections(1)
    await naad.send(ALERT + HEARTBEAT + UPDATE + HEARTBEAT, sizes=[7, 300, 1, 2048])
    await inbox.wait_for(2)
    await beats.wait_for(2)
    await stream.close()
    await asyncio.wait_for(task, 5)
    source = f"tcp://127.0.0.1:{naad.port}"
    assert inbox.got == [(ALERT.rstrip(), source), (UPDATE.rstrip(), source)]
    assert stream.heartbeats == 2 and stream.last_heartbeat == 1000.0
    # The heartbeats go their own way: their references name alerts the archive may hold.
    assert beats.got == [(HEARTBEAT.rstrip(), source)] * 2


async def test_the_stream_reconnects_after_being_dropped_and_delivers_what_follows(
    naad: FakeNaad,
) -> None:
    inbox = Inbox()
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)

    stream = CapStream(naad.host, naad.port, inbox, sleep=nap, jitter=lambda: 1.0)
    task = asyncio.create_task(stream.run())
    await naad.wait_connections(1)
    await naad.send(ALERT)
    await inbox.wait_for(1)
    naad.drop()
    await naad.wait_connections(2)
    await naad.send(UPDATE, sizes=[500])
    await inbox.wait_for(2)
    await stream.close()
    await asyncio.wait_for(task, 5)
    assert [data for data, _ in inbox.got] == [ALERT.rstrip(), UPDATE.rstrip()]
    assert naps == [1.0] and stream.connections == 2


async def test_a_silent_stream_is_dropped_after_the_heartbeat_timeout(
    naad: FakeNaad, caplog: pytest.LogCaptureFixture
) -> None:
    async def nap(seconds: float) -> None:
        await asyncio.sleep(0)

    stream = CapStream(naad.host, naad.port, Inbox(), heartbeat_timeout=0.05, sleep=nap)
    task = asyncio.create_task(stream.run())
    await naad.wait_connections(1)
    await naad.send(HEARTBEAT)
    await naad.wait_connections(2)  # dropped 0.05 s after the heartbeat, then reconnected
    await stream.close()
    await asyncio.wait_for(task, 5)
    assert stream.heartbeats == 1
    assert "nothing, not even a heartbeat, for 0.05 s; reconnecting" in caplog.text


async def test_reconnecting_waits_one_second_doubling_to_a_minute_then_one_after_a_good_link(
    naad: FakeNaad,
) -> None:
    calls = 0

    async def connect(host: str, port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        nonlocal calls
        calls += 1
        if calls == 9:  # the one good connection, between refusals
            return await asyncio.open_connection(host, port)
        raise ConnectionRefusedError(111, "Connection refused")

    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 11:
            await stream.close()

    inbox = Inbox()
    stream = CapStream(naad.host, naad.port, inbox, sleep=nap, jitter=lambda: 1.0, connect=connect)
    task = asyncio.create_task(stream.run())
    await naad.wait_connections(1)
    await naad.send(HEARTBEAT + ALERT)
    await inbox.wait_for(1)
    naad.drop()
    await asyncio.wait_for(task, 5)
    assert naps == [1, 2, 4, 8, 16, 32, 60, 60, 1, 1, 2]


async def test_jitter_spreads_each_wait_between_half_and_all_of_it(naad: FakeNaad) -> None:
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 3:
            await stream.close()

    await naad.stop()  # nothing listens: every try is refused
    stream = CapStream(naad.host, naad.port, Inbox(), sleep=nap, jitter=lambda: 0.0)
    await asyncio.wait_for(stream.run(), 5)
    assert naps == [0.5, 1.0, 2.0]


def test_a_bad_cap_stream_setting_stops_hubbot_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUBBOT_CAP_STREAM", "streaming1.naad-adna.pelmorex.com")
    assert main(["check"]) == 2
    assert capsys.readouterr().err == (
        "hubbot: HUBBOT_CAP_STREAM: 'streaming1.naad-adna.pelmorex.com' is not host:port;"
        " use e.g. streaming1.naad-adna.pelmorex.com:8080\n"
    )
