from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Literal

import pytest

from shieldwall.store import codec
from shieldwall.store.codec import CodecError


class Color(enum.Enum):
    RED = "red"
    BLUE = "blue"


@codec.model("codec-test.tag")
@dataclass
class Tag:
    key: str
    value: str


@codec.model("codec-test.everything")
@dataclass
class Everything:
    name: str
    count: int
    ratio: float
    enabled: bool
    created: datetime
    material: bytes
    tags: list[Tag]
    labels: dict[str, str]
    history: tuple[int, ...]
    color: Color
    state: Literal["Enabled", "Disabled"]
    document: Any
    nested: Tag | None = None
    missing: str | None = None
    extras: dict[str, list[datetime]] = field(default_factory=dict)


def upgrade_trail_v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    data["s3_bucket"] = data.pop("bucket")
    return data


def upgrade_trail_v2_to_v3(data: dict[str, Any]) -> dict[str, Any]:
    data.setdefault("is_logging", False)
    return data


@codec.model("codec-test.trail", version=3, upgrades={1: upgrade_trail_v1_to_v2, 2: upgrade_trail_v2_to_v3})
@dataclass
class Trail:
    name: str
    s3_bucket: str
    is_logging: bool


@codec.model("codec-test.holder", version=2)
@dataclass
class Holder:
    trail: Trail


@dataclass
class Unregistered:
    name: str


@codec.model("codec-test.outer")
@dataclass
class Outer:
    inner: Unregistered


def sample() -> Everything:
    return Everything(
        name="trail-ü",
        count=3,
        ratio=0.5,
        enabled=True,
        created=datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC),
        material=bytes(range(256)),
        tags=[Tag("team", "sec"), Tag("env", "prod")],
        labels={"a": "b"},
        history=(1, 2, 3),
        color=Color.BLUE,
        state="Disabled",
        document={"Version": "2012-10-17", "Statement": [{"Effect": "Allow"}]},
        nested=Tag("k", "v"),
        extras={"times": [datetime(2020, 1, 1, tzinfo=UTC)]},
    )


def test_every_supported_field_type_round_trips() -> None:
    original = sample()
    kind, text = codec.encode(original)
    assert kind == "codec-test.everything"
    assert codec.decode(kind, text) == original


def test_encoded_json_is_plain_and_versioned() -> None:
    data = codec.encode_data(sample())
    assert data["@v"] == 1
    assert data["created"] == "2024-05-06T07:08:09.123456Z"
    assert data["material"].startswith("AAECAw")
    assert data["tags"][0] == {"@v": 1, "key": "team", "value": "sec"}
    assert data["color"] == "blue"
    assert data["history"] == [1, 2, 3]


def test_datetimes_are_stored_in_utc() -> None:
    original = sample()
    original.created = datetime(2024, 1, 1, 12, tzinfo=timezone(timedelta(hours=2)))
    decoded = codec.decode(*codec.encode(original))
    assert isinstance(decoded, Everything)
    assert decoded.created == original.created
    assert decoded.created.utcoffset() == timedelta(0)
    assert codec.encode_data(original)["created"] == "2024-01-01T10:00:00.000000Z"


def test_naive_datetime_is_refused() -> None:
    original = sample()
    original.created = datetime(2024, 1, 1)
    with pytest.raises(CodecError, match="naive datetime"):
        codec.encode(original)


def test_stored_version_is_upgraded_step_by_step() -> None:
    decoded = codec.decode("codec-test.trail", '{"@v": 1, "name": "t", "bucket": "logs"}')
    assert decoded == Trail(name="t", s3_bucket="logs", is_logging=False)


def test_current_version_is_not_upgraded() -> None:
    decoded = codec.decode("codec-test.trail", '{"@v": 3, "name": "t", "s3_bucket": "b", "is_logging": true}')
    assert decoded == Trail("t", "b", True)


def test_nested_model_upgrades_on_its_own_version() -> None:
    text = '{"@v": 2, "trail": {"@v": 1, "name": "t", "bucket": "logs"}}'
    assert codec.decode("codec-test.holder", text) == Holder(Trail("t", "logs", False))


def test_holder_without_upgrade_from_version_one_fails_loudly() -> None:
    with pytest.raises(CodecError, match=r"no upgrade for `codec-test\.holder` from version 1 to 2"):
        codec.decode(
            "codec-test.holder",
            '{"@v": 1, "trail": {"@v": 3, "name": "t", "s3_bucket": "b", "is_logging": true}}',
        )


def test_unknown_kind_fails_loudly() -> None:
    with pytest.raises(CodecError, match=r"unknown model kind `codec-test\.nope`"):
        codec.decode("codec-test.nope", '{"@v": 1}')


def test_version_newer_than_code_fails_loudly() -> None:
    with pytest.raises(CodecError, match="version 9, newer than this shieldwall knows"):
        codec.decode("codec-test.trail", '{"@v": 9, "name": "t", "s3_bucket": "b", "is_logging": true}')


def test_record_without_version_fails() -> None:
    with pytest.raises(CodecError, match="has no version"):
        codec.decode("codec-test.tag", '{"key": "a", "value": "b"}')


def test_unknown_stored_field_fails() -> None:
    with pytest.raises(CodecError, match="unknown fields: colour"):
        codec.decode("codec-test.tag", '{"@v": 1, "key": "a", "value": "b", "colour": "red"}')


def test_missing_required_field_fails() -> None:
    with pytest.raises(CodecError, match="lacks field `value`"):
        codec.decode("codec-test.tag", '{"@v": 1, "key": "a"}')


def test_missing_optional_field_takes_its_default() -> None:
    data = codec.encode_data(sample())
    del data["extras"], data["missing"]
    decoded = codec.decode_data("codec-test.everything", data)
    assert isinstance(decoded, Everything)
    assert decoded.extras == {}
    assert decoded.missing is None


@pytest.mark.parametrize(
    ("field_name", "bad"),
    [
        ("count", "3"),
        ("count", True),
        ("enabled", 1),
        ("name", 5),
        ("material", "not base64!"),
        ("state", "On"),
    ],
)
def test_value_of_the_wrong_type_is_refused_on_decode(field_name: str, bad: object) -> None:
    data = codec.encode_data(sample())
    data[field_name] = bad
    with pytest.raises(CodecError, match=f"everything`.{field_name}"):
        codec.decode_data("codec-test.everything", data)


def test_value_of_the_wrong_type_is_refused_on_encode() -> None:
    broken = sample()
    broken.count = "three"  # type: ignore[assignment]
    with pytest.raises(CodecError, match="expected int"):
        codec.encode(broken)


def test_corrupt_json_fails_with_codec_error() -> None:
    with pytest.raises(CodecError, match="not valid JSON"):
        codec.decode("codec-test.tag", "{broken")


def test_unregistered_model_cannot_be_encoded() -> None:
    @dataclass
    class Loose:
        name: str

    with pytest.raises(CodecError, match="not a registered model"):
        codec.encode(Loose("x"))


def test_kind_registered_twice_by_different_classes_fails() -> None:
    with pytest.raises(CodecError, match="already registered"):

        @codec.model("codec-test.tag")
        @dataclass
        class Impostor:
            key: str


def test_only_dataclasses_can_be_models() -> None:
    with pytest.raises(CodecError, match="only dataclasses"):
        codec.model("codec-test.plain")(int)


def test_upgrade_past_the_current_version_is_refused_at_registration() -> None:
    with pytest.raises(CodecError, match="does not lead to version 2"):
        codec.model("codec-test.bad-upgrade", version=2, upgrades={2: upgrade_trail_v1_to_v2})


def test_unsupported_field_type_is_reported_on_first_use() -> None:
    @codec.model("codec-test.set-holder")
    @dataclass
    class SetHolder:
        items: set[str]

    with pytest.raises(CodecError, match="has no JSON codec"):
        codec.encode(SetHolder({"a"}))


def test_unregistered_nested_dataclass_is_refused() -> None:
    with pytest.raises(CodecError, match="nested dataclass `Unregistered` is not registered"):
        codec.encode(Outer(Unregistered("x")))
