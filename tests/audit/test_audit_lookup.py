from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from shieldwall.audit.events import build_event
from shieldwall.audit.log import INDEX_EVERY, AuditLog
from shieldwall.errors import AwsError
from shieldwall.spec.loader import operation_model
from shieldwall.store import StoreError
from shieldwall.store.sqlite import SqliteStore

ACCOUNT = "123456789012"
REGION = "us-east-1"
T0 = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
ALICE = {
    "type": "IAMUser",
    "principalId": "AIDAALICE",
    "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
    "accountId": ACCOUNT,
    "accessKeyId": "AKIAALICE",
    "userName": "alice",
}
ROLE_SESSION = {
    "type": "AssumedRole",
    "principalId": "AROAROLE:deploy-session",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/deploy-session",
    "accountId": ACCOUNT,
    "accessKeyId": "ASIASESSION",
}
BOB_ARN = f"arn:aws:iam::{ACCOUNT}:user/team/bob"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = SqliteStore(tmp_path)
    yield opened
    opened.close()


@pytest.fixture
def audit(store: SqliteStore) -> Iterator[AuditLog]:
    log = AuditLog(store)
    yield log
    log.close()


def make_event(
    name: str = "CreateUser",
    *,
    at: datetime = T0,
    identity: dict[str, Any] | None = None,
    service: str = "iam",
    account: str = ACCOUNT,
    region: str = REGION,
    request: dict[str, Any] | None = None,
    resources: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    return build_event(
        event_time=at,
        event_source=f"{service}.amazonaws.com",
        event_name=name,
        aws_region=region,
        source_ip="127.0.0.1",
        user_agent="test",
        user_identity=identity or ALICE,
        operation=operation_model(service, name),
        request=request,
        request_id="req",
        recipient_account_id=account,
        resources=resources or [],
    )


def ids_of(page: dict[str, Any]) -> list[str]:
    return [item["EventId"] for item in page["Events"]]


def record_all(audit: AuditLog, events: list[dict[str, Any]]) -> None:
    for event in events:
        audit.record(event)
    audit.flush()


def lookup_error(audit: AuditLog, **arguments: Any) -> AwsError:
    with pytest.raises(AwsError) as caught:
        audit.lookup(ACCOUNT, REGION, **arguments)
    return caught.value


def test_recorded_event_is_returned_in_lookup_events_shape(audit: AuditLog) -> None:
    event = make_event(
        request={"UserName": "bob"},
        resources=[{"ARN": BOB_ARN, "accountId": ACCOUNT, "type": "AWS::IAM::User"}],
    )
    record_all(audit, [event])
    page = audit.lookup(ACCOUNT, REGION)
    assert page == {
        "Events": [
            {
                "EventId": event["eventID"],
                "EventName": "CreateUser",
                "ReadOnly": "false",
                "AccessKeyId": "AKIAALICE",
                "EventTime": T0,
                "EventSource": "iam.amazonaws.com",
                "Username": "alice",
                "Resources": [{"ResourceType": "AWS::IAM::User", "ResourceName": "bob"}],
                "CloudTrailEvent": page["Events"][0]["CloudTrailEvent"],
            }
        ]
    }
    assert json.loads(page["Events"][0]["CloudTrailEvent"]) == event


def test_nothing_recorded_returns_no_events(audit: AuditLog) -> None:
    assert audit.lookup(ACCOUNT, REGION) == {"Events": []}


@pytest.fixture
def varied(audit: AuditLog) -> dict[str, dict[str, Any]]:
    events = {
        "create": make_event("CreateUser", resources=[{"ARN": BOB_ARN, "type": "AWS::IAM::User"}]),
        "list": make_event("ListUsers", at=T0 + timedelta(seconds=1)),
        "key": make_event(
            "CreateKey",
            service="kms",
            identity=ROLE_SESSION,
            at=T0 + timedelta(seconds=2),
            resources=[{"ARN": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234-abcd", "type": "AWS::KMS::Key"}],
        ),
    }
    record_all(audit, list(events.values()))
    return events


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("EventName", "ListUsers", ["list"]),
        ("EventSource", "kms.amazonaws.com", ["key"]),
        ("ReadOnly", "true", ["list"]),
        ("ReadOnly", "false", ["key", "create"]),
        ("Username", "alice", ["list", "create"]),
        ("Username", "deploy-session", ["key"]),
        ("AccessKeyId", "ASIASESSION", ["key"]),
        ("ResourceType", "AWS::IAM::User", ["create"]),
        ("ResourceName", "bob", ["create"]),
        ("ResourceName", BOB_ARN, ["create"]),
        ("ResourceName", "1234-abcd", ["key"]),
        ("EventName", "DeleteUser", []),
    ],
)
def test_lookup_by_one_attribute(
    audit: AuditLog, varied: dict[str, dict[str, Any]], key: str, value: str, expected: list[str]
) -> None:
    page = audit.lookup(ACCOUNT, REGION, [{"AttributeKey": key, "AttributeValue": value}])
    assert ids_of(page) == [varied[name]["eventID"] for name in expected]


def test_lookup_by_arn_matches_that_arn_only_not_its_short_name(audit: AuditLog) -> None:
    """A resource is stored once, under its short name; an ARN finds only the events naming that very ARN."""
    other_bob = f"arn:aws:iam::{ACCOUNT}:user/contractors/bob"
    ours = make_event("CreateUser", resources=[{"ARN": BOB_ARN, "type": "AWS::IAM::User"}])
    theirs = make_event(
        "CreateUser", at=T0 + timedelta(seconds=1), resources=[{"ARN": other_bob, "type": "AWS::IAM::User"}]
    )
    record_all(audit, [ours, theirs])

    def found(value: str) -> list[str]:
        return ids_of(
            audit.lookup(ACCOUNT, REGION, [{"AttributeKey": "ResourceName", "AttributeValue": value}])
        )

    assert found(BOB_ARN) == [ours["eventID"]]
    assert found(other_bob) == [theirs["eventID"]]
    assert found("bob") == [theirs["eventID"], ours["eventID"]]
    assert found(f"arn:aws:iam::{ACCOUNT}:user/bob-not") == []


def test_lookup_by_event_id(audit: AuditLog, varied: dict[str, dict[str, Any]]) -> None:
    wanted = varied["list"]["eventID"]
    page = audit.lookup(ACCOUNT, REGION, [{"AttributeKey": "EventId", "AttributeValue": wanted}])
    assert ids_of(page) == [wanted]


def test_events_come_newest_first(audit: AuditLog) -> None:
    events = [make_event(at=T0 + timedelta(minutes=n)) for n in (3, 1, 2)]
    record_all(audit, events)
    assert ids_of(audit.lookup(ACCOUNT, REGION)) == [
        events[0]["eventID"],
        events[2]["eventID"],
        events[1]["eventID"],
    ]


def test_events_of_the_same_second_come_latest_recorded_first(audit: AuditLog) -> None:
    events = [make_event() for _ in range(3)]
    record_all(audit, events)
    assert ids_of(audit.lookup(ACCOUNT, REGION)) == [event["eventID"] for event in reversed(events)]


def test_time_range_is_inclusive_at_both_ends(audit: AuditLog) -> None:
    events = [make_event(at=T0 + timedelta(minutes=n)) for n in range(5)]
    record_all(audit, events)
    page = audit.lookup(
        ACCOUNT, REGION, start_time=T0 + timedelta(minutes=1), end_time=T0 + timedelta(minutes=3)
    )
    assert ids_of(page) == [events[n]["eventID"] for n in (3, 2, 1)]


def test_open_ended_time_ranges(audit: AuditLog) -> None:
    events = [make_event(at=T0 + timedelta(minutes=n)) for n in range(3)]
    record_all(audit, events)
    assert ids_of(audit.lookup(ACCOUNT, REGION, start_time=T0 + timedelta(minutes=2))) == [
        events[2]["eventID"]
    ]
    assert ids_of(audit.lookup(ACCOUNT, REGION, end_time=T0)) == [events[0]["eventID"]]


def test_pages_cover_every_event_once_in_order(audit: AuditLog) -> None:
    events = [make_event(at=T0 + timedelta(seconds=n // 2)) for n in range(7)]
    record_all(audit, events)
    seen: list[str] = []
    token = None
    pages = 0
    while True:
        page = audit.lookup(ACCOUNT, REGION, max_results=2, next_token=token)
        pages += 1
        seen += ids_of(page)
        token = page.get("NextToken")
        if token is None:
            break
    assert pages == 4
    assert seen == [event["eventID"] for event in reversed(events)]


def test_pagination_keeps_the_attribute_filter(audit: AuditLog) -> None:
    events = [
        make_event("ListUsers" if n % 2 else "CreateUser", at=T0 + timedelta(seconds=n)) for n in range(6)
    ]
    record_all(audit, events)
    attributes = [{"AttributeKey": "EventName", "AttributeValue": "ListUsers"}]
    first = audit.lookup(ACCOUNT, REGION, attributes, max_results=2)
    second = audit.lookup(ACCOUNT, REGION, attributes, max_results=2, next_token=first["NextToken"])
    assert ids_of(first) + ids_of(second) == [events[n]["eventID"] for n in (5, 3, 1)]
    assert "NextToken" not in second


def test_default_page_is_fifty_events(audit: AuditLog) -> None:
    record_all(audit, [make_event(at=T0 + timedelta(seconds=n)) for n in range(55)])
    first = audit.lookup(ACCOUNT, REGION)
    assert len(first["Events"]) == 50
    assert len(audit.lookup(ACCOUNT, REGION, next_token=first["NextToken"])["Events"]) == 5


def test_events_of_other_accounts_and_regions_are_not_returned(audit: AuditLog) -> None:
    mine = make_event()
    record_all(audit, [mine, make_event(account="210987654321"), make_event(region="eu-west-1")])
    assert ids_of(audit.lookup(ACCOUNT, REGION)) == [mine["eventID"]]


def test_more_than_one_lookup_attribute_is_refused(audit: AuditLog) -> None:
    error = lookup_error(
        audit,
        attributes=[
            {"AttributeKey": "EventName", "AttributeValue": "CreateUser"},
            {"AttributeKey": "Username", "AttributeValue": "alice"},
        ],
    )
    assert error.code == "InvalidLookupAttributesException"
    assert error.status == 400


@pytest.mark.parametrize(
    "attribute",
    [
        {"AttributeKey": "Color", "AttributeValue": "red"},
        {"AttributeKey": "EventName", "AttributeValue": ""},
        {"AttributeKey": "EventName"},
        {"AttributeKey": "EventName", "AttributeValue": "x" * 2001},
        {"AttributeKey": "EventName", "AttributeValue": "_" * 1001},
        {"AttributeKey": "ReadOnly", "AttributeValue": "maybe"},
    ],
)
def test_invalid_lookup_attribute_is_refused(audit: AuditLog, attribute: dict[str, str]) -> None:
    assert lookup_error(audit, attributes=[attribute]).code == "InvalidLookupAttributesException"


def test_attribute_value_at_the_length_limit_is_accepted(audit: AuditLog) -> None:
    assert audit.lookup(ACCOUNT, REGION, [{"AttributeKey": "EventName", "AttributeValue": "_" * 1000}]) == {
        "Events": []
    }


def test_start_time_after_end_time_is_refused(audit: AuditLog) -> None:
    error = lookup_error(audit, start_time=T0, end_time=T0 - timedelta(seconds=1))
    assert error.code == "InvalidTimeRangeException"


@pytest.mark.parametrize("max_results", [0, -1, 51, 1000])
def test_max_results_outside_one_to_fifty_is_refused(audit: AuditLog, max_results: int) -> None:
    assert lookup_error(audit, max_results=max_results).code == "InvalidMaxResultsException"


def first_token(audit: AuditLog) -> str:
    record_all(audit, [make_event(at=T0 + timedelta(seconds=n)) for n in range(3)])
    token = audit.lookup(ACCOUNT, REGION, max_results=1)["NextToken"]
    assert isinstance(token, str)
    return token


def test_tampered_next_token_is_refused(audit: AuditLog) -> None:
    raw = bytearray(base64.urlsafe_b64decode(first_token(audit)))
    raw[-3] ^= 0x01
    tampered = base64.urlsafe_b64encode(bytes(raw)).decode()
    assert lookup_error(audit, max_results=1, next_token=tampered).code == "InvalidNextTokenException"


@pytest.mark.parametrize("token", ["garbage", "", "%%%", "AAAA", "é"])
def test_made_up_next_token_is_refused(audit: AuditLog, token: str) -> None:
    first_token(audit)
    assert lookup_error(audit, next_token=token or "x").code == "InvalidNextTokenException"


def test_next_token_with_other_parameters_is_refused(audit: AuditLog) -> None:
    token = first_token(audit)
    error = lookup_error(
        audit, attributes=[{"AttributeKey": "Username", "AttributeValue": "alice"}], next_token=token
    )
    assert error.code == "InvalidNextTokenException"


def test_next_token_of_another_log_is_refused(store: SqliteStore, audit: AuditLog) -> None:
    token = first_token(audit)
    other = AuditLog(store)
    try:
        with pytest.raises(AwsError) as caught:
            other.lookup(ACCOUNT, REGION, next_token=token)
    finally:
        other.close()
    assert caught.value.code == "InvalidNextTokenException"


def test_secrets_never_reach_the_trail(audit: AuditLog) -> None:
    event = make_event(
        "CreateSecret",
        service="secretsmanager",
        request={"Name": "db", "SecretString": "hunter2-very-secret"},
    )
    record_all(audit, [event])
    [item] = audit.lookup(ACCOUNT, REGION)["Events"]
    assert "hunter2-very-secret" not in item["CloudTrailEvent"]
    assert (
        json.loads(item["CloudTrailEvent"])["requestParameters"]["secretString"]
        == "HIDDEN_DUE_TO_SECURITY_REASONS"
    )


def test_events_survive_closing_and_reopening_the_store(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path)
    log = AuditLog(store)
    event = make_event()
    log.record(event)
    log.close()
    store.close()
    reopened = SqliteStore(tmp_path)
    log = AuditLog(reopened)
    try:
        assert ids_of(log.lookup(ACCOUNT, REGION)) == [event["eventID"]]
    finally:
        log.close()
        reopened.close()


def test_many_events_are_committed_by_one_flush(audit: AuditLog) -> None:
    record_all(audit, [make_event(at=T0 + timedelta(milliseconds=n)) for n in range(2000)])
    total = 0
    token = None
    while True:
        page = audit.lookup(ACCOUNT, REGION, next_token=token)
        total += len(page["Events"])
        token = page.get("NextToken")
        if token is None:
            break
    assert total == 2000


def test_reset_empties_the_trail(store: SqliteStore, audit: AuditLog) -> None:
    record_all(audit, [make_event(resources=[{"ARN": BOB_ARN, "type": "AWS::IAM::User"}])])
    store.reset()
    assert audit.lookup(ACCOUNT, REGION) == {"Events": []}
    assert audit.lookup(ACCOUNT, REGION, [{"AttributeKey": "ResourceName", "AttributeValue": "bob"}]) == {
        "Events": []
    }


def test_closed_log_refuses_new_events(store: SqliteStore) -> None:
    log = AuditLog(store)
    log.close()
    log.close()
    log.flush()
    with pytest.raises(StoreError, match="closed"):
        log.record(make_event())


def test_a_trail_written_before_the_resources_migration_is_still_found(tmp_path: Path) -> None:
    """Schema 2 kept two resource rows per resource in a table with two indexes; schema 3 keys the rows by name.
    Events recorded under schema 2 are found by type, short name and ARN after the upgrade."""
    import sqlite3

    from shieldwall.store import migrations
    from shieldwall.store.sqlite import DB_NAME

    event = make_event("CreateUser", resources=[{"ARN": BOB_ARN, "type": "AWS::IAM::User"}])
    old = sqlite3.connect(tmp_path / DB_NAME, isolation_level=None)
    migrations.apply(old, migrations.MIGRATIONS[:2])
    old.execute(
        "INSERT INTO audit_events (seq, event_id, account, region, event_time, event_name, event_source,"
        " read_only, username, access_key_id, body) VALUES (1, ?, ?, ?, ?, 'CreateUser', 'iam.amazonaws.com',"
        " 'false', 'alice', 'AKIAALICE', ?)",
        (
            event["eventID"],
            ACCOUNT,
            REGION,
            int(T0.timestamp() * 1_000_000),
            json.dumps(event, separators=(",", ":")),
        ),
    )
    old.executemany(
        "INSERT INTO audit_resources (seq, resource_type, resource_name) VALUES (1, 'AWS::IAM::User', ?)",
        [("bob",), (BOB_ARN,)],
    )
    old.close()

    store = SqliteStore(tmp_path)
    log = AuditLog(store)
    try:
        for key, value in (
            ("ResourceType", "AWS::IAM::User"),
            ("ResourceName", "bob"),
            ("ResourceName", BOB_ARN),
        ):
            page = log.lookup(ACCOUNT, REGION, [{"AttributeKey": key, "AttributeValue": value}])
            assert ids_of(page) == [event["eventID"]], (key, value)
        conn = store.connect()
        assert migrations.current_version(conn) == migrations.LATEST_VERSION
        conn.close()
    finally:
        log.close()
        store.close()


def _resource_rows(store: SqliteStore) -> int:
    conn = store.connect()
    try:
        count: int = conn.execute("SELECT count(*) FROM audit_resources").fetchone()[0]
    finally:
        conn.close()
    return count


def _bob_event(n: int = 0) -> dict[str, Any]:
    return make_event(
        at=T0 + timedelta(milliseconds=n), resources=[{"ARN": BOB_ARN, "type": "AWS::IAM::User"}]
    )


def test_resource_rows_are_written_for_many_events_at_once(store: SqliteStore, audit: AuditLog) -> None:
    """A request's commit holds its event only; the resource rows follow in the commit that crosses
    INDEX_EVERY waiting resources, for every event before it."""
    record_all(audit, [_bob_event(n) for n in range(INDEX_EVERY - 1)])
    assert _resource_rows(store) == 0
    record_all(audit, [_bob_event(INDEX_EVERY)])
    assert _resource_rows(store) == INDEX_EVERY
    record_all(audit, [_bob_event(INDEX_EVERY + 1)])
    assert _resource_rows(store) == INDEX_EVERY


def test_a_lookup_by_resource_finds_events_not_yet_indexed_from_any_writer(tmp_path: Path) -> None:
    """Another worker process's events are found by resource as soon as it has committed them."""
    here_store, there_store = SqliteStore(tmp_path), SqliteStore(tmp_path)
    here, there = AuditLog(here_store), AuditLog(there_store)
    try:
        mine, theirs = _bob_event(1), _bob_event(2)
        record_all(here, [mine])
        record_all(there, [theirs])
        assert _resource_rows(here_store) == 0
        for key, value in (
            ("ResourceName", "bob"),
            ("ResourceName", BOB_ARN),
            ("ResourceType", "AWS::IAM::User"),
        ):
            page = here.lookup(ACCOUNT, REGION, [{"AttributeKey": key, "AttributeValue": value}])
            assert ids_of(page) == [theirs["eventID"], mine["eventID"]], (key, value)
        assert _resource_rows(here_store) == 2
        later = _bob_event(3)
        record_all(there, [later])
        page = here.lookup(ACCOUNT, REGION, [{"AttributeKey": "ResourceName", "AttributeValue": "bob"}])
        assert ids_of(page) == [later["eventID"], theirs["eventID"], mine["eventID"]]
        assert _resource_rows(here_store) == 3
    finally:
        here.close()
        there.close()
        here_store.close()
        there_store.close()


def test_events_after_a_reset_are_indexed_from_the_start(store: SqliteStore, audit: AuditLog) -> None:
    record_all(audit, [_bob_event(n) for n in range(3)])
    audit.lookup(ACCOUNT, REGION, [{"AttributeKey": "ResourceName", "AttributeValue": "bob"}])
    store.reset()
    fresh = _bob_event(10)
    record_all(audit, [fresh])
    page = audit.lookup(
        ACCOUNT, REGION, [{"AttributeKey": "ResourceType", "AttributeValue": "AWS::IAM::User"}]
    )
    assert ids_of(page) == [fresh["eventID"]]
