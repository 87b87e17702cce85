"""The resources the module creates that the function's runtime path touches, on moto.

Names, the event catalog and the queue settings come from settings.json, the file the
Terraform reads too; nothing here retypes them. What is left out (log group, alarms,
scheduler, the function itself) does not take part in deciding or starting an export.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from demo import SETTINGS_PATH
from demo.moto_server import REGION, Clients

NAME_PREFIX = "demo"


def load_settings() -> dict[str, Any]:
    with SETTINGS_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


@dataclass(frozen=True)
class Deployment:
    account_id: str
    names: dict[str, str]
    bucket: str
    kms_key_arn: str
    export_role_arn: str
    event_topic_arn: str
    notification_topic_arn: str
    queue_url: str
    queue_arn: str
    dead_letter_queue_url: str
    alerts_inbox_url: str
    subscribed_event_ids: list[str]


def resolve_names(settings: dict[str, Any], account_id: str) -> dict[str, str]:
    """The same substitution the Terraform applies to settings.json's name templates."""
    return {
        key: template.replace("{prefix}", NAME_PREFIX)
        .replace("{account_id}", account_id)
        .replace("{region}", REGION)
        for key, template in settings["names"].items()
    }


def subscribed_event_ids(settings: dict[str, Any], event_ids: list[str]) -> list[str]:
    """The subscription's filter policy values: chosen snapshot-created IDs plus export results."""
    return sorted(set(event_ids) | set(settings["export_finished_events"]))


def _categories(settings: dict[str, Any], event_ids: list[str], source_type: str) -> list[str]:
    catalog = {**settings["snapshot_created_events"], **settings["export_finished_events"]}
    return sorted(
        {
            catalog[event_id]["category"]
            for event_id in subscribed_event_ids(settings, event_ids)
            if catalog[event_id]["source_type"] == source_type
        }
    )


def deploy(aws: Clients, settings: dict[str, Any], event_ids: list[str]) -> Deployment:
    account_id = aws.sts.get_caller_identity()["Account"]
    names = resolve_names(settings, account_id)
    queue_settings = settings["queue"]

    key_arn = aws.kms.create_key(
        Description="RDS snapshot exports (demo)", KeyUsage="ENCRYPT_DECRYPT"
    )["KeyMetadata"]["Arn"]
    aws.kms.create_alias(AliasName=names["key_alias"], TargetKeyId=key_arn)

    aws.s3.create_bucket(Bucket=names["bucket"])
    aws.s3.put_bucket_encryption(
        Bucket=names["bucket"],
        ServerSideEncryptionConfiguration={
            "Rules": [
                {
                    "ApplyServerSideEncryptionByDefault": {
                        "SSEAlgorithm": "aws:kms",
                        "KMSMasterKeyID": key_arn,
                    },
                    "BucketKeyEnabled": True,
                }
            ]
        },
    )

    role_arn = aws.iam.create_role(
        RoleName=names["export_role"],
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "export.rds.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    aws.iam.put_role_policy(
        RoleName=names["export_role"],
        PolicyName="write-exports",
        PolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": [
                            "s3:PutObject*",
                            "s3:GetObject*",
                            "s3:ListBucket",
                            "s3:DeleteObject*",
                            "s3:GetBucketLocation",
                        ],
                        "Resource": [
                            f"arn:aws:s3:::{names['bucket']}",
                            f"arn:aws:s3:::{names['bucket']}/*",
                        ],
                    }
                ],
            }
        ),
    )

    topic_arn = aws.sns.create_topic(
        Name=names["event_topic"], Attributes={"KmsMasterKeyId": key_arn}
    )["TopicArn"]
    alerts_arn = aws.sns.create_topic(
        Name=names["notification_topic"], Attributes={"KmsMasterKeyId": key_arn}
    )["TopicArn"]

    dlq_url = aws.sqs.create_queue(
        QueueName=names["dead_letter_queue"],
        Attributes={
            "MessageRetentionPeriod": str(queue_settings["dead_letter_retention_seconds"]),
            "KmsMasterKeyId": key_arn,
        },
    )["QueueUrl"]
    dlq_arn = _queue_arn(aws, dlq_url)
    queue_url = aws.sqs.create_queue(
        QueueName=names["queue"],
        Attributes={
            "VisibilityTimeout": str(queue_settings["visibility_timeout_seconds"]),
            "MessageRetentionPeriod": str(queue_settings["message_retention_seconds"]),
            "KmsMasterKeyId": key_arn,
            "RedrivePolicy": json.dumps(
                {
                    "deadLetterTargetArn": dlq_arn,
                    "maxReceiveCount": queue_settings["max_receive_count"],
                }
            ),
        },
    )["QueueUrl"]
    queue_arn = _queue_arn(aws, queue_url)

    subscribed = subscribed_event_ids(settings, event_ids)
    aws.sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={
            "RawMessageDelivery": "false",
            "FilterPolicyScope": "MessageAttributes",
            "FilterPolicy": json.dumps({"EventID": subscribed}),
        },
        ReturnSubscriptionArn=True,
    )

    # moto stores these but never emits RDS events; the demo publishes them as RDS would.
    for key, source_type in (
        ("cluster_subscription", "db-cluster-snapshot"),
        ("instance_subscription", "db-snapshot"),
    ):
        aws.rds.create_event_subscription(
            SubscriptionName=names[key],
            SnsTopicArn=topic_arn,
            SourceType=source_type,
            EventCategories=_categories(settings, event_ids, source_type),
            Enabled=True,
        )

    # Stands in for the people subscribed to the notification topic.
    inbox_url = aws.sqs.create_queue(QueueName=f"{NAME_PREFIX}-alerts-inbox")["QueueUrl"]
    aws.sns.subscribe(TopicArn=alerts_arn, Protocol="sqs", Endpoint=_queue_arn(aws, inbox_url))

    return Deployment(
        account_id=account_id,
        names=names,
        bucket=names["bucket"],
        kms_key_arn=key_arn,
        export_role_arn=role_arn,
        event_topic_arn=topic_arn,
        notification_topic_arn=alerts_arn,
        queue_url=queue_url,
        queue_arn=queue_arn,
        dead_letter_queue_url=dlq_url,
        alerts_inbox_url=inbox_url,
        subscribed_event_ids=subscribed,
    )


def function_environment(
    deployment: Deployment,
    settings: dict[str, Any],
    *,
    event_ids: list[str],
    db_identifiers: list[str],
) -> dict[str, str]:
    """The environment variables the Terraform sets on the function, for these inputs."""
    defaults = settings["defaults"]
    return {
        "S3_BUCKET_NAME": deployment.bucket,
        "IAM_ROLE_ARN": deployment.export_role_arn,
        "KMS_ARN": deployment.kms_key_arn,
        "EVENT_IDS": ",".join(event_ids),
        "DB_IDENTIFIERS": ",".join(db_identifiers),
        "S3_PREFIX_TEMPLATE": defaults["s3_prefix_template"],
        "EXPORT_ONLY": "[]",
        "MAX_CONCURRENT_EXPORTS": str(defaults["max_concurrent_exports"]),
        "QUEUE_URL": deployment.queue_url,
        "DEAD_LETTER_QUEUE_URL": deployment.dead_letter_queue_url,
        "BACKOFF_BASE_SECONDS": str(defaults["backoff_base_seconds"]),
        "BACKOFF_MAX_SECONDS": str(defaults["backoff_max_seconds"]),
        "MAX_WAIT_HOURS": str(defaults["max_wait_hours"]),
        "NOTIFICATION_TOPIC_ARN": deployment.notification_topic_arn,
        "NOTIFY_ON_SUCCESS": str(defaults["notify_on_success"]).lower(),
        "METRICS_NAMESPACE": defaults["metrics_namespace"],
        "EXPORTER_NAME": NAME_PREFIX,
        "SWEEP_LOOKBACK_HOURS": str(defaults["sweep_lookback_hours"]),
        "LOG_LEVEL": "INFO",
    }


def _queue_arn(aws: Clients, url: str) -> str:
    attributes = aws.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
    return attributes["Attributes"]["QueueArn"]
