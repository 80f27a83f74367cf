"""The tables that keep shieldwall fail-closed stay true to the models and to the providers."""

from __future__ import annotations

from shieldwall.auth.unsigned import UNSIGNED_OPERATIONS
from shieldwall.services.registry import authz_table, build_services
from shieldwall.spec.loader import SERVICES, service_model


def _model_unsigned() -> set[tuple[str, str]]:
    found = set()
    for service in SERVICES:
        model = service_model(service)
        for name in model.operation_names:
            operation = model.operation_model(name)
            auth = operation.auth or []
            if operation.auth_type == "none" or "smithy.api#noAuth" in auth:
                found.add((service, name))
    return found


def test_unsigned_table_matches_the_models() -> None:
    assert set(UNSIGNED_OPERATIONS) == _model_unsigned()


def test_every_implemented_operation_has_an_authorization_mapping(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from shieldwall.audit.log import AuditLog
    from shieldwall.clock import Clock
    from shieldwall.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path)
    try:
        services = build_services(store=store, audit=AuditLog(store), clock=Clock())
        for service, operations in services.implemented().items():
            for operation in operations:
                assert operation in authz_table(service), (
                    f"{service}:{operation} has no authorization mapping"
                )
    finally:
        store.close()
