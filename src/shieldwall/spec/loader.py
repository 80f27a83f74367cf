"""botocore's service models, loaded once per process and only when a service is first used.

The models drive everything on the wire: routing, parsing, validation and serialization. Loading all fifteen
models up front costs start-up time and memory the server does not need to answer its first request, so each
model is read on first use and kept for the life of the process.
"""

from __future__ import annotations

import functools
import threading

import botocore.loaders
import botocore.model

# The services shieldwall serves, by botocore name, with the protocol each one speaks.
SERVICES: dict[str, str] = {
    "iam": "query",
    "sts": "query",
    "kms": "json",
    "secretsmanager": "json",
    "ssm": "json",
    "cognito-idp": "json",
    "cognito-identity": "json",
    "wafv2": "json",
    "acm": "json",
    "acm-pca": "json",
    "cloudtrail": "json",
    "organizations": "json",
    "lambda": "rest-json",
    "apigateway": "rest-json",
    "s3": "rest-xml",
}

_lock = threading.Lock()


@functools.cache
def _loader() -> botocore.loaders.Loader:
    return botocore.loaders.Loader()


@functools.cache
def _load(name: str) -> botocore.model.ServiceModel:
    data = _loader().load_service_model(name, "service-2")
    return botocore.model.ServiceModel(data, service_name=name)


def service_model(name: str) -> botocore.model.ServiceModel:
    """The botocore model of service `name` (its botocore name, e.g. ``cognito-idp``)."""
    if name not in SERVICES:
        raise KeyError(name)
    with _lock:
        return _load(name)


def operation_model(service: str, operation: str) -> botocore.model.OperationModel:
    return service_model(service).operation_model(operation)


def protocol_of(service: str) -> str:
    return SERVICES[service]
