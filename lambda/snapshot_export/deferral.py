"""Putting a record back on the queue for later, or on the dead-letter queue for a person.

A deferred record is re-sent as a new message with DelaySeconds and reported as processed, so
waiting for an export slot never uses up the SQS receive count that redrive counts; only real
failures do. The new message carries how often it was deferred, when the first copy was seen
and when it may be tried again.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .backoff import sqs_delay
from .exporter import ErrorKind, ExportError

ATTR_DEFERRALS = "export-deferrals"
ATTR_FIRST_SEEN = "export-first-seen"
ATTR_NOT_BEFORE = "export-not-before"
# The jitter is keyed on the message ID of the first copy; each re-send gets a new ID.
ATTR_ORIGIN_ID = "export-origin-message-id"
ATTR_ERROR_CODE = "ErrorCode"
ATTR_ERROR_MESSAGE = "ErrorMessage"
_OWN_ATTRIBUTES = frozenset(
    {
        ATTR_DEFERRALS,
        ATTR_FIRST_SEEN,
        ATTR_NOT_BEFORE,
        ATTR_ORIGIN_ID,
        ATTR_ERROR_CODE,
        ATTR_ERROR_MESSAGE,
    }
)
# SendMessage accepts at most 10 message attributes.
_MAX_ATTRIBUTES = 10
_MAX_ERROR_MESSAGE = 1024


class QueueUnknownError(Exception):
    """Neither QUEUE_URL nor the record's eventSourceARN says where to re-send."""


@dataclass(frozen=True)
class DeferralState:
    """What the record's attributes say about earlier deferrals."""

    deferrals: int
    first_seen: float
    not_before: float | None
    origin_message_id: str


def _attribute(record: Mapping[str, Any], name: str) -> str | None:
    item = (record.get("messageAttributes") or {}).get(name)
    if isinstance(item, Mapping):
        value = item.get("stringValue", item.get("StringValue"))
        if isinstance(value, str):
            return value
    return None


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def deferral_state(record: Mapping[str, Any], now: datetime) -> DeferralState:
    """Read the deferral attributes; a fresh record has none and was first seen when sent."""
    deferrals = _number(_attribute(record, ATTR_DEFERRALS))
    first_seen = _number(_attribute(record, ATTR_FIRST_SEEN))
    if first_seen is None:
        sent_ms = _number(str((record.get("attributes") or {}).get("SentTimestamp", "")) or None)
        first_seen = sent_ms / 1000 if sent_ms else now.timestamp()
    origin = _attribute(record, ATTR_ORIGIN_ID) or str(record.get("messageId") or "")
    return DeferralState(
        deferrals=max(0, int(deferrals or 0)),
        first_seen=first_seen,
        not_before=_number(_attribute(record, ATTR_NOT_BEFORE)),
        origin_message_id=origin,
    )


def queue_url_for(configured: str, record: Mapping[str, Any], sqs: Any) -> str:
    """QUEUE_URL, or the URL of the queue the record came from."""
    if configured:
        return configured
    source = record.get("eventSourceARN")
    parts = source.split(":") if isinstance(source, str) else []
    if len(parts) != 6 or parts[2] != "sqs":
        raise QueueUnknownError("QUEUE_URL is empty and the record has no SQS eventSourceARN")
    _, _, _, _region, account, name = parts
    # The function's SQS client talks to the queue's region (an event source mapping only reads
    # queues in the function's region), so its endpoint is the queue URL's host.
    return f"{str(sqs.meta.endpoint_url).rstrip('/')}/{account}/{name}"


def _carried_attributes(record: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Other message attributes of the record (raw SNS delivery puts EventID there), kept."""
    carried: dict[str, dict[str, Any]] = {}
    for name, item in (record.get("messageAttributes") or {}).items():
        if name in _OWN_ATTRIBUTES or not isinstance(item, Mapping):
            continue
        data_type = item.get("dataType") or item.get("DataType") or "String"
        string_value = item.get("stringValue", item.get("StringValue"))
        binary_value = item.get("binaryValue", item.get("BinaryValue"))
        if isinstance(string_value, str):
            carried[name] = {"DataType": data_type, "StringValue": string_value}
        elif isinstance(binary_value, str):
            try:
                decoded = base64.b64decode(binary_value)
            except (binascii.Error, ValueError):
                continue
            carried[name] = {"DataType": data_type, "BinaryValue": decoded}
    return carried


def _number_attribute(value: float) -> dict[str, str]:
    return {"DataType": "Number", "StringValue": str(int(value))}


def _send(sqs: Any, request: dict[str, Any]) -> None:
    try:
        sqs.send_message(**request)
    except ClientError as err:
        failure = ExportError.from_client_error(err)
        raise ExportError(failure.code, failure.message, ErrorKind.TRANSIENT) from err
    except BotoCoreError as err:
        raise ExportError.from_botocore_error(err) from err


def resend(
    sqs: Any,
    queue_url: str,
    record: Mapping[str, Any],
    state: DeferralState,
    *,
    deferrals: int,
    not_before: float,
    now: datetime,
) -> int:
    """Send a copy of the record that becomes visible at not_before (or in 15 minutes, if
    sooner); return the DelaySeconds used."""
    delay = sqs_delay(not_before - now.timestamp())
    own = {
        ATTR_DEFERRALS: _number_attribute(deferrals),
        ATTR_FIRST_SEEN: _number_attribute(state.first_seen),
        ATTR_NOT_BEFORE: _number_attribute(not_before),
        ATTR_ORIGIN_ID: {"DataType": "String", "StringValue": state.origin_message_id},
    }
    carried = list(_carried_attributes(record).items())[: _MAX_ATTRIBUTES - len(own)]
    _send(
        sqs,
        {
            "QueueUrl": queue_url,
            "MessageBody": record["body"],
            "DelaySeconds": delay,
            "MessageAttributes": {**dict(carried), **own},
        },
    )
    return delay


def send_to_dead_letter(
    sqs: Any, dead_letter_queue_url: str, record: Mapping[str, Any], code: str, message: str
) -> None:
    """Move the record to the dead-letter queue with the reason in its attributes.

    The body and the carried attributes are kept; the export-* deferral attributes are not,
    so a record redriven once the cause is fixed starts a fresh wait instead of going straight
    back with MaxWaitExceeded.
    """
    own = {
        ATTR_ERROR_CODE: {"DataType": "String", "StringValue": code or "Unknown"},
        ATTR_ERROR_MESSAGE: {
            "DataType": "String",
            "StringValue": (message or code or "unknown")[:_MAX_ERROR_MESSAGE],
        },
    }
    carried = list(_carried_attributes(record).items())[: _MAX_ATTRIBUTES - len(own)]
    body = record.get("body")
    _send(
        sqs,
        {
            "QueueUrl": dead_letter_queue_url,
            "MessageBody": body if isinstance(body, str) and body else "{}",
            "MessageAttributes": {**dict(carried), **own},
        },
    )
