"""Aliases: CreateAlias, UpdateAlias, DeleteAlias, ListAliases.

An alias record and its key's `aliases` list change together in one transaction.
"""

from __future__ import annotations

from typing import Any

from shieldwall.services.base import Call, Params
from shieldwall.services.kms import errors
from shieldwall.services.kms.common import KmsBase, page, require_not_pending_deletion
from shieldwall.services.kms.keyref import alias_arn, check_alias_name, parse_key_ref
from shieldwall.services.kms.models import Alias, Key
from shieldwall.services.kms.records import (
    find_key,
    fresh_key,
    is_expired,
    purge,
    read_key,
    save_key,
)
from shieldwall.store.base import Transaction


def alias_entry(alias: Alias) -> dict[str, Any]:
    return {
        "AliasName": alias.name,
        "AliasArn": alias.arn,
        "TargetKeyId": alias.target_key_id,
        "CreationDate": alias.creation_date,
        "LastUpdatedDate": alias.last_updated,
    }


def _same_kind(old: Key, new: Key) -> bool:
    """UpdateAlias may move an alias only between keys of one type and key usage."""

    def kind(key: Key) -> str:
        return "symmetric" if key.key_spec == "SYMMETRIC_DEFAULT" else key.key_spec.split("_", 1)[0]

    return kind(old) == kind(new) and old.key_usage == new.key_usage


class AliasesMixin(KmsBase):
    def create_alias(self, call: Call, params: Params) -> Params:
        name = params["AliasName"]
        check_alias_name(name, creating=True)
        target = self.key(call, params["TargetKeyId"])
        require_not_pending_deletion(target)
        now = call.now()
        arn = alias_arn(call.partition, call.region, call.account_id, name)
        with self.store.transaction() as tx:
            if tx.get(call.regional_scope, Alias, name) is not None:
                raise errors.already_exists(f"An alias with the name {arn} already exists")
            tx.put(call.regional_scope, name, Alias(name, arn, target.key_id, now, now))
            self._relink(tx, target, add=name)
        return {}

    def update_alias(self, call: Call, params: Params) -> Params:
        name = params["AliasName"]
        check_alias_name(name)
        alias = self._alias(call, name)
        target = self.key(call, params["TargetKeyId"])
        require_not_pending_deletion(target)
        current = read_key(self.store, call.regional_scope, alias.target_key_id)
        if current is not None and not _same_kind(current, target):
            raise errors.validation(
                f"{name} is associated with a key of a different type or key usage than {target.arn}"
            )
        with self.store.transaction() as tx:
            stored = tx.get(call.regional_scope, Alias, name)
            if stored is None:
                raise errors.alias_not_found(alias.arn)
            if current is not None and stored.target_key_id != target.key_id:
                self._relink(tx, current, remove=name)
            stored.target_key_id = target.key_id
            stored.last_updated = call.now()
            tx.put(call.regional_scope, name, stored)
            self._relink(tx, target, add=name)
        return {}

    def delete_alias(self, call: Call, params: Params) -> Params:
        name = params["AliasName"]
        check_alias_name(name)
        alias = self._alias(call, name)
        current = read_key(self.store, call.regional_scope, alias.target_key_id)
        with self.store.transaction() as tx:
            tx.delete(call.regional_scope, Alias, name)
            if current is not None:
                self._relink(tx, current, remove=name)
        return {}

    def list_aliases(self, call: Call, params: Params) -> Params:
        now = call.now()
        if params.get("KeyId"):
            ref = parse_key_ref(params["KeyId"], call, aliases=False)
            if ref.account != call.account_id:
                raise errors.key_not_found(ref.arn)
            key = find_key(self.store, ref, now)
            with self.store.read() as reader:
                found = [reader.get(call.regional_scope, Alias, name) for name in key.aliases]
            keyed = sorted((alias.name, alias) for alias in found if alias is not None)
        else:
            with self.store.read() as reader:
                keyed = reader.list(call.regional_scope, Alias)
            keyed = [(name, alias) for name, alias in keyed if self._live_target(call, alias)]
        chosen, info = page(keyed, params, 50, 100)
        return {"Aliases": [alias_entry(alias) for alias in chosen], **info}

    def _live_target(self, call: Call, alias: Alias) -> bool:
        key = read_key(self.store, call.regional_scope, alias.target_key_id)
        if key is not None and is_expired(key, call.now()):
            purge(self.store, key)
            return False
        return key is not None

    def _alias(self, call: Call, name: str) -> Alias:
        with self.store.read() as reader:
            alias = reader.get(call.regional_scope, Alias, name)
        if alias is None:
            raise errors.alias_not_found(alias_arn(call.partition, call.region, call.account_id, name))
        return alias

    def _relink(
        self, tx: Transaction, key: Key, *, add: str | None = None, remove: str | None = None
    ) -> None:
        stored = fresh_key(tx, key)
        names = [name for name in stored.aliases if name not in (add, remove)]
        stored.aliases = sorted([*names, add]) if add else names
        save_key(tx, stored)
