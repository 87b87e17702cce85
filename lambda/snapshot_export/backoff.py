"""How long to wait before trying a deferred export again."""

from __future__ import annotations

import hashlib

# SQS caps DelaySeconds at 15 minutes; longer waits are made of several re-sends.
MAX_SQS_DELAY_SECONDS = 900


def jitter_fraction(message_id: str, deferrals: int) -> float:
    """A number in [0, 1) fixed by the first message ID and the deferral count.

    Deterministic rather than random so that a replayed record gets the same delay, while
    different snapshots deferred at the same moment spread out instead of retrying together.
    """
    digest = hashlib.sha256(f"{message_id}{deferrals}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def deferral_delay(deferrals: int, message_id: str, base_seconds: int, max_seconds: int) -> int:
    """Seconds to wait after `deferrals` earlier deferrals: capped exponential, half jittered."""
    exponent = min(max(deferrals, 0), 32)
    ceiling = min(max_seconds, base_seconds * 2**exponent)
    return max(1, int(ceiling * (0.5 + 0.5 * jitter_fraction(message_id, deferrals))))


def sqs_delay(seconds: float) -> int:
    """The DelaySeconds to send for a wait of `seconds`."""
    return max(0, min(MAX_SQS_DELAY_SECONDS, int(-(-seconds // 1))))
