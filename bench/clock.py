"""A clock that only moves when the simulation moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SimClock:
    """Callable returning an aware UTC datetime, as the function's runtime expects of a clock."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock needs an aware start time")
        self._now = start.astimezone(UTC)
        self.start = self._now

    def __call__(self) -> datetime:
        return self._now

    @property
    def epoch(self) -> float:
        return self._now.timestamp()

    @property
    def elapsed(self) -> float:
        return (self._now - self.start).total_seconds()

    def advance_to(self, epoch_seconds: float) -> None:
        target = datetime.fromtimestamp(epoch_seconds, UTC)
        if target < self._now:
            raise ValueError(f"time cannot run backwards: {target} < {self._now}")
        self._now = target

    def advance(self, seconds: float) -> None:
        self._now += timedelta(seconds=seconds)
