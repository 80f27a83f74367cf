"""Key material at rest and in use: sealed under the root key in the record, opened on use and kept in memory.

Material is sealed with purpose "kms.key-material" and associated data `<key id>/<version>`, so a sealed
version copied onto another key, or onto another version of the same key, does not open. Opened material is
cached by (key id, version, material id): opening costs an AES-GCM decryption and the hot path (Encrypt,
Decrypt) would otherwise pay it on every request.
"""

from __future__ import annotations

import threading
from datetime import datetime

from shieldwall import ids
from shieldwall.errors import internal_error
from shieldwall.services.kms import crypto
from shieldwall.services.kms.models import Key, Material
from shieldwall.store.sealing import Sealer, SealingError

PURPOSE = "kms.key-material"
_CACHE_LIMIT = 4096
_cache: dict[tuple[str, int, str], bytes] = {}
_lock = threading.Lock()


def material_aad(key_id: str, version: int) -> bytes:
    return f"{key_id}/{version}".encode("ascii")


def new_material(
    sealer: Sealer,
    key: Key,
    now: datetime,
    *,
    pool: crypto.RsaPool | None = None,
    rotation_type: str | None = None,
) -> Material:
    """A new version of `key`'s material, generated here (origin AWS_KMS), sealed, not yet added to the key."""
    version = max((material.version for material in key.materials), default=0) + 1
    plain = crypto.generate_material(key.key_spec, pool)
    return Material(
        version=version,
        material_id=ids.token_bytes(32).hex(),
        sealed=sealer.seal(plain, PURPOSE, material_aad(key.key_id, version)),
        origin="AWS_KMS",
        created=now,
        rotation_type=rotation_type,
    )


def add_material(key: Key, material: Material) -> None:
    key.materials = [*key.materials, material]
    key.current_version = material.version


def open_material(sealer: Sealer, key: Key, material: Material) -> bytes:
    """The plaintext material of one version; a sealed value that does not open is a server fault, not the caller's."""
    cache_key = (key.key_id, material.version, material.material_id)
    found = _cache.get(cache_key)
    if found is not None:
        return found
    try:
        plain = sealer.open_sealed(material.sealed, PURPOSE, material_aad(key.key_id, material.version))
    except SealingError:
        raise internal_error() from None
    with _lock:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        _cache[cache_key] = plain
    return plain


def forget(key_id: str) -> None:
    """Drop a deleted key's opened material from memory."""
    with _lock:
        for cache_key in [entry for entry in _cache if entry[0] == key_id]:
            del _cache[cache_key]
