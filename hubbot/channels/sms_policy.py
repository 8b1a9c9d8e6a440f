"""How SMS text is shaped and paced, whichever gateway sends it (Twilio or the simulator)."""

from __future__ import annotations

from dataclasses import dataclass

from hubbot.channels.base import Limit
from hubbot.domain.sms import fold_to_gsm7, segment_count, split_text


@dataclass(frozen=True)
class SmsPolicy:
    mps: float = 1.0  # segments per second per sender (a North-American long code: 1)
    max_segments: int = 3  # longer texts go as several SMS, split at word boundaries
    fold_accents: bool = False

    def shape(self, text: str) -> list[str]:
        if self.fold_accents:
            text = fold_to_gsm7(text)
        return split_text(text, self.max_segments)

    def key(self, sender: str | None) -> str:
        """The pace key: each sending number (or messaging service) has its own rate."""
        return f"sms:{sender or 'default'}"

    def limits(self, sender: str | None, text: str) -> list[Limit]:
        # Carriers meter segments, not messages: a 3-segment text costs three.
        return [Limit(self.key(sender), self.mps, segment_count(text))]
