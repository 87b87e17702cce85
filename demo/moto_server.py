"""A moto server on 127.0.0.1 for the length of a ``with`` block, and one fix it needs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config as BotoConfig

REGION = "us-east-1"
FAKE_CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}

MOTO_EXPORT_FIX = (
    "moto 5.2 finds the snapshot of StartExportTask by the last ':'-part of the ARN, so it "
    "cannot find automated snapshots (rds:<db>-<date>); the demo replaces that lookup "
    "in-process with one that reads the whole snapshot identifier."
)


def fix_moto_export_lookup() -> bool:
    """Make moto's StartExportTask accept ARNs whose snapshot identifier contains ':'.

    Returns whether the fix was applied (False when moto's code is not the one it fixes).
    """
    from moto.rds import exceptions as rds_errors  # noqa: PLC0415 - moto is a dev tool only
    from moto.rds import models  # noqa: PLC0415

    backend = models.RDSBackend
    if getattr(backend.start_export_task, "__demo_fixed__", False):
        return True
    if not hasattr(models, "ExportTask"):
        return False

    def start_export_task(self: Any, kwargs: dict[str, Any]) -> Any:
        export_task_id = kwargs["export_task_identifier"]
        # arn:aws:rds:<region>:<account>:<snapshot|cluster-snapshot>:<identifier, may hold ':'>
        parts = kwargs["source_arn"].split(":", 6)
        resource_type, snapshot_id = (parts[5], parts[6]) if len(parts) == 7 else ("", "")
        if export_task_id in self.export_tasks:
            raise rds_errors.ExportTaskAlreadyExistsError(export_task_id)
        if resource_type == "cluster-snapshot":
            snapshot = self.cluster_snapshots.get(snapshot_id)
            if snapshot is None:
                raise rds_errors.DBClusterSnapshotNotFoundError(snapshot_id)
        else:
            snapshot = self.database_snapshots.get(snapshot_id)
            if snapshot is None:
                raise rds_errors.DBSnapshotNotFoundFault(snapshot_id)
        if snapshot.status != "available":
            raise rds_errors.InvalidExportSourceStateError(snapshot.status)
        task = models.ExportTask(self, snapshot, kwargs)
        self.export_tasks[export_task_id] = task
        return task

    start_export_task.__demo_fixed__ = True  # type: ignore[attr-defined]
    backend.start_export_task = start_export_task
    return True


@contextmanager
def moto_server() -> Iterator[str]:
    """Start moto on a free port of 127.0.0.1, yield its endpoint URL, always stop it."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - moto is a dev tool only

    # The server logs every request through werkzeug; the demo's output is the table.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


class Clients:
    """boto3 clients pointed at the local endpoint with fake credentials."""

    def __init__(self, endpoint_url: str) -> None:
        self.endpoint_url = endpoint_url
        self._session = boto3.session.Session(region_name=REGION, **FAKE_CREDENTIALS)
        self._cache: dict[str, Any] = {}

    def __getattr__(self, service: str) -> Any:
        if service.startswith("_"):
            raise AttributeError(service)
        if service not in self._cache:
            self._cache[service] = self._session.client(
                service,
                endpoint_url=self.endpoint_url,
                config=BotoConfig(retries={"mode": "standard", "max_attempts": 2}),
            )
        return self._cache[service]
