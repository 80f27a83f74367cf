"""Durable scoped state: the `Store` interface, the SQLite backend and the versioned model codec."""

from shieldwall.store.base import Reader, ReadRepository, Repository, Scope, Store, StoreError, Transaction
from shieldwall.store.codec import CodecError, model

__all__ = [
    "CodecError",
    "ReadRepository",
    "Reader",
    "Repository",
    "Scope",
    "Store",
    "StoreError",
    "Transaction",
    "model",
]
