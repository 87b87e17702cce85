"""Real botocore clients whose requests are answered by in-memory fakes.

The function under test receives genuine ``botocore`` clients: parameters are validated
against the service model, paginators come from botocore's pagination model and errors are
raised as the modelled exception classes (``client.exceptions.ExportTaskAlreadyExistsFault``
and so on). Only the HTTP exchange is replaced, through the same ``before-call`` hook that
``botocore.stub.Stubber`` uses, so no request ever leaves the process.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from functools import cache
from typing import Any, Protocol

import botocore.session
from botocore import xform_name
from botocore.awsrequest import AWSResponse
from botocore.client import BaseClient

_PARAMS_KEY = "bench.fake.params"
_request_ids = itertools.count(1)


class FakeServiceError(Exception):
    """An error response: raised by a fake, turned into botocore's exception for the code."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status


class Backend(Protocol):
    """A fake service: one method per operation (``start_export_task(params)``), taking the
    request parameters as the API spells them and returning the response dictionary."""

    calls: Counter[str]


@cache
def _session() -> botocore.session.Session:
    # Shared by every fake client, so botocore reads each service model from disk only once.
    return botocore.session.get_session()


def _response_metadata(status: int) -> dict[str, Any]:
    return {
        "RequestId": f"fake-{next(_request_ids):012d}",
        "HTTPStatusCode": status,
        "HTTPHeaders": {},
        "RetryAttempts": 0,
    }


def wired_client(
    service: str,
    backend: Backend,
    *,
    region: str,
    on_call: Callable[[str], None] | None = None,
) -> BaseClient:
    """A botocore client for ``service`` that talks to ``backend`` instead of AWS."""
    client = _session().create_client(
        service,
        region_name=region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    service_id = client.meta.service_model.service_id.hyphenize()

    def capture(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        # The before-call hook only sees the serialized request, so the caller's own
        # arguments are kept from the earlier hook, after botocore has finished with them.
        context[_PARAMS_KEY] = dict(params)

    def answer(model: Any, context: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict]:
        operation = model.name
        params = context.pop(_PARAMS_KEY, {})
        backend.calls[operation] += 1
        if on_call is not None:
            on_call(operation)
        handler = getattr(backend, xform_name(operation), None)
        if handler is None:
            error = FakeServiceError(
                "InvalidAction", f"the fake {service} does not implement {operation}"
            )
            return _error(error)
        try:
            result = handler(params)
        except FakeServiceError as error:
            return _error(error)
        result = dict(result)
        result["ResponseMetadata"] = _response_metadata(200)
        return AWSResponse("https://fake.invalid/", 200, {}, None), result

    client.meta.events.register_last(f"before-parameter-build.{service_id}", capture)
    client.meta.events.register(f"before-call.{service_id}", answer)
    return client


def _error(error: FakeServiceError) -> tuple[AWSResponse, dict]:
    parsed = {
        "Error": {"Code": error.code, "Message": error.message, "Type": "Sender"},
        "ResponseMetadata": _response_metadata(error.status),
    }
    return AWSResponse("https://fake.invalid/", error.status, {}, None), parsed
