"""RDS event notifications as RDS publishes them to an SNS topic.

The Message is the JSON string RDS writes (``Event ID`` is a documentation URL ending in the
ID, ``Source ARN`` the snapshot), and the message attributes carry the bare ``EventID`` and
the ``Resource`` ARN, which is what a subscription filter policy sees. Used by the benchmark
and by the local demo, so both publish the same thing.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

EVENT_DOC_URL = "http://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Events.html"
SUBJECT = "RDS Notification Message"

# The wording RDS uses in "Event Message" for the events the pipeline reacts to.
EVENT_MESSAGES = {
    "RDS-EVENT-0169": "Automated cluster snapshot created",
    "RDS-EVENT-0075": "Manual cluster snapshot created",
    "RDS-EVENT-0091": "Automated snapshot created",
    "RDS-EVENT-0042": "Manual snapshot created",
    "RDS-EVENT-0197": "Finished copy of snapshot",
    "RDS-EVENT-0060": "Finished copy of snapshot",
    "RDS-EVENT-0161": "Snapshot export task completed.",
    "RDS-EVENT-0159": "Snapshot export task failed.",
    "RDS-EVENT-0160": "Snapshot export task canceled.",
    "RDS-EVENT-0164": "DB cluster snapshot export task completed.",
    "RDS-EVENT-0162": "DB cluster snapshot export task failed.",
    "RDS-EVENT-0163": "DB cluster snapshot export task canceled.",
}

# What RDS sends first after a subscription is created is plain text, not JSON. The wording
# here is illustrative; that it is not JSON is what matters to a parser.
SUBSCRIPTION_CONFIRMATION_TEXT = (
    "This is a test message from Amazon RDS confirming that event notifications are "
    "now being sent to this topic."
)


def snapshot_source_type(snapshot_arn: str) -> str:
    return "db-cluster-snapshot" if ":cluster-snapshot:" in snapshot_arn else "db-snapshot"


def rds_message(event_id: str, snapshot_arn: str, at: datetime, region: str) -> str:
    """The ``Message`` string of an RDS snapshot event."""
    source_type = snapshot_source_type(snapshot_arn)
    source_id = snapshot_arn.split(":", 6)[6]
    console_target = "engine=aurora;" if source_type == "db-cluster-snapshot" else ""
    document = {
        "Event Source": source_type,
        "Event Time": at.strftime("%Y-%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}",
        "Identifier Link": f"https://console.aws.amazon.com/rds/home?region={region}"
        f"#snapshot:{console_target}id={source_id}",
        "Source ID": source_id,
        "Source ARN": snapshot_arn,
        "Event ID": f"{EVENT_DOC_URL}#{event_id}",
        "Event Message": EVENT_MESSAGES.get(event_id, event_id),
    }
    return json.dumps(document)


def publish_params(
    topic_arn: str, event_id: str, snapshot_arn: str, at: datetime, region: str
) -> dict[str, Any]:
    """Arguments of the SNS Publish call that delivers one RDS snapshot event."""
    return {
        "TopicArn": topic_arn,
        "Subject": SUBJECT,
        "Message": rds_message(event_id, snapshot_arn, at, region),
        "MessageAttributes": {
            "EventID": {"DataType": "String", "StringValue": event_id},
            "Resource": {"DataType": "String", "StringValue": snapshot_arn},
        },
    }
