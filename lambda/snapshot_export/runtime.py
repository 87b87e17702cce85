"""The configuration, AWS clients and clock one invocation works with."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from . import metrics
from .config import Config
from .naming import as_utc


def utc_now() -> datetime:
    return datetime.now(UTC)


class LazyClient:
    """A boto3 client created on first use, so a cold start pays only for the clients it calls."""

    def __init__(self, service: str, factory: Callable[[str], Any]) -> None:
        self._service = service
        self._factory = factory
        self._client: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            self._client = self._factory(self._service)
        return getattr(self._client, name)


def _boto3_client(service: str) -> Any:
    import boto3  # noqa: PLC0415 - imported late so the pure modules load without it
    from botocore.config import Config as BotoConfig  # noqa: PLC0415

    # Standard retry mode already retries throttling with backoff; what still fails after it
    # is treated as a quota signal and deferred through the queue.
    return boto3.client(service, config=BotoConfig(retries={"mode": "standard"}))


@dataclass
class Runtime:
    """Config plus the rds, sqs and sns clients and a clock returning an aware datetime.

    Tests, the demo and the benchmark construct this directly with their own clients and
    clock; the Lambda handler uses from_env().
    """

    config: Config
    rds: Any
    sqs: Any
    sns: Any
    clock: Callable[[], datetime] = utc_now
    metrics_sink: Callable[[str], None] = field(default=metrics.write_stdout)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Runtime:
        config = Config.from_env(os.environ if env is None else env)
        return cls(
            config=config,
            rds=LazyClient("rds", _boto3_client),
            sqs=LazyClient("sqs", _boto3_client),
            sns=LazyClient("sns", _boto3_client),
        )

    def now(self) -> datetime:
        return as_utc(self.clock())

    def emit(self, metric: str, **properties: Any) -> None:
        metrics.emit(
            self.metrics_sink,
            self.config.metrics_namespace,
            self.config.exporter_name,
            metric,
            timestamp_ms=int(self.now().timestamp() * 1000),
            **properties,
        )
