"""Shared fixtures: fake credentials, one moto account, and the resources the function uses."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from builders import ACCOUNT, REGION, client
from moto import mock_aws
from moto.core.base_backend import AccountSpecificBackend
from snapshot_export import handler as handler_module
from snapshot_export import logs
from snapshot_export.config import Config
from snapshot_export.runtime import Runtime


def _share_moto_region_lists() -> None:
    """moto recomputes a service's region list (from botocore's endpoint data) for every new
    account backend, which every test gets; one list per service keeps the suite fast."""
    generate = getattr(AccountSpecificBackend._generate_regions, "__wrapped__", None)
    if generate is None:
        return
    cache: dict[str, list[str]] = {}

    def shared(self: AccountSpecificBackend, service_name: str) -> list[str]:
        if service_name not in cache:
            cache[service_name] = generate(self, service_name)
        return list(cache[service_name])

    AccountSpecificBackend._generate_regions = shared  # type: ignore[method-assign]


_share_moto_region_lists()


@pytest.fixture(autouse=True)
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Never reach a real account, whatever the machine's AWS configuration."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SECURITY_TOKEN": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
    }.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("AWS_LAMBDA_LOG_FORMAT", raising=False)


@pytest.fixture(autouse=True)
def fresh_function_state() -> Iterator[None]:
    """Undo what a handler invocation caches at module scope or sets on the logger."""
    logger = logs.get_logger()
    handlers, propagate, level = list(logger.handlers), logger.propagate, logger.level
    handler_module._runtime = None
    yield
    handler_module._runtime = None
    logger.handlers[:] = handlers
    logger.propagate = propagate
    logger.setLevel(level)


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture
def rds(aws: None) -> Any:
    return client("rds")


@pytest.fixture
def sqs(aws: None) -> Any:
    return client("sqs")


@pytest.fixture
def sns(aws: None) -> Any:
    return client("sns")


@pytest.fixture
def bucket(aws: None) -> str:
    name = f"exports-{ACCOUNT}-{REGION}"
    client("s3").create_bucket(Bucket=name)
    return name


@dataclass(frozen=True)
class Queues:
    main: str
    dead_letter: str


@pytest.fixture
def queues(sqs: Any) -> Queues:
    dead_letter = sqs.create_queue(QueueName="snapshot-export-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dead_letter, AttributeNames=["QueueArn"])
    main = sqs.create_queue(
        QueueName="snapshot-export",
        Attributes={
            "RedrivePolicy": json.dumps(
                {"deadLetterTargetArn": dlq_arn["Attributes"]["QueueArn"], "maxReceiveCount": 5}
            )
        },
    )["QueueUrl"]
    return Queues(main=main, dead_letter=dead_letter)


@dataclass
class Topic:
    """The notification topic, with a queue subscribed to it so tests can read what it got."""

    arn: str
    inbox: str
    sqs: Any

    def messages(self) -> list[dict[str, Any]]:
        response = self.sqs.receive_message(QueueUrl=self.inbox, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in response.get("Messages", [])]


@pytest.fixture
def topic(sns: Any, sqs: Any) -> Topic:
    arn = sns.create_topic(Name="snapshot-export-alerts")["TopicArn"]
    inbox = sqs.create_queue(QueueName="alerts-inbox")["QueueUrl"]
    inbox_arn = sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=arn, Protocol="sqs", Endpoint=inbox_arn["Attributes"]["QueueArn"])
    return Topic(arn=arn, inbox=inbox, sqs=sqs)


@pytest.fixture
def aurora_cluster(rds: Any) -> dict[str, Any]:
    """An Aurora PostgreSQL cluster; moto also creates its automated snapshot rds:orders-..."""
    return rds.create_db_cluster(
        DBClusterIdentifier="orders",
        Engine="aurora-postgresql",
        MasterUsername="admin_user",
        MasterUserPassword="not-a-real-password",
    )["DBCluster"]


@pytest.fixture
def rds_instance(rds: Any) -> dict[str, Any]:
    """A PostgreSQL instance; moto also creates its automated snapshot rds:inventory-..."""
    return rds.create_db_instance(
        DBInstanceIdentifier="inventory",
        Engine="postgres",
        DBInstanceClass="db.t3.micro",
        AllocatedStorage=20,
        MasterUsername="admin_user",
        MasterUserPassword="not-a-real-password",
    )["DBInstance"]


@pytest.fixture
def cluster_snapshot(rds: Any, aurora_cluster: dict[str, Any]) -> dict[str, Any]:
    return rds.create_db_cluster_snapshot(
        DBClusterIdentifier="orders", DBClusterSnapshotIdentifier="orders-before-migration"
    )["DBClusterSnapshot"]


@pytest.fixture
def instance_snapshot(rds: Any, rds_instance: dict[str, Any]) -> dict[str, Any]:
    return rds.create_db_snapshot(
        DBInstanceIdentifier="inventory", DBSnapshotIdentifier="inventory-weekly"
    )["DBSnapshot"]


def automated_cluster_snapshot(rds: Any) -> dict[str, Any]:
    return rds.describe_db_cluster_snapshots(SnapshotType="automated")["DBClusterSnapshots"][0]


# Every snapshot-created event, so that manual snapshots (which moto can export) trigger too.
ALL_CREATED_EVENTS = ("RDS-EVENT-0169", "RDS-EVENT-0075", "RDS-EVENT-0091", "RDS-EVENT-0042")


@pytest.fixture
def config(bucket: str, queues: Queues, topic: Topic) -> Config:
    return Config(
        s3_bucket_name=bucket,
        iam_role_arn=f"arn:aws:iam::{ACCOUNT}:role/snapshot-export-rds",
        kms_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/11111111-2222-3333-4444-555555555555",
        event_ids=ALL_CREATED_EVENTS,
        queue_url=queues.main,
        dead_letter_queue_url=queues.dead_letter,
        notification_topic_arn=topic.arn,
    )


@dataclass
class Harness:
    """Builds Runtimes over the moto clients and keeps the EMF lines they write."""

    config: Config
    rds: Any
    sqs: Any
    sns: Any
    metric_lines: list[str] = field(default_factory=list)

    def runtime(
        self,
        *,
        rds: Any = None,
        sqs: Any = None,
        sns: Any = None,
        clock: Callable[[], datetime] | None = None,
        **overrides: Any,
    ) -> Runtime:
        config = self.config
        if overrides:
            config = Config(**{**_config_fields(config), **overrides})
        return Runtime(
            config=config,
            rds=rds or self.rds,
            sqs=sqs or self.sqs,
            sns=sns or self.sns,
            clock=clock or (lambda: datetime.now(UTC)),
            metrics_sink=self.metric_lines.append,
        )


def _config_fields(config: Config) -> dict[str, Any]:
    return {
        name: getattr(config, name) for name in Config.__dataclass_fields__ if name != "catalog"
    }


@pytest.fixture
def harness(config: Config, rds: Any, sqs: Any, sns: Any) -> Harness:
    return Harness(config=config, rds=rds, sqs=sqs, sns=sns)


@pytest.fixture
def json_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger=logs.LOGGER_NAME)
    return caplog
