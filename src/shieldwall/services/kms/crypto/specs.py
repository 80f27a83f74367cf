"""The KMS key spec table, as data: what each key spec may be used for and with which algorithms.

`SPECS[key_spec].usages` maps each KeyUsage the spec allows to the algorithms of that usage, in the order
DescribeKey lists them (`ALGORITHM_FIELDS` names the DescribeKey member of each usage). The other tables give
the sizes the service validates: HMAC key lengths, data key pair specs, import wrapping keys and algorithms.
Source: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import InvalidAlgorithm, UnsupportedSpec

ENCRYPT_DECRYPT = "ENCRYPT_DECRYPT"
SIGN_VERIFY = "SIGN_VERIFY"
GENERATE_VERIFY_MAC = "GENERATE_VERIFY_MAC"
KEY_AGREEMENT = "KEY_AGREEMENT"

ALGORITHM_FIELDS: dict[str, str] = {
    ENCRYPT_DECRYPT: "EncryptionAlgorithms",
    SIGN_VERIFY: "SigningAlgorithms",
    GENERATE_VERIFY_MAC: "MacAlgorithms",
    KEY_AGREEMENT: "KeyAgreementAlgorithms",
}

SYMMETRIC_DEFAULT = "SYMMETRIC_DEFAULT"
RAW = "RAW"
DIGEST = "DIGEST"
MESSAGE_TYPES = (RAW, DIGEST)
MAX_MESSAGE_BYTES = 4096

_RSA_ENCRYPTION = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
_RSA_SIGNING = (
    "RSASSA_PKCS1_V1_5_SHA_256",
    "RSASSA_PKCS1_V1_5_SHA_384",
    "RSASSA_PKCS1_V1_5_SHA_512",
    "RSASSA_PSS_SHA_256",
    "RSASSA_PSS_SHA_384",
    "RSASSA_PSS_SHA_512",
)


@dataclass(frozen=True)
class SpecInfo:
    key_spec: str
    usages: dict[str, tuple[str, ...]]

    def algorithms(self, usage: str) -> tuple[str, ...]:
        return self.usages.get(usage, ())


def _rsa(key_spec: str) -> SpecInfo:
    return SpecInfo(key_spec, {ENCRYPT_DECRYPT: _RSA_ENCRYPTION, SIGN_VERIFY: _RSA_SIGNING})


def _ecc(key_spec: str, signing: str, *, agreement: bool) -> SpecInfo:
    usages: dict[str, tuple[str, ...]] = {SIGN_VERIFY: (signing,)}
    if agreement:
        usages[KEY_AGREEMENT] = ("ECDH",)
    return SpecInfo(key_spec, usages)


def _hmac(key_spec: str, algorithm: str) -> SpecInfo:
    return SpecInfo(key_spec, {GENERATE_VERIFY_MAC: (algorithm,)})


# ECC_SECG_P256K1 is a signing-only spec: AWS documents key agreement for the NIST curves (and SM2) alone.
SPECS: dict[str, SpecInfo] = {
    SYMMETRIC_DEFAULT: SpecInfo(SYMMETRIC_DEFAULT, {ENCRYPT_DECRYPT: (SYMMETRIC_DEFAULT,)}),
    "RSA_2048": _rsa("RSA_2048"),
    "RSA_3072": _rsa("RSA_3072"),
    "RSA_4096": _rsa("RSA_4096"),
    "ECC_NIST_P256": _ecc("ECC_NIST_P256", "ECDSA_SHA_256", agreement=True),
    "ECC_NIST_P384": _ecc("ECC_NIST_P384", "ECDSA_SHA_384", agreement=True),
    "ECC_NIST_P521": _ecc("ECC_NIST_P521", "ECDSA_SHA_512", agreement=True),
    "ECC_SECG_P256K1": _ecc("ECC_SECG_P256K1", "ECDSA_SHA_256", agreement=False),
    "HMAC_224": _hmac("HMAC_224", "HMAC_SHA_224"),
    "HMAC_256": _hmac("HMAC_256", "HMAC_SHA_256"),
    "HMAC_384": _hmac("HMAC_384", "HMAC_SHA_384"),
    "HMAC_512": _hmac("HMAC_512", "HMAC_SHA_512"),
}

RSA_BITS: dict[str, int] = {"RSA_2048": 2048, "RSA_3072": 3072, "RSA_4096": 4096}
ECC_SPECS = ("ECC_NIST_P256", "ECC_NIST_P384", "ECC_NIST_P521", "ECC_SECG_P256K1")
HMAC_SPECS = ("HMAC_224", "HMAC_256", "HMAC_384", "HMAC_512")

# Generated HMAC keys are as long as the digest; imported HMAC material may be longer, up to the block size.
HMAC_KEY_BYTES: dict[str, int] = {"HMAC_224": 28, "HMAC_256": 32, "HMAC_384": 48, "HMAC_512": 64}
HMAC_IMPORT_BYTES: dict[str, tuple[int, int]] = {
    "HMAC_224": (28, 64),
    "HMAC_256": (32, 64),
    "HMAC_384": (48, 128),
    "HMAC_512": (64, 128),
}
SYMMETRIC_KEY_BYTES = 32

DATA_KEY_PAIR_SPECS = (*RSA_BITS, *ECC_SPECS)

WRAPPING_KEY_SPECS: dict[str, int] = dict(RSA_BITS)
RSAES_WRAPPING = ("RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256")
RSA_AES_WRAPPING = ("RSA_AES_KEY_WRAP_SHA_1", "RSA_AES_KEY_WRAP_SHA_256")
WRAPPING_ALGORITHMS = (*RSAES_WRAPPING, *RSA_AES_WRAPPING)


def spec_info(key_spec: str) -> SpecInfo:
    info = SPECS.get(key_spec)
    if info is None:
        raise UnsupportedSpec(f"key spec {key_spec} is not supported")
    return info


def require_algorithm(key_spec: str, usage: str, algorithm: str) -> None:
    """Raise unless `algorithm` is one of the spec's algorithms for `usage`."""
    if algorithm not in spec_info(key_spec).algorithms(usage):
        raise InvalidAlgorithm(f"algorithm {algorithm} is not valid for key spec {key_spec} ({usage})")


def algorithm_fields(key_spec: str, usage: str) -> dict[str, list[str]]:
    """DescribeKey's algorithm member for a key: e.g. `{"SigningAlgorithms": [...]}`."""
    algorithms = spec_info(key_spec).algorithms(usage)
    if not algorithms:
        raise InvalidAlgorithm(f"key usage {usage} is not valid for key spec {key_spec}")
    return {ALGORITHM_FIELDS[usage]: list(algorithms)}


def wrapping_algorithms(key_spec: str) -> tuple[str, ...]:
    """Import wrapping algorithms valid for material of `key_spec`: RSA private keys need an RSA_AES wrap."""
    spec_info(key_spec)
    return RSA_AES_WRAPPING if key_spec in RSA_BITS else WRAPPING_ALGORITHMS


def check_wrapping(key_spec: str, wrapping_key_spec: str, algorithm: str) -> None:
    """Raise unless material of `key_spec` can be imported under this wrapping key spec and algorithm."""
    if wrapping_key_spec not in WRAPPING_KEY_SPECS:
        raise UnsupportedSpec(f"wrapping key spec {wrapping_key_spec} is not supported")
    if algorithm not in wrapping_algorithms(key_spec):
        raise InvalidAlgorithm(f"wrapping algorithm {algorithm} cannot wrap key material of {key_spec}")
    if key_spec == "ECC_NIST_P521" and wrapping_key_spec == "RSA_2048" and algorithm in RSAES_WRAPPING:
        raise InvalidAlgorithm(
            f"wrapping algorithm {algorithm} with RSA_2048 cannot wrap ECC_NIST_P521 material"
        )
