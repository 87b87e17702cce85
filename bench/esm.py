"""The Lambda event source mapping for SQS, played on the simulated clock.

What it does, as Lambda's pollers do: receive up to ten messages at a time (starting their
visibility timeout), gather a batch until it holds ``batch_size`` records or the batching
window has passed since its first record, invoke the function with the SQS event shape,
delete the records that succeeded and leave the ones named in ``batchItemFailures`` to come
back after their visibility timeout. A function error (an exception, or a response that
names an unknown record) fails the whole batch, as Lambda treats it. At most
``maximum_concurrency`` invocations run at once.

An invocation runs at the simulated instant it starts; it then holds its concurrency slot for
a duration made of a fixed overhead plus a latency per AWS call it made.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.fake_sqs import FakeSQS

Invoke = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass
class EventSourceMapping:
    sqs: FakeSQS
    queue_url: str
    invoke: Invoke
    batch_size: int = 10
    batching_window_seconds: float = 0.0
    maximum_concurrency: int = 2
    invocation_overhead_seconds: float = 0.3
    call_latency_seconds: float = 0.05
    count_calls: Callable[[], int] = lambda: 0
    busy_until: list[float] = field(default_factory=list)
    buffer: list[dict[str, Any]] = field(default_factory=list)
    buffer_opened_at: float | None = None
    invocations: int = 0
    records_delivered: int = 0
    records_failed: int = 0
    function_errors: int = 0

    def __post_init__(self) -> None:
        # The pollers are part of the platform, not of the function under test, so they call
        # the fake directly rather than through a botocore client.
        self._queue_arn = self.sqs.queue(self.queue_url).arn

    def _free_slots(self, now: float) -> int:
        self.busy_until = [t for t in self.busy_until if t > now]
        return self.maximum_concurrency - len(self.busy_until)

    def step(self, now: float) -> None:
        """Poll and invoke as much as the concurrency limit allows at this instant."""
        while self._free_slots(now) > 0:
            room = min(10, self.batch_size - len(self.buffer))
            if room > 0:
                received = self.sqs.receive_message(
                    {
                        "QueueUrl": self.queue_url,
                        "MaxNumberOfMessages": room,
                        "MessageSystemAttributeNames": ["All"],
                        "MessageAttributeNames": ["All"],
                        "WaitTimeSeconds": 20,
                    }
                ).get("Messages", [])
                if received and not self.buffer:
                    self.buffer_opened_at = now
                self.buffer.extend(received)
            if not self.buffer:
                return
            window_over = now >= (self.buffer_opened_at or now) + self.batching_window_seconds
            if len(self.buffer) < self.batch_size and not window_over:
                return
            batch, self.buffer, self.buffer_opened_at = self.buffer, [], None
            self._run(batch, now)

    def next_wake(self, now: float) -> float | None:
        """The next instant at which polling could do something new."""
        candidates = []
        if self.buffer and self.buffer_opened_at is not None:
            candidates.append(self.buffer_opened_at + self.batching_window_seconds)
        visible = self.sqs.next_visible_at(self.queue_url)
        if visible is not None:
            candidates.append(max(visible, now))
        if not candidates:
            return None
        wake = min(candidates)
        if self._free_slots(now) == 0:
            wake = max(wake, min(self.busy_until))
        return wake

    def _run(self, batch: list[dict[str, Any]], now: float) -> None:
        event = {"Records": [sqs_event_record(m, self._queue_arn, self.sqs.region) for m in batch]}
        calls_before = self.count_calls()
        self.invocations += 1
        self.records_delivered += len(batch)
        failed_ids: set[str]
        try:
            response = self.invoke(event)
            failed_ids = self._failed_ids(response, batch)
        except Exception:  # a function error fails the whole batch in Lambda
            self.function_errors += 1
            failed_ids = {message["MessageId"] for message in batch}
        calls = self.count_calls() - calls_before
        self.busy_until.append(
            now + self.invocation_overhead_seconds + calls * self.call_latency_seconds
        )
        self.records_failed += len(failed_ids)
        done = [m for m in batch if m["MessageId"] not in failed_ids]
        for start in range(0, len(done), 10):
            chunk = done[start : start + 10]
            self.sqs.delete_message_batch(
                {
                    "QueueUrl": self.queue_url,
                    "Entries": [
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(chunk)
                    ],
                }
            )

    @staticmethod
    def _failed_ids(response: Any, batch: list[dict[str, Any]]) -> set[str]:
        ids = {message["MessageId"] for message in batch}
        if response is None:
            return set()
        if not isinstance(response, dict):
            return ids
        failures = response.get("batchItemFailures", [])
        named = {item.get("itemIdentifier") for item in failures if isinstance(item, dict)}
        if len(named) != len(failures) or not named <= ids:
            # Lambda fails the whole batch when an identifier is missing or unknown.
            return ids
        return named


def sqs_event_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of the event Lambda builds from a ReceiveMessage result.

    Lambda renames the fields (camelCase), gives message attributes as ``stringValue`` /
    ``binaryValue`` (base64) with ``dataType``, and adds the queue's ARN and region.
    """
    attributes = {}
    for name, value in message.get("MessageAttributes", {}).items():
        item: dict[str, Any] = {
            "stringListValues": [],
            "binaryListValues": [],
            "dataType": value["DataType"],
        }
        if "BinaryValue" in value:
            item["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
        else:
            item["stringValue"] = value["StringValue"]
        attributes[name] = item
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": dict(message.get("Attributes", {})),
        "messageAttributes": attributes,
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record
