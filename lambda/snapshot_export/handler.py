"""Lambda entry point: SQS batches of snapshot events, or {"action": "sweep"} from the schedule."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from . import logs
from .config import ConfigError
from .dispatch import BatchContext, RecordResult, message_id_of, process_record
from .exporter import ExportError
from .outcome import BatchResult, Decision, Outcome
from .runtime import Runtime
from .sweep import run_sweep

__all__ = ["BatchResult", "Decision", "Outcome", "handler", "process_batch"]

SWEEP_ACTION = "sweep"

_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    """The Runtime for this execution environment, built from the environment on first use."""
    global _runtime  # noqa: PLW0603 - one Runtime per execution environment, reused warm
    if _runtime is None:
        try:
            runtime = Runtime.from_env()
        except ConfigError as err:
            logs.configure("INFO")
            logs.log(
                logging.ERROR,
                "invalid function configuration",
                variable=err.variable,
                error=str(err),
            )
            raise
        logs.configure(runtime.config.log_level)
        _runtime = runtime
    return _runtime


def process_batch(event: Mapping[str, Any], runtime: Runtime) -> BatchResult:
    """Decide every record of an SQS event (or run the sweep) and collect the outcomes."""
    if isinstance(event, Mapping) and event.get("action") == SWEEP_ACTION:
        try:
            return BatchResult(sweep=run_sweep(runtime).to_dict())
        except ExportError as err:
            # Failing the invocation lets the schedule's retry policy run the sweep again.
            logs.log(logging.ERROR, "sweep failed", error_code=err.code, error_message=err.message)
            raise
    records = event.get("Records") if isinstance(event, Mapping) else None
    if not isinstance(records, list):
        raise ValueError('expected an SQS event with "Records" or {"action": "sweep"}')

    ctx = BatchContext(runtime)
    result = BatchResult()
    for record in records:
        message_id = message_id_of(record)
        try:
            item = process_record(ctx, record)
        except Exception as err:
            # One bad record must not fail the batch; SQS delivers just this one again.
            logs.get_logger().exception(
                "unexpected error while processing record",
                extra={"decision": str(Decision.RETRY), "error_code": type(err).__name__},
            )
            item = RecordResult(
                Outcome(
                    message_id=message_id,
                    decision=Decision.RETRY,
                    reason=str(err),
                    error_code=type(err).__name__,
                ),
                redeliver=True,
            )
        result.outcomes.append(item.outcome)
        if item.redeliver and message_id:
            result.failures.append(message_id)
    return result


def handler(event: Mapping[str, Any], context: Any) -> dict[str, Any]:
    result = process_batch(event, get_runtime())
    response = result.response()
    if result.sweep is not None:
        response["sweep"] = result.sweep
    else:
        logs.log(
            logging.DEBUG,
            "batch processed",
            records=len(result.outcomes),
            failures=len(result.failures),
        )
    return response
