"""The shared settings file that Terraform, the function and the demo all read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

SETTINGS_PATH = Path(__file__).with_name("settings.json")


@cache
def load_settings() -> Mapping[str, Any]:
    """Return the parsed settings.json that ships inside the function package."""
    with SETTINGS_PATH.open(encoding="utf-8") as handle:
        return json.load(handle)


def defaults() -> Mapping[str, Any]:
    return load_settings()["defaults"]


def snapshot_created_events() -> Mapping[str, Mapping[str, Any]]:
    """Event IDs that announce a new snapshot, keyed by ID, with source and snapshot type and
    whether the sweep looks for snapshots of that kind."""
    return load_settings()["snapshot_created_events"]


def export_finished_events() -> Mapping[str, Mapping[str, str]]:
    """Event IDs that announce the end of an export task, keyed by ID, with the final status."""
    return load_settings()["export_finished_events"]


def exportable_engines() -> frozenset[str]:
    """Engines whose snapshots StartExportTask accepts (not Oracle, SQL Server, Db2, RDS Custom)."""
    return frozenset(load_settings()["exportable_engines"])


def unexportable_engine_modes() -> frozenset[str]:
    """Cluster engine modes whose snapshots cannot be exported (Aurora Serverless v1)."""
    return frozenset(load_settings()["unexportable_engine_modes"])
