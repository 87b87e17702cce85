"""The design this module replaces, written as it was described, for comparison only.

An SNS subscription invokes the function asynchronously for each snapshot-created event.
The function takes the snapshot ARN from the ``Resource`` message attribute, uses the last
``:``-separated part of it as the export task identifier, writes under today's date and
calls StartExportTask once. It has no retry of its own: an error ends the invocation, Lambda's
asynchronous invocation tries twice more (after one and then two minutes) and then drops the
event, because the original has no on-failure destination or dead-letter queue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

# Lambda's defaults for asynchronous invocation: two retries, one then two minutes apart.
ASYNC_RETRY_DELAYS_SECONDS = (60.0, 120.0)


@dataclass(frozen=True)
class BaselineSettings:
    bucket: str
    role_arn: str
    kms_key_arn: str


def baseline_handler(
    event: dict[str, Any],
    rds: Any,
    settings: BaselineSettings,
    clock: Callable[[], datetime],
) -> None:
    for record in event["Records"]:
        snapshot_arn = record["Sns"]["MessageAttributes"]["Resource"]["Value"]
        rds.start_export_task(
            ExportTaskIdentifier=snapshot_arn.split(":")[-1],
            SourceArn=snapshot_arn,
            S3BucketName=settings.bucket,
            IamRoleArn=settings.role_arn,
            KmsKeyId=settings.kms_key_arn,
            S3Prefix=clock().strftime("%Y/%m/%d"),
        )
