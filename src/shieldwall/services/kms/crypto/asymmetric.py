"""RSA encryption, RSA and ECDSA signatures, and ECDH, with the parameters AWS KMS uses.

RSASSA-PSS uses MGF1 with the message digest and a salt as long as the digest. ECDSA signatures are DER
encoded, as `cryptography` produces and KMS returns them. RSA encryption is OAEP with MGF1 over the same
digest and no label; the longest plaintext is the modulus size minus twice the digest size minus two.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

from .errors import InvalidCiphertext, InvalidMessage, InvalidPublicKey, PlaintextTooLong
from .primitives import DIGESTS, load_ec_key, load_private_key, load_rsa_key
from .specs import (
    DIGEST,
    ENCRYPT_DECRYPT,
    KEY_AGREEMENT,
    MAX_MESSAGE_BYTES,
    RAW,
    SIGN_VERIFY,
    require_algorithm,
)


def rsa_encrypt(key_spec: str, material: bytes, algorithm: str, plaintext: bytes) -> bytes:
    require_algorithm(key_spec, ENCRYPT_DECRYPT, algorithm)
    key = load_rsa_key(key_spec, material)
    digest = DIGESTS[algorithm]
    limit = max_plaintext_bytes(key.key_size, digest)
    if len(plaintext) > limit:
        raise PlaintextTooLong(
            f"plaintext of {len(plaintext)} bytes is longer than the {limit} bytes {key_spec} "
            f"can encrypt with {algorithm}"
        )
    return key.public_key().encrypt(plaintext, _oaep(digest))


def rsa_decrypt(key_spec: str, material: bytes, algorithm: str, ciphertext: bytes) -> bytes:
    require_algorithm(key_spec, ENCRYPT_DECRYPT, algorithm)
    return oaep_decrypt(load_rsa_key(key_spec, material), DIGESTS[algorithm], ciphertext)


def oaep_decrypt(key: rsa.RSAPrivateKey, digest: hashes.HashAlgorithm, ciphertext: bytes) -> bytes:
    if len(ciphertext) != key.key_size // 8:
        raise InvalidCiphertext("the ciphertext is not the length of the key's modulus")
    try:
        return key.decrypt(ciphertext, _oaep(digest))
    except ValueError:
        raise InvalidCiphertext("the ciphertext does not decrypt under this key and algorithm") from None


def max_plaintext_bytes(key_bits: int, digest: hashes.HashAlgorithm) -> int:
    return key_bits // 8 - 2 * digest.digest_size - 2


def sign(key_spec: str, material: bytes, algorithm: str, message: bytes, message_type: str) -> bytes:
    require_algorithm(key_spec, SIGN_VERIFY, algorithm)
    digest_algorithm = DIGESTS[algorithm]
    digest = _message_digest(algorithm, digest_algorithm, message, message_type)
    key = load_private_key(key_spec, material)
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(digest, _signature_padding(algorithm, digest_algorithm), Prehashed(digest_algorithm))
    return key.sign(digest, ec.ECDSA(Prehashed(digest_algorithm)))


def verify(
    key_spec: str, material: bytes, algorithm: str, message: bytes, message_type: str, signature: bytes
) -> bool:
    """True when `signature` is valid; False for any other signature, malformed ones included."""
    require_algorithm(key_spec, SIGN_VERIFY, algorithm)
    digest_algorithm = DIGESTS[algorithm]
    digest = _message_digest(algorithm, digest_algorithm, message, message_type)
    public = load_private_key(key_spec, material).public_key()
    try:
        if isinstance(public, rsa.RSAPublicKey):
            pad = _signature_padding(algorithm, digest_algorithm)
            public.verify(signature, digest, pad, Prehashed(digest_algorithm))
        else:
            public.verify(signature, digest, ec.ECDSA(Prehashed(digest_algorithm)))
    except (InvalidSignature, ValueError):
        return False
    return True


def derive_shared_secret(key_spec: str, material: bytes, peer_public_der: bytes) -> bytes:
    """The raw ECDH shared secret (the x coordinate) of the key and a peer key on the same curve."""
    require_algorithm(key_spec, KEY_AGREEMENT, "ECDH")
    key = load_ec_key(key_spec, material)
    peer = _load_peer_key(peer_public_der)
    if peer.curve.name != key.curve.name:
        raise InvalidPublicKey(f"the public key is not on the curve of key spec {key_spec}")
    return key.exchange(ec.ECDH(), peer)


def _message_digest(
    algorithm: str, digest_algorithm: hashes.HashAlgorithm, message: bytes, message_type: str
) -> bytes:
    if message_type == RAW:
        if len(message) > MAX_MESSAGE_BYTES:
            raise InvalidMessage(f"a RAW message must be at most {MAX_MESSAGE_BYTES} bytes")
        hasher = hashes.Hash(digest_algorithm)
        hasher.update(message)
        return hasher.finalize()
    if message_type == DIGEST:
        if len(message) != digest_algorithm.digest_size:
            raise InvalidMessage(f"Digest is invalid length for algorithm {algorithm}.")
        return message
    raise InvalidMessage(f"message type {message_type} is not valid for algorithm {algorithm}")


def _signature_padding(algorithm: str, digest: hashes.HashAlgorithm) -> padding.AsymmetricPadding:
    if algorithm.startswith("RSASSA_PSS_"):
        return padding.PSS(mgf=padding.MGF1(digest), salt_length=digest.digest_size)
    return padding.PKCS1v15()


def _oaep(digest: hashes.HashAlgorithm) -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(digest), algorithm=digest, label=None)


def _load_peer_key(peer_public_der: bytes) -> ec.EllipticCurvePublicKey:
    try:
        peer = serialization.load_der_public_key(peer_public_der)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InvalidPublicKey("the public key is not a DER-encoded SubjectPublicKeyInfo") from None
    if not isinstance(peer, ec.EllipticCurvePublicKey):
        raise InvalidPublicKey("the public key is not an elliptic curve public key")
    return peer
