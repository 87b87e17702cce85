"""What happened to each record: the value tests, the demo and the benchmark inspect."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Decision(StrEnum):
    EXPORTED = "exported"
    ALREADY_EXPORTED = "already_exported"
    SKIPPED = "skipped"
    DEFERRED = "deferred"
    TRACKED = "tracked"
    FAILED = "failed"
    RETRY = "retry"


@dataclass(frozen=True)
class Outcome:
    """The decision taken for one record, with what it concerned."""

    message_id: str
    decision: Decision
    snapshot_arn: str | None = None
    export_task_id: str | None = None
    s3_uri: str | None = None
    reason: str | None = None
    delay_seconds: int | None = None
    error_code: str | None = None


@dataclass
class BatchResult:
    """Outcomes of one invocation; failures are the message IDs SQS should deliver again."""

    outcomes: list[Outcome] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    sweep: dict[str, Any] | None = None

    def response(self) -> dict[str, Any]:
        """The Lambda response for an SQS event source mapping with ReportBatchItemFailures."""
        return {"batchItemFailures": [{"itemIdentifier": item} for item in self.failures]}
