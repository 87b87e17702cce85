"""A fake of Amazon SQS standard queues, driven by the simulated clock.

It keeps the semantics the export pipeline relies on: per-message DelaySeconds (0-900),
message attributes with their data types, ReceiveMessage of up to ten messages that starts
a visibility timeout, ApproximateReceiveCount, DeleteMessage that only works with the most
recent receipt handle, ChangeMessageVisibility, the redrive policy (a message whose receive
count has reached maxReceiveCount is moved to the dead-letter queue on its next receive, as
SQS does) and the retention period (counted from the original enqueue time, also in the
dead-letter queue).

What it leaves out: long polling does not wait (the simulation decides when to poll), no
sampling of servers (every visible message is a candidate, oldest first), no FIFO queues,
no KMS, and no 12-hour cap on visibility extensions.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import struct
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from bench.clock import SimClock
from bench.wire import FakeServiceError, wired_client

MAX_DELAY_SECONDS = 900
MAX_VISIBILITY_TIMEOUT = 43_200
MAX_BODY_BYTES = 262_144
MAX_MESSAGE_ATTRIBUTES = 10
# The characters SQS accepts in a message body: #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD and
# #x10000-#x10FFFF; anything else is InvalidMessageContents.
_NOT_ALLOWED_IN_BODY = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SYSTEM_ATTRIBUTES = (
    "SenderId",
    "SentTimestamp",
    "ApproximateReceiveCount",
    "ApproximateFirstReceiveTimestamp",
)


@dataclass
class StoredMessage:
    message_id: str
    body: str
    attributes: dict[str, dict[str, Any]]
    enqueued_at: float
    visible_at: float
    receive_count: int = 0
    first_received_at: float | None = None
    receipt_handle: str | None = None


@dataclass
class FakeQueue:
    name: str
    url: str
    arn: str
    visibility_timeout: int = 30
    retention_seconds: int = 345_600
    delay_seconds: int = 0
    dead_letter_arn: str | None = None
    max_receive_count: int | None = None
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    sent: int = 0
    received: int = 0
    deleted: int = 0
    expired: int = 0
    redriven_out: int = 0
    redriven_in: int = 0


class FakeSQS:
    """In-memory fake of the SQS API; ``client()`` gives a real botocore client onto it."""

    def __init__(
        self,
        clock: SimClock,
        *,
        account_id: str = "123456789012",
        region: str = "us-east-1",
        sender_id: str = "AIDAFAKESENDER000000",
        seed: int = 0,
    ) -> None:
        self.clock = clock
        self.account_id = account_id
        self.region = region
        self.sender_id = sender_id
        self.calls: Counter[str] = Counter()
        self.queues: dict[str, FakeQueue] = {}
        self._by_arn: dict[str, FakeQueue] = {}
        self._handles: dict[str, tuple[FakeQueue, str]] = {}
        self._next_expiry = float("inf")
        # Message IDs feed the function's deferral jitter, so they come from a seeded source:
        # the same scenario gives the same figures.
        self._ids = random.Random(seed)

    def client(self) -> Any:
        return wired_client("sqs", self, region=self.region)

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    # -- inspection for the simulation -------------------------------------------------

    def queue(self, url_or_name: str) -> FakeQueue:
        self._expire()
        name = url_or_name.rstrip("/").rsplit("/", 1)[-1]
        try:
            return self.queues[name]
        except KeyError:
            raise FakeServiceError(
                "QueueDoesNotExist", f"The specified queue {name} does not exist."
            ) from None

    def next_visible_at(self, url: str) -> float | None:
        """When the next message of the queue can be received (now or later), if any."""
        messages = self.queue(url).messages.values()
        return min((m.visible_at for m in messages), default=None)

    def depth(self, url: str) -> int:
        return len(self.queue(url).messages)

    # -- API -----------------------------------------------------------------------------

    def create_queue(self, params: dict[str, Any]) -> dict[str, Any]:
        name = params["QueueName"]
        attributes = params.get("Attributes", {})
        if name in self.queues:
            return {"QueueUrl": self.queues[name].url}
        queue = FakeQueue(
            name=name,
            url=f"https://sqs.{self.region}.amazonaws.com/{self.account_id}/{name}",
            arn=f"arn:aws:sqs:{self.region}:{self.account_id}:{name}",
        )
        self._apply_attributes(queue, attributes)
        self.queues[name] = queue
        self._by_arn[queue.arn] = queue
        return {"QueueUrl": queue.url}

    def set_queue_attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        self._apply_attributes(self.queue(params["QueueUrl"]), params["Attributes"])
        return {}

    def get_queue_url(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"QueueUrl": self.queue(params["QueueName"]).url}

    def get_queue_attributes(self, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(params["QueueUrl"])
        now = self.clock.epoch
        visible = [m for m in queue.messages.values() if m.visible_at <= now]
        in_flight = [m for m in queue.messages.values() if m.receipt_handle and m.visible_at > now]
        delayed = [
            m for m in queue.messages.values() if not m.receipt_handle and m.visible_at > now
        ]
        everything = {
            "QueueArn": queue.arn,
            "VisibilityTimeout": str(queue.visibility_timeout),
            "MessageRetentionPeriod": str(queue.retention_seconds),
            "DelaySeconds": str(queue.delay_seconds),
            "ApproximateNumberOfMessages": str(len(visible)),
            "ApproximateNumberOfMessagesNotVisible": str(len(in_flight)),
            "ApproximateNumberOfMessagesDelayed": str(len(delayed)),
        }
        if queue.dead_letter_arn:
            everything["RedrivePolicy"] = json.dumps(
                {
                    "deadLetterTargetArn": queue.dead_letter_arn,
                    "maxReceiveCount": queue.max_receive_count,
                }
            )
        names = params.get("AttributeNames", ["All"])
        if "All" in names:
            return {"Attributes": everything}
        return {"Attributes": {k: v for k, v in everything.items() if k in names}}

    def send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(params["QueueUrl"])
        message = self._enqueue(
            queue,
            params["MessageBody"],
            params.get("MessageAttributes", {}),
            params.get("DelaySeconds"),
        )
        result = {"MessageId": message.message_id, "MD5OfMessageBody": _md5(message.body)}
        if message.attributes:
            result["MD5OfMessageAttributes"] = md5_of_message_attributes(message.attributes)
        return result

    def send_message_batch(self, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(params["QueueUrl"])
        entries = params["Entries"]
        if not entries:
            raise FakeServiceError("EmptyBatchRequest", "There should be at least one entry.")
        if len(entries) > 10:
            raise FakeServiceError("TooManyEntriesInBatchRequest", "At most 10 entries.")
        if len({e["Id"] for e in entries}) != len(entries):
            raise FakeServiceError("BatchEntryIdsNotDistinct", "Entry ids must be distinct.")
        successful, failed = [], []
        for entry in entries:
            try:
                message = self._enqueue(
                    queue,
                    entry["MessageBody"],
                    entry.get("MessageAttributes", {}),
                    entry.get("DelaySeconds"),
                )
            except FakeServiceError as error:
                failed.append(
                    {
                        "Id": entry["Id"],
                        "SenderFault": True,
                        "Code": error.code,
                        "Message": error.message,
                    }
                )
                continue
            ok = {
                "Id": entry["Id"],
                "MessageId": message.message_id,
                "MD5OfMessageBody": _md5(message.body),
            }
            if message.attributes:
                ok["MD5OfMessageAttributes"] = md5_of_message_attributes(message.attributes)
            successful.append(ok)
        return {"Successful": successful, "Failed": failed}

    def receive_message(self, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(params["QueueUrl"])
        limit = params.get("MaxNumberOfMessages", 1)
        if not 1 <= limit <= 10:
            raise FakeServiceError(
                "InvalidParameterValue", "MaxNumberOfMessages must be between 1 and 10."
            )
        timeout = params.get("VisibilityTimeout", queue.visibility_timeout)
        _check_visibility(timeout)
        wanted_system = set(params.get("MessageSystemAttributeNames", [])) | set(
            params.get("AttributeNames", [])
        )
        wanted_custom = params.get("MessageAttributeNames", [])
        now = self.clock.epoch
        candidates = sorted(
            (m for m in queue.messages.values() if m.visible_at <= now),
            key=lambda m: (m.visible_at, m.enqueued_at),
        )
        delivered: list[dict[str, Any]] = []
        for message in candidates:
            if len(delivered) == limit:
                break
            if queue.max_receive_count and message.receive_count >= queue.max_receive_count:
                self._redrive(queue, message)
                continue
            message.receive_count += 1
            if message.first_received_at is None:
                message.first_received_at = now
            message.visible_at = now + timeout
            if message.receipt_handle:
                self._handles.pop(message.receipt_handle, None)
            message.receipt_handle = f"rh-{self.new_id().replace('-', '')}"
            self._handles[message.receipt_handle] = (queue, message.message_id)
            queue.received += 1
            delivered.append(self._render(message, wanted_system, wanted_custom))
        return {"Messages": delivered} if delivered else {}

    def delete_message(self, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(params["QueueUrl"])
        self._delete(queue, params["ReceiptHandle"])
        return {}

    def delete_message_batch(self, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(params["QueueUrl"])
        successful, failed = [], []
        for entry in params["Entries"]:
            try:
                self._delete(queue, entry["ReceiptHandle"])
            except FakeServiceError as error:
                failed.append(
                    {
                        "Id": entry["Id"],
                        "SenderFault": True,
                        "Code": error.code,
                        "Message": error.message,
                    }
                )
            else:
                successful.append({"Id": entry["Id"]})
        return {"Successful": successful, "Failed": failed}

    def change_message_visibility(self, params: dict[str, Any]) -> dict[str, Any]:
        queue = self.queue(params["QueueUrl"])
        timeout = params["VisibilityTimeout"]
        _check_visibility(timeout)
        message = self._current(queue, params["ReceiptHandle"])
        now = self.clock.epoch
        if message is None or message.visible_at <= now:
            raise FakeServiceError("MessageNotInflight", "The message is not in flight.")
        message.visible_at = now + timeout
        return {}

    # -- internals -----------------------------------------------------------------------

    def _apply_attributes(self, queue: FakeQueue, attributes: dict[str, str]) -> None:
        if "VisibilityTimeout" in attributes:
            queue.visibility_timeout = int(attributes["VisibilityTimeout"])
        if "MessageRetentionPeriod" in attributes:
            queue.retention_seconds = int(attributes["MessageRetentionPeriod"])
        if "DelaySeconds" in attributes:
            queue.delay_seconds = int(attributes["DelaySeconds"])
        if "RedrivePolicy" in attributes:
            policy = json.loads(attributes["RedrivePolicy"])
            queue.dead_letter_arn = policy["deadLetterTargetArn"]
            queue.max_receive_count = int(policy["maxReceiveCount"])

    def _enqueue(
        self,
        queue: FakeQueue,
        body: str,
        attributes: dict[str, dict[str, Any]],
        delay: int | None,
        *,
        message_id: str | None = None,
        enqueued_at: float | None = None,
    ) -> StoredMessage:
        _check_body(body)
        _check_attributes(attributes)
        delay = queue.delay_seconds if delay is None else delay
        if not 0 <= delay <= MAX_DELAY_SECONDS:
            raise FakeServiceError(
                "InvalidParameterValue",
                f"Value {delay} for parameter DelaySeconds is invalid. "
                f"Reason: must be between 0 and {MAX_DELAY_SECONDS}.",
            )
        now = self.clock.epoch
        message = StoredMessage(
            message_id=message_id or self.new_id(),
            body=body,
            attributes={k: dict(v) for k, v in attributes.items()},
            enqueued_at=now if enqueued_at is None else enqueued_at,
            visible_at=now + delay,
        )
        queue.messages[message.message_id] = message
        queue.sent += 1
        self._next_expiry = min(self._next_expiry, message.enqueued_at + queue.retention_seconds)
        return message

    def _redrive(self, source: FakeQueue, message: StoredMessage) -> None:
        del source.messages[message.message_id]
        if message.receipt_handle:
            self._handles.pop(message.receipt_handle, None)
        source.redriven_out += 1
        target = self._by_arn.get(source.dead_letter_arn or "")
        if target is None:
            return
        # A standard queue keeps the original enqueue timestamp when redriving, so the
        # message's age in the dead-letter queue counts from when it was first sent.
        moved = StoredMessage(
            message_id=message.message_id,
            body=message.body,
            attributes=message.attributes,
            enqueued_at=message.enqueued_at,
            visible_at=self.clock.epoch,
        )
        target.messages[moved.message_id] = moved
        target.redriven_in += 1
        self._next_expiry = min(self._next_expiry, moved.enqueued_at + target.retention_seconds)

    def _current(self, queue: FakeQueue, handle: str) -> StoredMessage | None:
        if not handle.startswith("rh-"):
            raise FakeServiceError(
                "ReceiptHandleIsInvalid", f"The input receipt handle {handle!r} is invalid."
            )
        owner = self._handles.get(handle)
        if owner is None or owner[0] is not queue:
            return None
        return queue.messages.get(owner[1])

    def _delete(self, queue: FakeQueue, handle: str) -> None:
        # SQS accepts a stale receipt handle but may keep the message; the fake always
        # keeps it, which is the case that loses work if a caller gets it wrong.
        message = self._current(queue, handle)
        if message is None or message.receipt_handle != handle:
            return
        del queue.messages[message.message_id]
        self._handles.pop(handle, None)
        queue.deleted += 1

    def _expire(self) -> None:
        now = self.clock.epoch
        if now < self._next_expiry:
            return
        self._next_expiry = float("inf")
        for queue in self.queues.values():
            gone = [
                m for m in queue.messages.values() if now >= m.enqueued_at + queue.retention_seconds
            ]
            for message in gone:
                del queue.messages[message.message_id]
                if message.receipt_handle:
                    self._handles.pop(message.receipt_handle, None)
                queue.expired += 1
            for message in queue.messages.values():
                self._next_expiry = min(
                    self._next_expiry, message.enqueued_at + queue.retention_seconds
                )

    def _render(
        self, message: StoredMessage, system: set[str], custom: list[str]
    ) -> dict[str, Any]:
        values = {
            "SenderId": self.sender_id,
            "SentTimestamp": str(int(message.enqueued_at * 1000)),
            "ApproximateReceiveCount": str(message.receive_count),
            "ApproximateFirstReceiveTimestamp": str(int((message.first_received_at or 0) * 1000)),
        }
        wanted = SYSTEM_ATTRIBUTES if "All" in system else [n for n in system if n in values]
        rendered: dict[str, Any] = {
            "MessageId": message.message_id,
            "ReceiptHandle": message.receipt_handle,
            "MD5OfBody": _md5(message.body),
            "Body": message.body,
        }
        if wanted:
            rendered["Attributes"] = {name: values[name] for name in wanted}
        selected = _select_attributes(message.attributes, custom)
        if selected:
            rendered["MessageAttributes"] = selected
            rendered["MD5OfMessageAttributes"] = md5_of_message_attributes(selected)
        return rendered


def _select_attributes(
    attributes: dict[str, dict[str, Any]], names: list[str]
) -> dict[str, dict[str, Any]]:
    if not names:
        return {}
    if "All" in names or ".*" in names:
        return dict(attributes)
    selected = {}
    for name, value in attributes.items():
        for pattern in names:
            prefix = pattern[:-2] if pattern.endswith(".*") else None
            if name == pattern or (prefix is not None and name.startswith(prefix)):
                selected[name] = value
                break
    return selected


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def md5_of_message_attributes(attributes: dict[str, dict[str, Any]]) -> str:
    """SQS's digest of message attributes: name, type, transport byte and value, sorted."""
    digest = hashlib.md5(usedforsecurity=False)  # the digest SQS defines, not a secret

    def put(data: bytes) -> None:
        digest.update(struct.pack(">I", len(data)))
        digest.update(data)

    for name in sorted(attributes):
        value = attributes[name]
        put(name.encode("utf-8"))
        put(value["DataType"].encode("utf-8"))
        if "BinaryValue" in value:
            digest.update(b"\x02")
            put(bytes(value["BinaryValue"]))
        else:
            digest.update(b"\x01")
            put(value["StringValue"].encode("utf-8"))
    return digest.hexdigest()


def _check_visibility(timeout: int) -> None:
    if not 0 <= timeout <= MAX_VISIBILITY_TIMEOUT:
        raise FakeServiceError(
            "InvalidParameterValue",
            f"Value {timeout} for parameter VisibilityTimeout is invalid. "
            f"Reason: must be between 0 and {MAX_VISIBILITY_TIMEOUT}.",
        )


def _check_body(body: str) -> None:
    if not body:
        raise FakeServiceError("MissingParameter", "The request must contain a MessageBody.")
    if len(body.encode("utf-8")) > MAX_BODY_BYTES:
        raise FakeServiceError("InvalidParameterValue", "The message body is too long.")
    bad = _NOT_ALLOWED_IN_BODY.search(body)
    if bad:
        raise FakeServiceError(
            "InvalidMessageContents",
            f"Invalid character {ord(bad.group()):#x} in the message body.",
        )


def _check_attributes(attributes: dict[str, dict[str, Any]]) -> None:
    if len(attributes) > MAX_MESSAGE_ATTRIBUTES:
        raise FakeServiceError(
            "InvalidParameterValue", f"At most {MAX_MESSAGE_ATTRIBUTES} message attributes."
        )
    for name, value in attributes.items():
        data_type = value.get("DataType", "")
        base = data_type.split(".", 1)[0]
        if base not in ("String", "Number", "Binary"):
            raise FakeServiceError(
                "InvalidParameterValue",
                f"The type of message (user) attribute '{name}' is invalid: {data_type!r}.",
            )
        if base == "Binary":
            if not value.get("BinaryValue"):
                raise FakeServiceError(
                    "InvalidParameterValue", f"Message (user) attribute '{name}' has no value."
                )
            continue
        text = value.get("StringValue")
        if not text:
            raise FakeServiceError(
                "InvalidParameterValue",
                f"Message (user) attribute '{name}' must contain a non-empty value of type "
                f"'{data_type}'.",
            )
        if base == "Number":
            try:
                Decimal(text)
            except InvalidOperation:
                raise FakeServiceError(
                    "InvalidParameterValue",
                    f"Can't cast the value of message (user) attribute '{name}' to a number.",
                ) from None
