"""Turn one SQS record into a typed message, whatever shape the RDS event arrived in.

Shapes accepted in the record body:
- an SNS notification (subscription without raw delivery): "Message" holds the RDS event JSON
  string, "MessageAttributes" hold the bare EventID and the Resource ARN;
- the RDS event JSON itself (raw delivery; the attributes then sit on the SQS record);
- an EventBridge event with source "aws.rds" and detail.EventID / detail.SourceArn;
- the export request the sweep sends: {"kind": "export-request", "snapshot_arn": ...}.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from . import settings
from .naming import is_snapshot_arn, parse_snapshot_arn

EXPORT_REQUEST_KIND = "export-request"


@dataclass(frozen=True)
class SnapshotCreated:
    snapshot_arn: str
    event_id: str
    source_type: str


@dataclass(frozen=True)
class ExportFinished:
    snapshot_arn: str
    event_id: str
    status: str


@dataclass(frozen=True)
class ExportRequest:
    snapshot_arn: str


@dataclass(frozen=True)
class Ignored:
    reason: str
    event_id: str | None = None
    snapshot_arn: str | None = None


@dataclass(frozen=True)
class Malformed:
    reason: str


Message = SnapshotCreated | ExportFinished | ExportRequest | Ignored | Malformed


class MalformedMessage(ValueError):  # noqa: N818 - the name the rest of the project uses
    """Raised inside the parser; parse_record turns it into Malformed."""


def export_request_body(snapshot_arn: str, origin: str = "sweep") -> str:
    return json.dumps({"kind": EXPORT_REQUEST_KIND, "snapshot_arn": snapshot_arn, "origin": origin})


def parse_record(record: Mapping[str, Any], event_ids: Collection[str]) -> Message:
    """Parse one SQS record; never raises."""
    try:
        if not isinstance(record, Mapping):
            raise MalformedMessage("record is not an object")
        body = record.get("body")
        if not isinstance(body, str):
            raise MalformedMessage("record has no string body")
        attributes = _sqs_attributes(record.get("messageAttributes"))
        return parse_body(body, event_ids, attributes)
    except MalformedMessage as err:
        return Malformed(str(err))


def parse_body(
    body: str, event_ids: Collection[str], attributes: Mapping[str, str] | None = None
) -> Message:
    """Parse a record body; raises MalformedMessage for bodies that fit no known shape."""
    try:
        document = json.loads(body)
    except (json.JSONDecodeError, TypeError) as err:
        raise MalformedMessage("body is not JSON") from err
    if not isinstance(document, dict):
        raise MalformedMessage("body is not a JSON object")
    attributes = dict(attributes or {})

    if document.get("kind") == EXPORT_REQUEST_KIND:
        arn = document.get("snapshot_arn")
        if not is_snapshot_arn(arn):
            raise MalformedMessage(f"export request has no valid snapshot_arn: {arn!r}")
        return ExportRequest(snapshot_arn=arn.strip())

    if document.get("Type") in ("SubscriptionConfirmation", "UnsubscribeConfirmation"):
        return Ignored(reason=f"SNS {document['Type']} message")

    if "Message" in document and ("TopicArn" in document or document.get("Type") == "Notification"):
        attributes.update(_sns_attributes(document.get("MessageAttributes")))
        inner = document.get("Message")
        try:
            rds_event = json.loads(inner) if isinstance(inner, str) else inner
        except json.JSONDecodeError:
            rds_event = None
        if not isinstance(rds_event, dict):
            # RDS publishes one plain-text message when a subscription is created.
            text = str(inner)[:200]
            return Ignored(reason=f"plain-text notification, not an RDS event: {text}")
        return _rds_event(rds_event, attributes, event_ids)

    if document.get("source") == "aws.rds" and isinstance(document.get("detail"), dict):
        detail = document["detail"]
        return _classify(
            event_id=_bare_event_id(detail.get("EventID")),
            snapshot_arn=detail.get("SourceArn"),
            event_ids=event_ids,
        )

    if "Event ID" in document or "Source ARN" in document:
        return _rds_event(document, attributes, event_ids)

    raise MalformedMessage("body is not an SNS notification, RDS event or export request")


def _rds_event(
    event: Mapping[str, Any], attributes: Mapping[str, str], event_ids: Collection[str]
) -> Message:
    event_id = _bare_event_id(attributes.get("EventID")) or _bare_event_id(event.get("Event ID"))
    snapshot_arn = attributes.get("Resource") or event.get("Source ARN")
    return _classify(event_id=event_id, snapshot_arn=snapshot_arn, event_ids=event_ids)


def _classify(event_id: str | None, snapshot_arn: Any, event_ids: Collection[str]) -> Message:
    if not event_id:
        return Ignored(reason="RDS event without an event ID")
    arn = snapshot_arn.strip() if isinstance(snapshot_arn, str) else None
    finished = settings.export_finished_events().get(event_id)
    # Export results are tracked whatever EVENT_IDS says: they concern exports this function
    # may have started.
    if finished is not None:
        if not is_snapshot_arn(arn):
            raise MalformedMessage(f"{event_id} without a snapshot ARN: {snapshot_arn!r}")
        return ExportFinished(snapshot_arn=arn, event_id=event_id, status=finished["status"])
    if event_id not in event_ids:
        return Ignored(
            reason=f"event {event_id} is not in EVENT_IDS", event_id=event_id, snapshot_arn=arn
        )
    if not is_snapshot_arn(arn):
        raise MalformedMessage(f"{event_id} without a snapshot ARN: {snapshot_arn!r}")
    return SnapshotCreated(
        snapshot_arn=arn, event_id=event_id, source_type=parse_snapshot_arn(arn).source_type
    )


def _bare_event_id(value: Any) -> str | None:
    """The bare event ID, also from a documentation URL ending in "#RDS-EVENT-0169"."""
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().rsplit("#", 1)[-1].strip().upper() or None


def _sns_attributes(raw: Any) -> dict[str, str]:
    """SNS notification attributes: {"EventID": {"Type": "String", "Value": "..."}}."""
    if not isinstance(raw, Mapping):
        return {}
    result: dict[str, str] = {}
    for name, item in raw.items():
        if isinstance(item, Mapping) and isinstance(item.get("Value"), str):
            result[str(name)] = item["Value"]
    return result


def _sqs_attributes(raw: Any) -> dict[str, str]:
    """SQS record attributes as Lambda passes them: {"EventID": {"stringValue": "..."}}."""
    if not isinstance(raw, Mapping):
        return {}
    result: dict[str, str] = {}
    for name, item in raw.items():
        if isinstance(item, Mapping):
            value = item.get("stringValue", item.get("StringValue"))
            if isinstance(value, str):
                result[str(name)] = value
    return result
