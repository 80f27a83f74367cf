"""What the authorizer reads from the store, reused until the store next changes.

A signed request of an IAM user needs the user's compiled policies and, when a policy asks, the tags of the user
and of the resource. Reading them costs several record decodes per request, yet they change only when a record
is written, and every record write changes `SqliteStore.changes()` (another worker process's write from the
next request on, when the server observes it). So each entry is kept while that token is unchanged, and the
first request after any write (a new policy version, a detached policy, a tag) reads afresh: changes are
visible on the very next request, as in IAM.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import TypeVar

from shieldwall import arn
from shieldwall.auth.principal import Principal
from shieldwall.policy.authorizer import PolicySet
from shieldwall.policy.document import Policy, PolicyError, compile_document, parse_policy
from shieldwall.services.iam import tag_context
from shieldwall.services.iam.principal_policies import managed_policy, policies_of
from shieldwall.services.organizations.structure import OrgContext, org_context
from shieldwall.store.base import Reader, Scope
from shieldwall.store.sqlite import SqliteStore

K = TypeVar("K")
V = TypeVar("V")
Owner = tuple[str, str, str, str]  # partition, account, "user" | "role", lower-cased name

_LIMIT = 10_000
NO_POLICIES = PolicySet()
# What a session whose session policies allow nothing is limited by: present, so the walk requires an Allow from
# it, and empty, so it never gives one (a federated user without a session policy; a deleted managed policy).
ALLOWS_NOTHING = compile_document({"Version": "2012-10-17", "Statement": []}, "session", "no session policy")


class AuthorizationCache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._token: object = None
        self._policies: dict[Owner, PolicySet] = {}
        self._principal_tags: dict[Owner, Mapping[str, str]] = {}
        self._resource_tags: dict[str, Mapping[str, str]] = {}
        self._sessions: dict[str, tuple[Policy, ...]] = {}
        self._orgs: dict[tuple[str, str], OrgContext | None] = {}
        self._composed: dict[tuple[int, ...], PolicySet] = {}

    def policies(self, store: SqliteStore, owner: Owner) -> PolicySet:
        """The principal's identity-based policies and boundary; the same object while nothing changes (the
        engine keys its compiled plan by it)."""
        return self._read(store, self._policies, owner, lambda reader: _policy_set(reader, owner))

    def principal_tags(self, store: SqliteStore, owner: Owner) -> Mapping[str, str]:
        return self._read(
            store, self._principal_tags, owner, lambda reader: tag_context.principal_tags(reader, *owner)
        )

    def resource_tags(self, store: SqliteStore, resource: str) -> Mapping[str, str]:
        return self._read(
            store, self._resource_tags, resource, lambda reader: tag_context.resource_tags(reader, resource)
        )

    def session_policies(self, store: SqliteStore, principal: Principal) -> tuple[Policy, ...]:
        """A session's session policies, compiled (managed ones at their current default version)."""
        session = principal.session
        if session is None:
            return ()
        if not session.has_session_policy:
            return (ALLOWS_NOTHING,) if principal.kind == "federated-user" else ()
        return self._read(
            store,
            self._sessions,
            principal.access_key_id,
            lambda reader: _session_policies(reader, principal),
        )

    def org_context(self, store: SqliteStore, partition: str, account: str) -> OrgContext | None:
        """The account's organization, path and SCP/RCP levels; None outside any organization."""
        key = (partition, account)
        token = store.changes()
        if token != self._token:
            self._renew(token)
        if key in self._orgs:
            return self._orgs[key]
        with store.read() as reader:
            found = org_context(reader, partition, account)
        with self._lock:
            if store.changes() == token == self._token:
                if len(self._orgs) >= _LIMIT:
                    self._orgs.clear()
                self._orgs[key] = found
        return found

    def compose(
        self,
        base: PolicySet,
        session: tuple[Policy, ...],
        resource: Policy | None,
        required: bool,
        scps: tuple[tuple[Policy, ...], ...] = (),
        rcps: tuple[tuple[Policy, ...], ...] = (),
    ) -> PolicySet:
        """`base` with a session's policies, a resource's own policy and the organization's ceilings: the same
        object for the same parts, so the engine finds its compiled plan at once."""
        if not session and resource is None and not required and not scps and not rcps:
            return base
        key = (id(base), id(session), id(resource), required, id(scps), id(rcps))
        found = self._composed.get(key)
        if (
            found is not None
            and found.identity is base.identity
            and found.resource is resource
            and found.scps is scps
            and found.rcps is rcps
        ):
            return found
        composed = PolicySet(
            identity=base.identity,
            boundary=base.boundary,
            session=session,
            resource=resource,
            resource_required=required,
            scps=scps,
            rcps=rcps,
        )
        with self._lock:
            if len(self._composed) >= _LIMIT:
                self._composed.clear()
            self._composed[key] = composed
        return composed

    def clear(self) -> None:
        self._renew(None)

    def _renew(self, token: object) -> None:
        with self._lock:
            self._token = token
            self._policies.clear()
            self._principal_tags.clear()
            self._resource_tags.clear()
            self._sessions.clear()
            self._orgs.clear()
            self._composed.clear()

    def _read(self, store: SqliteStore, entries: dict[K, V], key: K, load: Callable[[Reader], V]) -> V:
        token = store.changes()
        if token != self._token:
            self._renew(token)
        found = entries.get(key)
        if found is not None:
            return found
        with store.read() as reader:
            found = load(reader)
        with self._lock:
            if store.changes() == token == self._token:  # nothing was written while it was read
                if len(entries) >= _LIMIT:
                    entries.clear()
                entries[key] = found
        return found


def _policy_set(reader: Reader, owner: Owner) -> PolicySet:
    found = policies_of(reader, *owner)
    return PolicySet(identity=found.identity, boundary=found.boundary)


def _session_policies(reader: Reader, principal: Principal) -> tuple[Policy, ...]:
    session = principal.session
    assert session is not None
    found: list[Policy] = []
    if session.inline_policy is not None:
        try:
            found.append(parse_policy(session.inline_policy, "session", name="inline session policy"))
        except PolicyError:
            found.append(
                ALLOWS_NOTHING
            )  # STS validated it when issuing: fail closed if the grammar tightened
    for policy_arn in session.policy_arns:
        scope = Scope(principal.partition, arn.parse(policy_arn).account or principal.account_id)
        policy = managed_policy(reader, scope, policy_arn, "session")
        found.append(policy if policy is not None else ALLOWS_NOTHING)
    return tuple(found)
