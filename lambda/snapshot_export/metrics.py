"""CloudWatch Embedded Metric Format lines; CloudWatch Logs extracts the metrics from them."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any

EXPORTS_STARTED = "ExportsStarted"
EXPORTS_DEFERRED = "ExportsDeferred"
EXPORTS_COMPLETED = "ExportsCompleted"
EXPORTS_FAILED = "ExportsFailed"
SNAPSHOTS_SKIPPED = "SnapshotsSkipped"
SWEEP_QUEUED = "SweepQueued"
PERMANENT_ERRORS = "PermanentErrors"

DIMENSION = "Exporter"


def emf_document(
    namespace: str,
    exporter: str,
    metric: str,
    value: float = 1,
    timestamp_ms: int | None = None,
    **properties: Any,
) -> dict[str, Any]:
    """One EMF object: a Count metric with the single dimension set [["Exporter"]]."""
    document: dict[str, Any] = {
        "_aws": {
            "Timestamp": int(time.time() * 1000) if timestamp_ms is None else timestamp_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": namespace,
                    "Dimensions": [[DIMENSION]],
                    "Metrics": [{"Name": metric, "Unit": "Count"}],
                }
            ],
        },
        DIMENSION: exporter,
        metric: value,
    }
    for key, item in properties.items():
        if item is not None and key not in document:
            document[key] = item
    return document


def write_stdout(line: str) -> None:
    # EMF must reach CloudWatch Logs as a bare JSON line; going through the logging module
    # would wrap it in a log record (and, with the JSON log format, inside "message").
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def emit(
    sink: Callable[[str], None],
    namespace: str,
    exporter: str,
    metric: str,
    timestamp_ms: int | None = None,
    **properties: Any,
) -> None:
    document = emf_document(namespace, exporter, metric, timestamp_ms=timestamp_ms, **properties)
    sink(json.dumps(document, default=str))
