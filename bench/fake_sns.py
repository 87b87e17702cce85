"""A fake of Amazon SNS: topics, SQS and callback subscriptions, attribute filter policies.

Deliveries to an SQS subscription carry the notification JSON (no raw delivery), which is
what the function reads from each record's body. The filter policy is evaluated on message
attributes (SNS's default scope) for the operators the module uses: exact strings, plus
``prefix``, ``anything-but`` and ``exists``. Publishing to a topic of the fake is also how
the simulation plays RDS's part: RDS publishes its events to the topic the same way.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bench.clock import SimClock
from bench.fake_sqs import FakeSQS
from bench.wire import FakeServiceError, wired_client


@dataclass
class Subscription:
    arn: str
    protocol: str
    endpoint: str
    filter_policy: dict[str, Any] | None
    callback: Callable[[dict[str, Any]], None] | None = None


@dataclass
class Topic:
    arn: str
    subscriptions: list[Subscription] = field(default_factory=list)
    published: list[dict[str, Any]] = field(default_factory=list)
    filtered_out: int = 0


class FakeSNS:
    """In-memory fake of the SNS API; ``client()`` gives a real botocore client onto it."""

    def __init__(
        self,
        clock: SimClock,
        sqs: FakeSQS,
        *,
        account_id: str = "123456789012",
        region: str = "us-east-1",
    ) -> None:
        self.clock = clock
        self.sqs = sqs
        self.account_id = account_id
        self.region = region
        self.calls: Counter[str] = Counter()
        self.topics: dict[str, Topic] = {}

    def client(self) -> Any:
        return wired_client("sns", self, region=self.region)

    def subscribe_callback(
        self,
        topic_arn: str,
        callback: Callable[[dict[str, Any]], None],
        filter_policy: dict[str, Any] | None = None,
    ) -> Subscription:
        """Stand-in for a Lambda subscription: the callback receives the SNS record."""
        topic = self._topic(topic_arn)
        subscription = Subscription(
            f"{topic_arn}:{self.sqs.new_id()}", "lambda", "callback", filter_policy, callback
        )
        topic.subscriptions.append(subscription)
        return subscription

    # -- API -----------------------------------------------------------------------------

    def create_topic(self, params: dict[str, Any]) -> dict[str, Any]:
        arn = f"arn:aws:sns:{self.region}:{self.account_id}:{params['Name']}"
        self.topics.setdefault(arn, Topic(arn))
        return {"TopicArn": arn}

    def subscribe(self, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(params["TopicArn"])
        if params["Protocol"] != "sqs":
            raise FakeServiceError("InvalidParameter", "The fake delivers to SQS only.")
        attributes = params.get("Attributes", {})
        if attributes.get("RawMessageDelivery") == "true":
            raise FakeServiceError("InvalidParameter", "Raw delivery is not modelled.")
        policy = attributes.get("FilterPolicy")
        subscription = Subscription(
            f"{topic.arn}:{self.sqs.new_id()}",
            "sqs",
            params["Endpoint"],
            json.loads(policy) if policy else None,
        )
        topic.subscriptions.append(subscription)
        return {"SubscriptionArn": subscription.arn}

    def publish(self, params: dict[str, Any]) -> dict[str, Any]:
        topic = self._topic(params["TopicArn"])
        attributes = params.get("MessageAttributes", {})
        message_id = str(self.sqs.new_id())
        envelope = notification(
            topic.arn,
            message_id,
            params["Message"],
            self.clock(),
            subject=params.get("Subject"),
            attributes=attributes,
            region=self.region,
        )
        topic.published.append(envelope)
        for subscription in topic.subscriptions:
            if not matches(subscription.filter_policy, attributes):
                topic.filtered_out += 1
                continue
            self._deliver(subscription, envelope)
        return {"MessageId": message_id}

    # -- internals -----------------------------------------------------------------------

    def deliver_again(self, topic_arn: str, envelope: dict[str, Any]) -> None:
        """SNS delivers at least once: the same notification, same MessageId, once more."""
        topic = self._topic(topic_arn)
        attributes = {
            name: {"DataType": value["Type"], "StringValue": value["Value"]}
            for name, value in envelope.get("MessageAttributes", {}).items()
        }
        for subscription in topic.subscriptions:
            if matches(subscription.filter_policy, attributes):
                self._deliver(subscription, envelope)

    def _deliver(self, subscription: Subscription, envelope: dict[str, Any]) -> None:
        if subscription.callback is not None:
            subscription.callback(lambda_record(subscription.arn, envelope))
            return
        queue_name = subscription.endpoint.rsplit(":", 1)[-1]
        self.sqs.send_message(
            {"QueueUrl": self.sqs.queue(queue_name).url, "MessageBody": json.dumps(envelope)}
        )

    def _topic(self, arn: str) -> Topic:
        try:
            return self.topics[arn]
        except KeyError:
            raise FakeServiceError("NotFound", f"Topic does not exist: {arn}", 404) from None


def notification(
    topic_arn: str,
    message_id: str,
    message: str,
    at: datetime,
    *,
    subject: str | None,
    attributes: dict[str, dict[str, Any]],
    region: str,
) -> dict[str, Any]:
    """The JSON document SNS delivers to an SQS subscriber without raw message delivery."""
    envelope: dict[str, Any] = {
        "Type": "Notification",
        "MessageId": message_id,
        "TopicArn": topic_arn,
    }
    if subject is not None:
        envelope["Subject"] = subject
    envelope.update(
        {
            "Message": message,
            "Timestamp": at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.")
            + f"{at.microsecond // 1000:03d}Z",
            "SignatureVersion": "1",
            "Signature": base64.b64encode(
                hashlib.sha256(f"{message_id}{message}".encode()).digest()
            ).decode(),
            "SigningCertURL": f"https://sns.{region}.amazonaws.com/"
            "SimpleNotificationService-0000000000000000000000000000000000.pem",
            "UnsubscribeURL": f"https://sns.{region}.amazonaws.com/?Action=Unsubscribe"
            f"&SubscriptionArn={topic_arn}:00000000-0000-0000-0000-000000000000",
        }
    )
    if attributes:
        envelope["MessageAttributes"] = {
            name: {"Type": value["DataType"], "Value": value.get("StringValue", "")}
            for name, value in attributes.items()
        }
    return envelope


def lambda_record(subscription_arn: str, envelope: dict[str, Any]) -> dict[str, Any]:
    """One record of the event SNS passes to a Lambda function it invokes."""
    sns = {k: v for k, v in envelope.items() if k not in ("SigningCertURL", "UnsubscribeURL")}
    sns["SigningCertUrl"] = envelope.get("SigningCertURL", "")
    sns["UnsubscribeUrl"] = envelope.get("UnsubscribeURL", "")
    sns.setdefault("Subject", None)
    sns.setdefault("MessageAttributes", {})
    return {
        "EventVersion": "1.0",
        "EventSubscriptionArn": subscription_arn,
        "EventSource": "aws:sns",
        "Sns": sns,
    }


def matches(policy: dict[str, Any] | None, attributes: dict[str, dict[str, Any]]) -> bool:
    """Attribute-scope filter policy evaluation: every key must match one of its values."""
    if not policy:
        return True
    for key, conditions in policy.items():
        value = attributes.get(key, {}).get("StringValue")
        if not any(_condition(condition, value) for condition in conditions):
            return False
    return True


def _condition(condition: Any, value: str | None) -> bool:
    if isinstance(condition, str):
        return value == condition
    if isinstance(condition, dict):
        if "exists" in condition:
            return (value is not None) == bool(condition["exists"])
        if value is None:
            return False
        if "prefix" in condition:
            return value.startswith(condition["prefix"])
        if "anything-but" in condition:
            excluded = condition["anything-but"]
            excluded = excluded if isinstance(excluded, list) else [excluded]
            return value not in excluded
    return False
