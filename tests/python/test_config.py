"""Reading the environment Terraform sets, with errors that name the variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from snapshot_export import settings
from snapshot_export.config import Config, ConfigError

REQUIRED_ENV = {
    "S3_BUCKET_NAME": "exports",
    "IAM_ROLE_ARN": "arn:aws:iam::123456789012:role/export",
    "KMS_ARN": "arn:aws:kms:us-east-1:123456789012:key/abc",
}


def env(**extra: str) -> dict[str, str]:
    return {**REQUIRED_ENV, **extra}


def test_only_the_three_required_variables_are_needed_and_defaults_come_from_settings() -> None:
    config = Config.from_env(REQUIRED_ENV)
    defaults = settings.defaults()
    assert config.event_ids == tuple(defaults["event_ids"])
    assert config.s3_prefix_template == defaults["s3_prefix_template"]
    assert config.max_concurrent_exports == defaults["max_concurrent_exports"]
    assert config.backoff_base_seconds == defaults["backoff_base_seconds"]
    assert config.backoff_max_seconds == defaults["backoff_max_seconds"]
    assert config.max_wait_hours == defaults["max_wait_hours"]
    assert config.sweep_lookback_hours == defaults["sweep_lookback_hours"]
    assert config.metrics_namespace == defaults["metrics_namespace"]
    assert config.exporter_name == defaults["exporter_name"]
    assert config.notify_on_success is defaults["notify_on_success"] is False
    assert config.db_identifiers == frozenset()
    assert config.export_only == ()
    assert config.queue_url == config.dead_letter_queue_url == config.notification_topic_arn == ""


@pytest.mark.parametrize("variable", sorted(REQUIRED_ENV))
def test_a_missing_required_variable_is_named(variable: str) -> None:
    values = {k: v for k, v in REQUIRED_ENV.items() if k != variable}
    with pytest.raises(ConfigError, match=variable) as caught:
        Config.from_env(values)
    assert caught.value.variable == variable


def test_a_blank_required_variable_counts_as_missing() -> None:
    with pytest.raises(ConfigError, match="KMS_ARN"):
        Config.from_env(env(KMS_ARN="  "))


def test_every_variable_is_read() -> None:
    config = Config.from_env(
        env(
            EVENT_IDS="rds-event-0075, RDS-EVENT-0042",
            DB_IDENTIFIERS="Orders,inventory",
            S3_PREFIX_TEMPLATE="exports/{db}/{snapshot}",
            EXPORT_ONLY='["app", "app.public.orders"]',
            MAX_CONCURRENT_EXPORTS="3",
            QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/q",
            DEAD_LETTER_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/dlq",
            BACKOFF_BASE_SECONDS="30",
            BACKOFF_MAX_SECONDS="600",
            MAX_WAIT_HOURS="1.5",
            NOTIFICATION_TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:alerts",
            METRICS_NAMESPACE="Custom",
            EXPORTER_NAME="prod",
            SWEEP_LOOKBACK_HOURS="24",
            LOG_LEVEL="debug",
            NOTIFY_ON_SUCCESS="True",
        )
    )
    assert config.event_ids == ("RDS-EVENT-0075", "RDS-EVENT-0042")
    assert config.exports_db("ORDERS") and config.exports_db("inventory")
    assert not config.exports_db("payments")
    assert config.export_only == ("app", "app.public.orders")
    assert config.max_concurrent_exports == 3
    assert config.max_wait_hours == 1.5
    assert config.log_level == "DEBUG"
    assert config.notify_on_success is True
    assert config.queue_url.endswith("/q") and config.dead_letter_queue_url.endswith("/dlq")
    assert (config.metrics_namespace, config.exporter_name) == ("Custom", "prod")
    assert config.sweep_targets() == {
        "db-cluster-snapshot": frozenset({"manual"}),
        "db-snapshot": frozenset({"manual"}),
    }


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("EVENT_IDS", "RDS-EVENT-0169,RDS-EVENT-0164", "RDS-EVENT-0164 not a snapshot-created"),
        ("EVENT_IDS", " , ", "at least one"),
        ("EXPORT_ONLY", "app,orders", "JSON list"),
        ("EXPORT_ONLY", '"app"', "JSON list"),
        ("EXPORT_ONLY", '["app", 3]', "non-empty strings"),
        ("S3_PREFIX_TEMPLATE", "{db}:{yyyy}", "':'"),
        ("S3_PREFIX_TEMPLATE", "{database}", "unknown placeholder"),
        ("S3_PREFIX_TEMPLATE", "/{db}", "'/'"),
        ("MAX_CONCURRENT_EXPORTS", "five", "integer"),
        ("MAX_CONCURRENT_EXPORTS", "0", "at least 1"),
        ("BACKOFF_MAX_SECONDS", "10", "BACKOFF_BASE_SECONDS"),
        ("MAX_WAIT_HOURS", "-1", "greater than 0"),
        ("SWEEP_LOOKBACK_HOURS", "soon", "number"),
        ("LOG_LEVEL", "LOUD", "one of"),
        ("IAM_ROLE_ARN", "export-role", "IAM role ARN"),
        ("NOTIFY_ON_SUCCESS", "yes", "true or false"),
    ],
)
def test_an_invalid_value_is_rejected_naming_the_variable(
    variable: str, value: str, problem: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Config.from_env(env(**{variable: value}))
    assert caught.value.variable == variable
    assert str(caught.value).startswith(f"{variable}:")
    assert problem in str(caught.value)


def test_event_ids_must_not_be_empty_when_constructed_directly() -> None:
    with pytest.raises(ConfigError, match="EVENT_IDS"):
        Config(
            s3_bucket_name="b", iam_role_arn=REQUIRED_ENV["IAM_ROLE_ARN"], kms_arn="k", event_ids=()
        )


def test_log_level_accepts_lambdas_warn_spelling() -> None:
    assert Config.from_env(env(LOG_LEVEL="warn")).log_level == "WARNING"


def test_sweep_targets_follow_the_catalog_of_the_configured_events_leaving_out_copies() -> None:
    config = Config.from_env(env(EVENT_IDS="RDS-EVENT-0169,RDS-EVENT-0091,RDS-EVENT-0197"))
    assert config.sweep_targets() == {
        "db-cluster-snapshot": frozenset({"automated"}),
        "db-snapshot": frozenset({"automated"}),
    }


def test_copy_events_alone_give_the_sweep_nothing_to_look_for() -> None:
    config = Config.from_env(env(EVENT_IDS="RDS-EVENT-0197,RDS-EVENT-0060"))
    assert config.sweep_targets() == {}
    not_swept = {i for i, e in settings.snapshot_created_events().items() if not e["swept"]}
    assert not_swept == {"RDS-EVENT-0197", "RDS-EVENT-0060"}


class RecordingEnv(dict[str, str]):
    """An environment that remembers which variables were looked up."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> str:
        self.read.add(key)
        return super().__getitem__(key)


def terraform_environment_names() -> set[str]:
    source = (Path(__file__).resolve().parents[2] / "function.tf").read_text(encoding="utf-8")
    block = re.search(r"function_environment = \{\n(.*?)\n  \}", source, re.DOTALL)
    assert block, "function.tf no longer defines local.function_environment"
    return set(re.findall(r"^\s+([A-Z0-9_]+)\s+=", block.group(1), re.MULTILINE))


def test_terraform_sets_exactly_the_variables_the_function_reads() -> None:
    names = terraform_environment_names()
    environment = RecordingEnv(dict.fromkeys(names, ""))
    environment.update(REQUIRED_ENV)
    Config.from_env(environment)
    assert environment.read == names
