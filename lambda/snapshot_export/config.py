"""Function configuration, read once from the environment Terraform sets."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from . import settings
from .naming import validate_prefix_template

REQUIRED = ("S3_BUCKET_NAME", "IAM_ROLE_ARN", "KMS_ARN")
_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_DEFAULTS = settings.defaults()


class ConfigError(ValueError):
    """A missing or invalid environment variable; the message names it."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


def _default(key: str, fallback: Any) -> Any:
    return _DEFAULTS.get(key, fallback)


@dataclass(frozen=True)
class Config:
    """Everything the function needs to know; see the module README for each variable."""

    s3_bucket_name: str
    iam_role_arn: str
    kms_arn: str
    event_ids: tuple[str, ...] = tuple(_default("event_ids", ()))
    db_identifiers: frozenset[str] = frozenset()
    s3_prefix_template: str = _default("s3_prefix_template", "{db}/{yyyy}/{mm}/{dd}")
    export_only: tuple[str, ...] = ()
    max_concurrent_exports: int = _default("max_concurrent_exports", 5)
    queue_url: str = ""
    dead_letter_queue_url: str = ""
    backoff_base_seconds: int = _default("backoff_base_seconds", 60)
    backoff_max_seconds: int = _default("backoff_max_seconds", 900)
    max_wait_hours: float = _default("max_wait_hours", 72)
    notification_topic_arn: str = ""
    notify_on_success: bool = _default("notify_on_success", False)
    metrics_namespace: str = _default("metrics_namespace", "RDSSnapshotExport")
    exporter_name: str = _default("exporter_name", "rds-snapshot-export")
    sweep_lookback_hours: float = _default("sweep_lookback_hours", 72)
    log_level: str = _default("log_level", "INFO")
    catalog: Mapping[str, Mapping[str, Any]] = field(
        default_factory=settings.snapshot_created_events, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for variable, value in (
            ("S3_BUCKET_NAME", self.s3_bucket_name),
            ("IAM_ROLE_ARN", self.iam_role_arn),
            ("KMS_ARN", self.kms_arn),
        ):
            if not value:
                raise ConfigError(variable, "is required")
        if not self.iam_role_arn.startswith("arn:") or ":role/" not in self.iam_role_arn:
            raise ConfigError("IAM_ROLE_ARN", f"must be an IAM role ARN, got {self.iam_role_arn!r}")
        if not self.event_ids:
            raise ConfigError("EVENT_IDS", "must name at least one snapshot-created event")
        unknown = [event_id for event_id in self.event_ids if event_id not in self.catalog]
        if unknown:
            known = ", ".join(sorted(self.catalog))
            raise ConfigError(
                "EVENT_IDS", f"{', '.join(unknown)} not a snapshot-created event ({known})"
            )
        try:
            validate_prefix_template(self.s3_prefix_template)
        except ValueError as err:
            raise ConfigError("S3_PREFIX_TEMPLATE", str(err)) from err
        if self.max_concurrent_exports < 1:
            raise ConfigError("MAX_CONCURRENT_EXPORTS", "must be at least 1")
        if self.backoff_base_seconds < 1:
            raise ConfigError("BACKOFF_BASE_SECONDS", "must be at least 1")
        if self.backoff_max_seconds < self.backoff_base_seconds:
            raise ConfigError("BACKOFF_MAX_SECONDS", "must not be less than BACKOFF_BASE_SECONDS")
        if self.max_wait_hours <= 0:
            raise ConfigError("MAX_WAIT_HOURS", "must be greater than 0")
        if self.sweep_lookback_hours <= 0:
            raise ConfigError("SWEEP_LOOKBACK_HOURS", "must be greater than 0")
        if self.log_level not in _LOG_LEVELS:
            raise ConfigError("LOG_LEVEL", f"must be one of {', '.join(_LOG_LEVELS)}")
        if not self.metrics_namespace:
            raise ConfigError("METRICS_NAMESPACE", "must not be empty")
        if not self.exporter_name:
            raise ConfigError("EXPORTER_NAME", "must not be empty")

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Config:
        """Build a Config from environment variables; raise ConfigError naming the culprit."""
        missing = [name for name in REQUIRED if not env.get(name, "").strip()]
        if missing:
            raise ConfigError(missing[0], "is required" + _also(missing[1:]))
        values: dict[str, Any] = {
            "s3_bucket_name": env["S3_BUCKET_NAME"].strip(),
            "iam_role_arn": env["IAM_ROLE_ARN"].strip(),
            "kms_arn": env["KMS_ARN"].strip(),
        }
        if _present(env, "EVENT_IDS"):
            values["event_ids"] = tuple(i.upper() for i in _split(env["EVENT_IDS"]))
        if _present(env, "DB_IDENTIFIERS"):
            values["db_identifiers"] = frozenset(i.lower() for i in _split(env["DB_IDENTIFIERS"]))
        if _present(env, "S3_PREFIX_TEMPLATE"):
            values["s3_prefix_template"] = env["S3_PREFIX_TEMPLATE"].strip()
        if _present(env, "EXPORT_ONLY"):
            values["export_only"] = _export_only(env["EXPORT_ONLY"])
        for variable, attribute, kind in (
            ("MAX_CONCURRENT_EXPORTS", "max_concurrent_exports", int),
            ("BACKOFF_BASE_SECONDS", "backoff_base_seconds", int),
            ("BACKOFF_MAX_SECONDS", "backoff_max_seconds", int),
            ("MAX_WAIT_HOURS", "max_wait_hours", float),
            ("SWEEP_LOOKBACK_HOURS", "sweep_lookback_hours", float),
        ):
            if _present(env, variable):
                values[attribute] = _number(env, variable, kind)
        for variable, attribute in (
            ("QUEUE_URL", "queue_url"),
            ("DEAD_LETTER_QUEUE_URL", "dead_letter_queue_url"),
            ("NOTIFICATION_TOPIC_ARN", "notification_topic_arn"),
            ("METRICS_NAMESPACE", "metrics_namespace"),
            ("EXPORTER_NAME", "exporter_name"),
        ):
            if _present(env, variable):
                values[attribute] = env[variable].strip()
        if _present(env, "NOTIFY_ON_SUCCESS"):
            values["notify_on_success"] = _flag(env, "NOTIFY_ON_SUCCESS")
        if _present(env, "LOG_LEVEL"):
            level = env["LOG_LEVEL"].strip().upper()
            # Lambda's own log-level setting spells it WARN.
            values["log_level"] = "WARNING" if level == "WARN" else level
        return cls(**values)

    def exports_db(self, db_identifier: str) -> bool:
        """Whether DB_IDENTIFIERS lets this cluster or instance be exported (empty = all)."""
        return not self.db_identifiers or db_identifier.lower() in self.db_identifiers

    def sweep_targets(self) -> dict[str, frozenset[str]]:
        """Snapshot types to sweep per event source type, implied by EVENT_IDS.

        Copy events are not swept ("swept": false in settings.json): a copy is a manual
        snapshot, and sweeping for it would export every manual snapshot of the source type.
        Their events are the only path for copies.
        """
        targets: dict[str, set[str]] = {}
        for event_id in self.event_ids:
            entry = self.catalog[event_id]
            if not entry.get("swept", True):
                continue
            targets.setdefault(entry["source_type"], set()).add(entry["snapshot_type"])
        return {source: frozenset(types) for source, types in targets.items()}


def _present(env: Mapping[str, str], name: str) -> bool:
    return bool(env.get(name, "").strip())


def _also(names: list[str]) -> str:
    return f" (also missing: {', '.join(names)})" if names else ""


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _number(env: Mapping[str, str], name: str, kind: type[int] | type[float]) -> int | float:
    raw = env[name].strip()
    try:
        return kind(raw)
    except ValueError as err:
        expected = "an integer" if kind is int else "a number"
        raise ConfigError(name, f"must be {expected}, got {raw!r}") from err


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env[name].strip().lower()
    if raw not in ("true", "false"):
        raise ConfigError(name, f"must be true or false, got {env[name]!r}")
    return raw == "true"


def _export_only(raw: str) -> tuple[str, ...]:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ConfigError("EXPORT_ONLY", f"must be a JSON list of strings: {err.msg}") from err
    if not isinstance(value, list) or not all(isinstance(i, str) and i.strip() for i in value):
        raise ConfigError("EXPORT_ONLY", "must be a JSON list of non-empty strings")
    return tuple(i.strip() for i in value)
