"""Readable notifications for people, on the optional notification topic."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from . import logs

# SNS rejects subjects longer than 100 characters or containing line breaks.
_MAX_SUBJECT = 100


def publish(
    sns: Any,
    topic_arn: str,
    subject: str,
    lines: Mapping[str, Any],
    attributes: Mapping[str, str] | None = None,
) -> bool:
    """Publish "key: value" lines under a subject; return whether SNS accepted it.

    A failed publish is logged at ERROR and swallowed: the log line and the metric already
    record the event, and failing the record would repeat the export decision.
    """
    if not topic_arn:
        return False
    body = "\n".join(f"{key}: {value}" for key, value in lines.items() if value not in (None, ""))
    clean_subject = " ".join(subject.split())
    if len(clean_subject) > _MAX_SUBJECT:
        clean_subject = clean_subject[: _MAX_SUBJECT - 3] + "..."
    request: dict[str, Any] = {"TopicArn": topic_arn, "Subject": clean_subject, "Message": body}
    if attributes:
        request["MessageAttributes"] = {
            name: {"DataType": "String", "StringValue": value}
            for name, value in attributes.items()
            if value
        }
    try:
        sns.publish(**request)
    except (ClientError, BotoCoreError) as err:
        logs.log(
            logging.ERROR,
            "notification not published",
            topic_arn=topic_arn,
            subject=clean_subject,
            error=str(err),
        )
        return False
    return True
