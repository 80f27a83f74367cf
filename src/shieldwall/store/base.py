"""The durable store's interface: scoped records of registered models, read and written in transactions.

A record is addressed by (scope, kind, key): the scope says whose it is (partition, account, region), the kind
names a model registered with `shieldwall.store.codec.model`, and the key is the record's name or id within
that scope and kind. Backends (SQLite by default, PostgreSQL for shared deployments) implement `Reader`,
`Transaction` and `Store`; providers see only these classes and the typed repositories built on them.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import Any, Generic, NamedTuple, TypeVar, cast, overload

from shieldwall.store import codec

M = TypeVar("M")


class StoreError(Exception):
    """The store cannot be opened or used; the message says why and, where it can, how to fix it."""


class _ScopeFields(NamedTuple):
    partition: str
    account: str = ""
    region: str = ""


class Scope(_ScopeFields):
    """Whose a record is.

    account "" means partition-wide (S3 bucket names); region "" means account-wide (IAM). A tuple, because
    every cached read hashes one: a tuple hashes and compares in C.
    """

    __slots__ = ()

    def __new__(cls, partition: str, account: str = "", region: str = "") -> Scope:
        if not partition:
            raise StoreError("a scope needs a partition")
        if region and not account:
            raise StoreError(f"scope with region `{region}` needs an account")
        return super().__new__(cls, partition, account, region)

    @classmethod
    def partition_wide(cls, partition: str) -> Scope:
        return cls(partition)

    @classmethod
    def account_wide(cls, partition: str, account: str) -> Scope:
        return cls(partition, account)

    def account_scope(self) -> Scope:
        return Scope(self.partition, self.account)


def kind_name(kind: str | type[Any]) -> str:
    return kind if isinstance(kind, str) else codec.kind_of(kind)


class Reader(ABC):
    """Reads within one consistent snapshot."""

    @abstractmethod
    def _get(self, scope: Scope, kind: str, key: str) -> object | None: ...

    @abstractmethod
    def _list(
        self, scope: Scope, kind: str, prefix: str, after: str, limit: int | None
    ) -> list[tuple[str, object]]: ...

    @overload
    def get(self, scope: Scope, kind: type[M], key: str) -> M | None: ...
    @overload
    def get(self, scope: Scope, kind: str, key: str) -> object | None: ...
    def get(self, scope: Scope, kind: str | type[Any], key: str) -> object | None:
        return self._get(scope, kind_name(kind), key)

    @overload
    def list(
        self, scope: Scope, kind: type[M], *, prefix: str = "", after: str = "", limit: int | None = None
    ) -> list[tuple[str, M]]: ...
    @overload
    def list(
        self, scope: Scope, kind: str, *, prefix: str = "", after: str = "", limit: int | None = None
    ) -> list[tuple[str, object]]: ...
    def list(
        self,
        scope: Scope,
        kind: str | type[Any],
        *,
        prefix: str = "",
        after: str = "",
        limit: int | None = None,
    ) -> list[tuple[str, Any]]:
        """(key, model) pairs ordered by key: keys starting with `prefix`, strictly after `after`, at most
        `limit` of them.

        To page, pass the last key of one page as `after` of the next; ask for `limit + 1` to learn whether
        another page follows.
        """
        if limit is not None and limit < 0:
            raise StoreError(f"limit must not be negative, not {limit}")
        return self._list(scope, kind_name(kind), prefix, after, limit)

    def repo(self, model_cls: type[M], scope: Scope) -> ReadRepository[M]:
        return ReadRepository(self, model_cls, scope)


class Transaction(Reader):
    """Reads and writes that commit together or not at all."""

    @abstractmethod
    def _put(self, scope: Scope, kind: str, key: str, body: str) -> None: ...

    @abstractmethod
    def _delete(self, scope: Scope, kind: str, key: str) -> bool: ...

    def put(self, scope: Scope, record_key: str, model: object) -> None:
        """Create or replace the record `record_key` of `model`'s kind in `scope`."""
        kind, body = codec.encode(model)
        self._put(scope, kind, record_key, body)

    def delete(self, scope: Scope, kind: str | type[Any], key: str) -> bool:
        """Delete one record; False when there was none."""
        return self._delete(scope, kind_name(kind), key)

    def repo(self, model_cls: type[M], scope: Scope) -> Repository[M]:
        return Repository(self, model_cls, scope)


class Store(ABC):
    @abstractmethod
    def transaction(self) -> AbstractContextManager[Transaction]:
        """One unit of work: committed on normal exit, rolled back when the block raises."""

    @abstractmethod
    def read(self) -> AbstractContextManager[Reader]:
        """A read-only snapshot for reads outside a transaction."""

    @abstractmethod
    def reset(self) -> None:
        """Empty all state: the store is as if freshly created."""

    @abstractmethod
    def close(self) -> None: ...


class ReadRepository(Generic[M]):
    """The records of one model class in one scope."""

    __slots__ = ("_kind", "_model_cls", "_reader", "_scope")

    def __init__(self, reader: Reader, model_cls: type[M], scope: Scope) -> None:
        self._reader = reader
        self._model_cls = model_cls
        self._kind = codec.kind_of(model_cls)
        self._scope = scope

    @property
    def scope(self) -> Scope:
        return self._scope

    def get(self, key: str) -> M | None:
        return cast("M | None", self._reader.get(self._scope, self._kind, key))

    def list(self, *, prefix: str = "", after: str = "", limit: int | None = None) -> list[tuple[str, M]]:
        return cast(
            "list[tuple[str, M]]",
            self._reader.list(self._scope, self._kind, prefix=prefix, after=after, limit=limit),
        )


class Repository(ReadRepository[M]):
    __slots__ = ("_transaction",)

    def __init__(self, transaction: Transaction, model_cls: type[M], scope: Scope) -> None:
        super().__init__(transaction, model_cls, scope)
        self._transaction = transaction

    def put(self, key: str, model: M) -> None:
        if type(model) is not self._model_cls:
            raise StoreError(f"repository of `{self._kind}` cannot store a `{type(model).__name__}`")
        self._transaction.put(self._scope, key, model)

    def delete(self, key: str) -> bool:
        return self._transaction.delete(self._scope, self._kind, key)
