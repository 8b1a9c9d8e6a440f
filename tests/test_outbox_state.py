"""Which outbox status may follow which: every pair, and a final status is never overwritten."""

from __future__ import annotations

from itertools import product

import pytest

from hubbot.domain.outbox_state import (
    FINAL,
    INITIAL,
    NEXT,
    RECEIPTS,
    TALLIED,
    UNSENT,
    OutboxStatus,
    after_receipt,
    can_move,
    in_order,
    receipt_sources,
    send_sources,
    sources,
    tallied_as,
)

P, SG, ST, D, F, SU = (
    OutboxStatus.PENDING,
    OutboxStatus.SENDING,
    OutboxStatus.SENT,
    OutboxStatus.DELIVERED,
    OutboxStatus.FAILED,
    OutboxStatus.SUPPRESSED,
)
# Written out by hand, apart from the module, as the README and the store describe them.
ALLOWED = {
    (P, SG),  # about to leave, recorded first
    (P, F),  # no channel for it, or too old to send
    (P, SU),  # its recipient sent STOP before it left
    (SG, P),  # a retry, or a send a crash interrupted
    (SG, ST),
    (SG, D),  # a channel that knows it arrived (Telegram)
    (SG, F),  # a permanent error, or the last attempt
    (ST, D),  # delivery receipts
    (ST, F),
}


def test_the_outbox_uses_exactly_these_statuses() -> None:
    assert {s.value for s in OutboxStatus} == {
        "pending",
        "sending",
        "sent",
        "delivered",
        "failed",
        "suppressed",
    }
    assert set(NEXT) == set(OutboxStatus), "every status has its row in the table"


@pytest.mark.parametrize(("old", "new"), list(product(OutboxStatus, repeat=2)))
def test_each_pair_of_statuses_may_follow_only_as_the_table_says(
    old: OutboxStatus, new: OutboxStatus
) -> None:
    assert can_move(old, new) == ((old, new) in ALLOWED)
    assert (old in sources(new)) == ((old, new) in ALLOWED)


def test_a_final_status_is_never_overwritten_by_anything() -> None:
    assert {D, F, SU} == FINAL
    for old, new in product(FINAL, OutboxStatus):
        assert not can_move(old, new)


def test_nothing_moves_to_the_status_it_already_has() -> None:
    assert not any(can_move(s, s) for s in OutboxStatus)


def test_a_new_row_is_pending_or_suppressed_and_unsent_rows_are_pending_and_sending() -> None:
    assert {P, SU} == INITIAL
    assert UNSENT == (P, SG), "this order is the text of the outbox indexes"
    assert not FINAL & set(UNSENT)


@pytest.mark.parametrize(("old", "reported"), list(product(OutboxStatus, in_order(RECEIPTS))))
def test_a_receipt_moves_only_a_sent_row_and_never_a_final_one(
    old: OutboxStatus, reported: OutboxStatus
) -> None:
    after = after_receipt(old, reported)
    if old is ST and reported in (D, F):
        assert after is reported
    else:
        assert after is old


def test_late_and_out_of_order_receipts_leave_the_final_status() -> None:
    assert after_receipt(D, ST) is D, "'sent' arriving after 'delivered'"
    assert after_receipt(D, F) is D
    assert after_receipt(F, D) is F, "'delivered' after 'undelivered'"
    assert after_receipt(SU, D) is SU


def test_a_receipt_can_only_report_sent_delivered_or_failed() -> None:
    assert {ST, D, F} == RECEIPTS
    with pytest.raises(ValueError, match="pending"):
        receipt_sources(P)


def test_the_dispatcher_moves_only_unsent_rows() -> None:
    assert send_sources(SG) == {P}
    assert send_sources(P) == {SG}
    assert send_sources(ST) == send_sources(D) == {SG}
    assert send_sources(F) == {P, SG}, "a receipt, not the dispatcher, fails a sent row"


def test_statuses_come_in_declaration_order_whatever_order_they_are_given_in() -> None:
    assert in_order(frozenset({F, SG, P})) == (P, SG, F)
    assert in_order(frozenset()) == ()


def test_a_broadcast_tally_counts_every_status_in_exactly_one_column() -> None:
    columns = {status: tallied_as(status) for status in OutboxStatus}
    assert set(columns.values()) == set(TALLIED)
    assert columns[OutboxStatus.SENDING] is OutboxStatus.PENDING, "still on its way"
    assert columns[OutboxStatus.SUPPRESSED] is OutboxStatus.FAILED, "it never reached them"
    assert tallied_as(None) is OutboxStatus.PENDING, "fanned out, no row yet"
