"""Group commit for the inbound journal: the webhooks that arrive together share one commit."""

from __future__ import annotations

from hubbot.store import inbound
from hubbot.store.conn import Store
from hubbot.store.group_commit import GroupCommit
from hubbot.store.inbound import NewInbound


class IntakeWriter(GroupCommit[NewInbound, "int | None"]):
    """Stores inbound rows, many per transaction (store/group_commit.py), and answers each
    webhook with its row's journal id once committed, or None for a provider id seen before.

    Rows that arrive while the processor's batch holds the store go together into the next
    commit. If the store fails, none of the transaction's rows was stored: each webhook answers
    5xx and its provider sends it again. A caller that goes away (its client hung up) leaves
    its row to be stored all the same: unacknowledged, it comes again and is then known by its
    provider id.
    """

    def __init__(self, db: Store) -> None:
        super().__init__(db, inbound.record_many, "intake-writer")
