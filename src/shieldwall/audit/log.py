"""The audit trail: events committed to the store's database in batches, read back as LookupEvents.

`record` is on the request path, so it only turns the event into rows and keeps them. The HTTP server
(`gateway.http_server`) calls `flush` once per event-loop turn, before it writes that turn's responses (group
commit): an acknowledged request always has its event on disk, and under load one commit serves many requests.
Events live in `audit_events`, one row per event with the lookup attributes in indexed columns and the full event
JSON. Each event's resources become rows of `audit_resources`, indexed by type and by short name, but not in the
request's own commit: the event carries its (type, name) pairs in a column, and `index_resources` writes the rows
for every event not yet indexed, in the commit of every `INDEX_EVERY`th event and before any lookup by resource
(so a lookup finds every event committed before it, whichever process wrote it). Written one request at a time,
those rows cost more B-tree pages per commit than the events themselves. A ResourceName lookup matches the short
name or the ARN: an ARN is looked up by its short name and then found in the event's JSON, so each resource costs
one row (databases written before schema 3 keep a second row per resource, under the ARN).

`lookup` follows CloudTrail's LookupEvents: at most one lookup attribute, StartTime not after EndTime,
MaxResults 1..50 (default 50), newest first, and a NextToken that only works with the parameters it came from.
The token is an HMAC-sealed position (event time, arrival order), so a tampered or foreign token is refused.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import orjson

from shieldwall import ids
from shieldwall.audit.events import is_read_only
from shieldwall.clock import fmt_iso8601, parse_iso8601
from shieldwall.errors import AwsError
from shieldwall.memo import short_values_cached
from shieldwall.store.base import StoreError
from shieldwall.store.sqlite import SqliteStore

logger = logging.getLogger(__name__)

DEFAULT_MAX_RESULTS = 50
MAX_ATTRIBUTE_LENGTH = 2000
_MAX_CURSOR = 2**63 - 1
_TAG_SIZE = 16
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_DOUBLE_COUNTED = frozenset("_ ,\n")

_COLUMNS = (
    "event_id, account, region, event_time, event_name, event_source, read_only, username, access_key_id, body,"
    " resources"
)
_INSERT_EVENT = f"INSERT INTO audit_events ({_COLUMNS}) VALUES ({', '.join('?' * 11)})"
_INSERT_RESOURCE = (
    "INSERT OR IGNORE INTO audit_resources (seq, resource_type, resource_name) VALUES (?, ?, ?)"
)
# Resource rows are written once this many resources are waiting (and before every lookup by resource).
INDEX_EVERY = 512
_INDEXED = "SELECT seq FROM audit_resources_indexed"
_SAVE_INDEXED = "INSERT INTO audit_resources_indexed (id, seq) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq"
_TO_INDEX = "SELECT seq, resources FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?"
_SELECT = (
    "SELECT event_id, event_time, seq, event_name, event_source, read_only, username, access_key_id, body"
    " FROM audit_events WHERE account = ? AND region = ? AND event_time >= ? AND event_time <= ?"
    " AND (event_time, seq) < (?, ?){filter} ORDER BY event_time DESC, seq DESC LIMIT ?"
)
_FILTERS = {
    None: "",
    "EventId": " AND event_id = ?",
    "EventName": " AND event_name = ?",
    "ReadOnly": " AND read_only = ?",
    "Username": " AND username = ?",
    "EventSource": " AND event_source = ?",
    "AccessKeyId": " AND access_key_id = ?",
    "ResourceType": " AND seq IN (SELECT seq FROM audit_resources WHERE resource_type = ?)",
    "ResourceName": " AND seq IN (SELECT seq FROM audit_resources WHERE resource_name = ?)",
}
_QUERIES = {key: _SELECT.format(filter=condition) for key, condition in _FILTERS.items()}
# ResourceName given as an ARN: the rows of its short name whose event names that ARN.
_QUERIES["ResourceArn"] = _SELECT.format(
    filter=" AND seq IN (SELECT seq FROM audit_resources WHERE resource_name = ?) AND instr(body, ?) > 0"
)
_BY_RESOURCE = frozenset({"ResourceType", "ResourceName", "ResourceArn"})
# Admin scans (explain): the newest SCAN_LIMIT events by arrival order, filtered on the event's JSON text.
SCAN_LIMIT = 200_000
_NEWEST_SEQ = "SELECT coalesce(max(seq), 0) FROM audit_events"
_FIND_BY_TEXT = "SELECT body FROM audit_events WHERE seq > ? AND instr(body, ?) > 0 ORDER BY seq DESC LIMIT ?"
_DENIALS = (
    "SELECT body FROM audit_events WHERE seq > ? AND event_time >= ? AND instr(body, ?) > 0"
    " ORDER BY seq DESC LIMIT ?"
)
_DENY_NEEDLE = '"decision":"Deny"'


def _to_json(event: Mapping[str, Any]) -> str:
    """The event's JSON, compact; orjson because this runs once per request."""
    return orjson.dumps(event, default=_json_time, option=orjson.OPT_PASSTHROUGH_DATETIME).decode("utf-8")


def _json_time(value: object) -> str:
    if isinstance(value, datetime):
        return fmt_iso8601(value)
    raise TypeError(f"an audit event cannot hold a {type(value).__name__}")


class _Rows(NamedTuple):
    event: tuple[Any, ...]  # the audit_events columns, in `_COLUMNS` order
    resources: int  # how many (type, name) pairs the event names


class AuditLog:
    def __init__(self, store: SqliteStore, *, token_key: bytes | None = None) -> None:
        self._store = store
        self._token_key = token_key or ids.token_bytes(32)
        self._conn = store.connect()
        self._lock = threading.Lock()
        self._pending: list[_Rows] = []
        self._unindexed = 0  # resource pairs committed by this log since it last wrote resource rows
        self._closed = False
        self.dropped = 0

    # -- writing --------------------------------------------------------------------------------------------

    def record(self, event: Mapping[str, Any]) -> None:
        """Queue `event` (as built by `build_event`) for the next commit; returns without touching the disk."""
        if self._closed:
            raise StoreError("the audit log is closed")
        rows = rows_of(event)
        with self._lock:
            self._pending.append(rows)

    def flush(self) -> None:
        """Commit every event recorded before this call."""
        with self._lock:
            batch, self._pending = self._pending, []
            if not batch or self._closed:
                return
            self._unindexed += sum(rows.resources for rows in batch)
            index = self._unindexed >= INDEX_EVERY
            try:
                insert_batch(self._conn, batch, index=index)
            except sqlite3.Error:
                self.dropped += len(batch)
                logger.exception("could not write %d audit events", len(batch))
                return
            if index:
                self._unindexed = 0

    def index_resources(self) -> None:
        """Write the resource rows of every committed event (any process's) that has none yet."""
        if self._closed:
            raise StoreError("the audit log is closed")
        self.flush()
        with self._lock, _immediate(self._conn):
            _index_pending(self._conn)
            self._unindexed = 0

    def close(self) -> None:
        """Commit what is pending and close the log's connection. Close it before the store."""
        self.flush()
        with self._lock:
            if not self._closed:
                self._closed = True
                self._conn.close()

    # -- reading --------------------------------------------------------------------------------------------

    def lookup(
        self,
        account: str,
        region: str,
        attributes: Sequence[Mapping[str, Any]] | None = None,
        start_time: datetime | None = None,
        end_time: datetime | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> dict[str, Any]:
        """CloudTrail LookupEvents over the events of `account` in `region`.

        Returns LookupEvents' typed response: {"Events": [...]} plus "NextToken" when more events follow.
        """
        if self._closed:
            raise StoreError("the audit log is closed")
        attribute = check_attributes(attributes)
        start, end = check_time_range(start_time, end_time)
        limit = check_max_results(max_results)
        digest = _query_digest(account, region, attribute, start, end)
        position = self._open_token(next_token, digest) if next_token else (_MAX_CURSOR, _MAX_CURSOR)
        key, value = attribute if attribute else (None, None)
        params: list[Any] = [account, region, start, end, *position]
        if key == "ResourceName" and value is not None and value.startswith("arn:"):
            key = "ResourceArn"
            params += [resource_name(value), '"ARN":' + orjson.dumps(value).decode("utf-8")]
        elif key is not None:
            params.append(value)
        params.append(limit + 1)
        if key in _BY_RESOURCE:
            self.index_resources()
        else:
            self.flush()
        with self._lock:
            rows = self._conn.execute(_QUERIES[key], params).fetchall()
        page: dict[str, Any] = {"Events": [lookup_item(row) for row in rows[:limit]]}
        if len(rows) > limit:
            last = rows[limit - 1]
            page["NextToken"] = self._seal_token(last[1], last[2], digest)
        return page

    def find_by_request_id(self, request_id: str) -> dict[str, Any] | None:
        """The event of request `request_id`, searched among the newest `SCAN_LIMIT` events.

        No index serves this (every index costs every request a B-tree page): it is an admin lookup that walks
        the newest events by arrival order, matching the request id in the stored JSON.
        """
        needle = '"requestID":' + orjson.dumps(request_id).decode("utf-8")
        for event in self._scan(_FIND_BY_TEXT, (needle,), 1):
            if event.get("requestID") == request_id:
                return event
        return None

    def denials(self, since: datetime | None = None, limit: int = SCAN_LIMIT) -> list[dict[str, Any]]:
        """Events whose authorization decision was Deny (enforced or not), newest first, among the newest
        `SCAN_LIMIT` events, at or after `since`."""
        start = to_micros(since) if since is not None else -_MAX_CURSOR
        events = self._scan(_DENIALS, (start, _DENY_NEEDLE), limit)
        return [event for event in events if (event.get("shieldwall") or {}).get("decision") == "Deny"]

    def _scan(self, query: str, params: tuple[Any, ...], limit: int) -> list[dict[str, Any]]:
        if self._closed:
            raise StoreError("the audit log is closed")
        self.flush()
        with self._lock:
            newest = self._conn.execute(_NEWEST_SEQ).fetchone()[0]
            rows = self._conn.execute(query, (newest - SCAN_LIMIT, *params, limit)).fetchall()
        return [json.loads(body) for (body,) in rows]

    def _seal_token(self, event_time: int, seq: int, digest: str) -> str:
        payload = json.dumps([event_time, seq, digest], separators=(",", ":")).encode()
        tag = hmac.new(self._token_key, payload, hashlib.sha256).digest()[:_TAG_SIZE]
        return base64.urlsafe_b64encode(tag + payload).decode("ascii")

    def _open_token(self, token: str, digest: str) -> tuple[int, int]:
        try:
            raw = base64.urlsafe_b64decode(token.encode("ascii"))
        except (binascii.Error, ValueError, UnicodeEncodeError):
            raise invalid_token() from None
        tag, payload = raw[:_TAG_SIZE], raw[_TAG_SIZE:]
        expected = hmac.new(self._token_key, payload, hashlib.sha256).digest()[:_TAG_SIZE]
        if not hmac.compare_digest(tag, expected):
            raise invalid_token()
        try:
            event_time, seq, token_digest = json.loads(payload)
        except (ValueError, TypeError):
            raise invalid_token() from None
        if token_digest != digest or type(event_time) is not int or type(seq) is not int:
            raise invalid_token()
        return event_time, seq


# -- rows -------------------------------------------------------------------------------------------------


def rows_of(event: Mapping[str, Any]) -> _Rows:
    identity = event.get("userIdentity") or {}
    event_id = event["eventID"]
    resources = [
        (entry["type"], resource_name(entry["ARN"]))
        for entry in event.get("resources") or ()
        if entry.get("type") and entry.get("ARN")
    ]
    row = (
        event_id,
        event.get("recipientAccountId") or "",
        event.get("awsRegion") or "",
        _event_micros(event["eventTime"]),
        event["eventName"],
        event["eventSource"],
        "true" if _read_only(event) else "false",
        username_of(identity),
        identity.get("accessKeyId"),
        _to_json(event),
        orjson.dumps(resources).decode("utf-8") if resources else None,
    )
    return _Rows(row, len(resources))


@functools.lru_cache(maxsize=64)
def _event_micros(event_time: str) -> int:
    """An eventTime in microseconds; it has whole seconds, so under load many events share one."""
    return to_micros(parse_iso8601(event_time))


def _read_only(event: Mapping[str, Any]) -> bool:
    """The event's readOnly (every event `build_event` makes has one), else what its name and source say."""
    if "readOnly" in event:
        return bool(event["readOnly"])
    return is_read_only(event["eventName"], event["eventSource"])


def insert_batch(conn: sqlite3.Connection, batch: list[_Rows], *, index: bool = False) -> None:
    """Insert `batch` in one transaction, SQLite numbering the events (seq, the rowid) in arrival order; with
    `index`, the resource rows of every event not yet indexed go into the same commit."""
    with _immediate(conn):
        conn.executemany(_INSERT_EVENT, [rows.event for rows in batch])
        if index:
            _index_pending(conn)


@contextlib.contextmanager
def _immediate(conn: sqlite3.Connection) -> Iterator[None]:
    """One transaction holding the write lock from its start."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


_INDEX_CHUNK = 4096


def _index_pending(conn: sqlite3.Connection) -> None:
    """Inside a write transaction: the resource rows of every event after the last indexed one.

    Seqs are handed out and committed in order under the write lock, so no event can appear below the mark
    later. (After a reset the mark is gone, with every event: it reads as 0.)
    """
    found = conn.execute(_INDEXED).fetchone()
    done = found[0] if found is not None else 0
    while events := conn.execute(_TO_INDEX, (done, _INDEX_CHUNK)).fetchall():
        conn.executemany(
            _INSERT_RESOURCE,
            [(seq, kind, name) for seq, text in events if text for kind, name in orjson.loads(text)],
        )
        done = events[-1][0]
        conn.execute(_SAVE_INDEXED, (done,))


def username_of(identity: Mapping[str, Any]) -> str | None:
    """LookupEvents' Username: the user's name, "root", or the session name of a role or federated user."""
    kind = identity.get("type")
    if kind == "Root":
        return "root"
    name = identity.get("userName")
    if name:
        return str(name)
    arn = str(identity.get("arn") or "")
    if kind in ("AssumedRole", "FederatedUser") and "/" in arn:
        return arn.rsplit("/", 1)[1]
    return None


@short_values_cached(512, maxsize=4096)
def resource_name(arn: str) -> str:
    """The name in an ARN's resource part: `user/dev/bob` → `bob`, `function:f` → `f`, `b` → `b`."""
    resource = arn.split(":", 5)[-1]
    if "/" in resource:
        return resource.rsplit("/", 1)[1]
    if ":" in resource:
        return resource.split(":", 1)[1]
    return resource


def to_micros(when: datetime) -> int:
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return (when - _EPOCH) // _MICROSECOND


def from_micros(value: int) -> datetime:
    return datetime.fromtimestamp(value // 1_000_000, UTC).replace(microsecond=value % 1_000_000)


def lookup_item(row: tuple[Any, ...]) -> dict[str, Any]:
    event_id, event_time, _, event_name, source, read_only, username, access_key_id, body = row
    item: dict[str, Any] = {"EventId": event_id, "EventName": event_name, "ReadOnly": read_only}
    if access_key_id:
        item["AccessKeyId"] = access_key_id
    item["EventTime"] = from_micros(event_time)
    item["EventSource"] = source
    if username:
        item["Username"] = username
    resources = json.loads(body).get("resources") or ()
    item["Resources"] = [
        {"ResourceType": entry["type"], "ResourceName": resource_name(entry["ARN"])}
        for entry in resources
        if entry.get("type") and entry.get("ARN")
    ]
    item["CloudTrailEvent"] = body
    return item


# -- LookupEvents rules -----------------------------------------------------------------------------------


def check_attributes(attributes: Sequence[Mapping[str, Any]] | None) -> tuple[str, str] | None:
    if not attributes:
        return None
    if len(attributes) > 1:
        raise AwsError(
            "InvalidLookupAttributesException", "You cannot specify more than one lookup attribute."
        )
    key = attributes[0].get("AttributeKey")
    value = attributes[0].get("AttributeValue")
    if key not in _FILTERS or key is None:
        raise AwsError("InvalidLookupAttributesException", f"Invalid attribute key: {key}")
    if not isinstance(value, str) or not value or attribute_length(value) > MAX_ATTRIBUTE_LENGTH:
        raise AwsError(
            "InvalidLookupAttributesException",
            f"AttributeValue must be 1 to {MAX_ATTRIBUTE_LENGTH} characters long.",
        )
    if key == "ReadOnly":
        value = value.lower()
        if value not in ("true", "false"):
            raise AwsError(
                "InvalidLookupAttributesException", "The ReadOnly attribute must be true or false."
            )
    return key, value


def attribute_length(value: str) -> int:
    """AWS counts `_`, space, `,` and newline as two characters towards the 2000-character limit."""
    return len(value) + sum(1 for char in value if char in _DOUBLE_COUNTED)


def check_time_range(start_time: datetime | None, end_time: datetime | None) -> tuple[int, int]:
    start = to_micros(start_time) if start_time is not None else -_MAX_CURSOR
    end = to_micros(end_time) if end_time is not None else _MAX_CURSOR
    if start > end:
        raise AwsError("InvalidTimeRangeException", "Start time must be before end time.")
    return start, end


def check_max_results(max_results: int | None) -> int:
    if max_results is None:
        return DEFAULT_MAX_RESULTS
    if isinstance(max_results, bool) or not isinstance(max_results, int) or not 1 <= max_results <= 50:
        raise AwsError("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
    return max_results


def invalid_token() -> AwsError:
    return AwsError("InvalidNextTokenException", "Invalid NextToken.")


def _query_digest(account: str, region: str, attribute: tuple[str, str] | None, start: int, end: int) -> str:
    text = json.dumps([account, region, attribute, start, end], separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:32]
