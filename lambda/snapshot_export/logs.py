"""One JSON object per log line, with the standard library only."""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from typing import Any

LOGGER_NAME = "snapshot_export"

# Attributes every LogRecord has; anything else on a record came from `extra`.
_RECORD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None)).keys()
) | {"message", "asctime"}


def get_logger() -> logging.Logger:
    return logging.getLogger(LOGGER_NAME)


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object: timestamp, level, message, then the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        document: dict[str, Any] = {
            "timestamp": f"{created}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and value is not None:
                document[key] = value
        if record.exc_info:
            document["stackTrace"] = self.formatException(record.exc_info)
        return json.dumps(document, default=str, separators=(",", ":"))


def configure(level: str) -> None:
    """Set up logging for a Lambda invocation environment.

    With the function's log format set to JSON, the Lambda Python runtime already formats each
    record as one JSON object and adds the `extra` fields to it; formatting the message as JSON
    here too would nest an escaped JSON string inside its "message". With the text format, the
    runtime's handler would print plain text, so this package gets its own JSON handler and
    stops propagating to avoid printing every line twice.
    """
    logger = get_logger()
    logger.setLevel(level)
    if os.environ.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON":
        return
    if any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.propagate = False


def log(level: int, message: str, **fields: Any) -> None:
    """Log a stable message with structured fields; None-valued fields are left out."""
    get_logger().log(level, message, extra={k: v for k, v in fields.items() if v is not None})
