"""The outbox's statuses and which one may follow which: the one place these rules live.

A row is written `pending` (or `suppressed`, when its recipient opted out) and then moves only
along NEXT:

    pending    -> sending (about to leave, recorded durably first) | failed (no channel, expired)
                  | suppressed (its recipient sent STOP before it left)
    sending    -> sent | delivered (the provider took it) | failed (a permanent error, or the
                  last attempt) | pending (a retry, or a send a crash interrupted)
    sent       -> delivered | failed (a delivery receipt)
    delivered, failed, suppressed: final, nothing follows.

Invariants the store relies on:
- A final status is never overwritten: a late or out-of-order receipt (`sent` after
  `delivered`, `delivered` after `failed`) leaves it as it is.
- UNSENT (pending, sending) are the rows that hold their lane, and only the dispatcher moves
  them (send_sources), handing the lane's head on when one leaves UNSENT. A delivery receipt
  moves only a row that has left (receipt_sources). UNSENT's order is the text of the outbox
  indexes' WHERE clauses.
- Nothing moves to a status it already has: a move is a change.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType


class OutboxStatus(StrEnum):
    """Where an outbox row is on its way; the column `outbox.status` holds the value."""

    PENDING = "pending"  # waiting for its turn, its pace, or its next attempt
    SENDING = "sending"  # handed to a channel; the outcome is not written yet
    SENT = "sent"  # the provider took it; a delivery receipt may follow
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"  # never sent: the recipient opted out


_S = OutboxStatus

NEXT: Mapping[OutboxStatus, frozenset[OutboxStatus]] = MappingProxyType(
    {
        _S.PENDING: frozenset({_S.SENDING, _S.FAILED, _S.SUPPRESSED}),
        _S.SENDING: frozenset({_S.PENDING, _S.SENT, _S.DELIVERED, _S.FAILED}),
        _S.SENT: frozenset({_S.DELIVERED, _S.FAILED}),
        _S.DELIVERED: frozenset(),
        _S.FAILED: frozenset(),
        _S.SUPPRESSED: frozenset(),
    }
)

FINAL = frozenset(s for s, after in NEXT.items() if not after)
INITIAL = frozenset({_S.PENDING, _S.SUPPRESSED})  # what a new row may be written as
UNSENT = (_S.PENDING, _S.SENDING)  # a tuple: SQL is written from it in this order
RECEIPTS = frozenset({_S.SENT, _S.DELIVERED, _S.FAILED})  # what a delivery receipt may report


def can_move(old: OutboxStatus, new: OutboxStatus) -> bool:
    """Whether a row in `old` may become `new`."""
    return new in NEXT[old]


def sources(new: OutboxStatus) -> frozenset[OutboxStatus]:
    """Every status a row may be in to become `new`: what an UPDATE's WHERE must allow."""
    return frozenset(old for old, after in NEXT.items() if new in after)


def send_sources(new: OutboxStatus) -> frozenset[OutboxStatus]:
    """The statuses the dispatcher moves to `new`: only rows still UNSENT, which it owns."""
    return sources(new) & frozenset(UNSENT)


def receipt_sources(reported: OutboxStatus) -> frozenset[OutboxStatus]:
    """The statuses a delivery receipt reporting `reported` moves; any other row keeps its own."""
    if reported not in RECEIPTS:
        raise ValueError(f"a delivery receipt cannot report {reported!r}")
    return sources(reported) - frozenset(UNSENT)


def after_receipt(old: OutboxStatus, reported: OutboxStatus) -> OutboxStatus:
    """What a row in `old` becomes when a receipt reports `reported`."""
    return reported if old in receipt_sources(reported) else old


def in_order(statuses: frozenset[OutboxStatus]) -> tuple[OutboxStatus, ...]:
    """`statuses` in declaration order, so text written from them is always the same."""
    return tuple(s for s in OutboxStatus if s in statuses)


TALLIED = (_S.PENDING, _S.SENT, _S.DELIVERED, _S.FAILED)  # a broadcast's tally, in this order


def tallied_as(status: str | None) -> OutboxStatus:
    """The column of a broadcast's tally a recipient's row counts in: still on its way (no row
    yet, pending or sending) is pending; a row never sent to someone who opted out is failed."""
    if status == _S.SUPPRESSED:
        return _S.FAILED
    if status in (_S.SENT, _S.DELIVERED, _S.FAILED):
        return OutboxStatus(status)
    return _S.PENDING
