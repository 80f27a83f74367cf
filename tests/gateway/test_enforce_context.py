"""The global condition keys of a request, as AWS documents their presence, and their lazy families."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shieldwall.auth.principal import ANONYMOUS, Principal
from shieldwall.policy.context import (
    ConditionContext,
    global_keys,
    principal_keys,
    request_keys,
    request_tag_keys,
    tag_keys,
)

ROOT = Principal("root", "111122223333", "arn:aws:iam::111122223333:root", "111122223333")
ALICE = Principal("user", "111122223333", "arn:aws:iam::111122223333:user/dev/alice", "AIDAEXAMPLE")
SESSION = Principal(
    "assumed-role", "111122223333", "arn:aws:sts::111122223333:assumed-role/Builder/ci", "AROAEXAMPLE:ci"
)


def test_root_user_is_an_account_principal_without_a_username() -> None:
    keys = principal_keys(ROOT)
    assert keys["aws:principaltype"] == ("Account",)
    assert keys["aws:principalarn"] == ("arn:aws:iam::111122223333:root",)
    assert keys["aws:userid"] == ("111122223333",)
    assert "aws:username" not in keys


def test_iam_user_has_its_name_id_arn_and_account() -> None:
    keys = principal_keys(ALICE)
    assert keys["aws:principaltype"] == ("User",)
    assert keys["aws:username"] == ("alice",)
    assert keys["aws:userid"] == ("AIDAEXAMPLE",)
    assert keys["aws:principalarn"] == ("arn:aws:iam::111122223333:user/dev/alice",)
    assert keys["aws:principalaccount"] == ("111122223333",)
    assert keys["aws:principalisawsservice"] == ("false",)


def test_anonymous_caller_has_only_its_principal_type() -> None:
    assert dict(principal_keys(ANONYMOUS)) == {"aws:principaltype": ("Anonymous",)}


def test_role_session_principal_arn_is_the_role_and_it_has_no_username() -> None:
    keys = principal_keys(SESSION)
    assert keys["aws:principaltype"] == ("AssumedRole",)
    assert keys["aws:principalarn"] == ("arn:aws:iam::111122223333:role/Builder",)
    assert keys["aws:userid"] == ("AROAEXAMPLE:ci",)
    assert "aws:username" not in keys


def test_request_keys_carry_time_origin_region_and_plain_http() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    keys = request_keys(received_at=when, source_ip="127.0.0.1", region="eu-west-1", user_agent="Boto3/1.35")
    assert keys["aws:currenttime"] == ("2030-01-02T03:04:05Z",)
    assert keys["aws:epochtime"] == (str(int(when.timestamp())),)
    assert keys["aws:sourceip"] == ("127.0.0.1",)
    assert keys["aws:requestedregion"] == ("eu-west-1",)
    assert keys["aws:securetransport"] == ("false",)
    assert keys["aws:viaawsservice"] == ("false",)
    assert keys["aws:useragent"] == ("Boto3/1.35",)


def test_long_term_keys_carry_no_mfa_token_or_called_via_keys() -> None:
    keys = request_keys(received_at=datetime.now(UTC), source_ip="::1", region="us-east-1", user_agent=None)
    everything = {**keys, **principal_keys(ALICE)}
    for absent in (
        "aws:multifactorauthpresent",
        "aws:multifactorauthage",
        "aws:tokenissuetime",
        "aws:calledvia",
        "aws:useragent",
        "aws:referer",
    ):
        assert absent not in everything


def test_request_tags_come_from_key_value_lists_and_maps() -> None:
    listed = request_tag_keys({"Tags": [{"Key": "Dept", "Value": "Eng"}, {"Key": "Cost", "Value": "42"}]})
    assert listed == {
        "aws:requesttag/dept": ("Eng",),
        "aws:requesttag/cost": ("42",),
        "aws:tagkeys": ("Dept", "Cost"),
    }
    kms_style = request_tag_keys({"Tags": [{"TagKey": "Team", "TagValue": "blue"}]})
    assert kms_style["aws:requesttag/team"] == ("blue",)
    assert request_tag_keys({"Tags": {"Stage": "prod"}})["aws:tagkeys"] == ("Stage",)


def test_untag_requests_carry_only_the_removed_tag_keys() -> None:
    assert request_tag_keys({"UserName": "a", "TagKeys": ["Dept", "Cost"]}) == {
        "aws:tagkeys": ("Dept", "Cost")
    }
    assert request_tag_keys({"UserName": "a"}) == {}


def test_a_lazy_family_loads_once_and_only_when_one_of_its_keys_is_asked() -> None:
    calls: list[str] = []

    def load() -> dict[str, tuple[str, ...]]:
        calls.append("tags")
        return tag_keys(("aws:principaltag/",), {"Dept": "eng"})

    context = ConditionContext({"aws:username": ("alice",)}, lazy=[(("aws:principaltag/",), load)])
    assert context.get("aws:username") == ("alice",)
    assert context.get("aws:sourceip") is None
    assert calls == []
    assert context.get("aws:principaltag/dept") == ("eng",)
    assert context.get("aws:principaltag/team") is None
    assert calls == ["tags"]


def test_a_sealed_context_reads_nothing_more_and_iteration_loads_every_family() -> None:
    def fail() -> dict[str, tuple[str, ...]]:
        raise AssertionError("loaded after seal")

    sealed = ConditionContext({"a": ("1",)}, lazy=[(("aws:resourcetag/",), fail)])
    sealed.seal()
    assert sealed.get("aws:resourcetag/x", ("default",)) == ("default",)
    base = {"a": ("1",)}
    open_context = ConditionContext(base, {"iam:x": ("3",)}, [(("b",), lambda: {"b/x": ("2",)})])
    assert dict(open_context) == {"a": ("1",), "iam:x": ("3",), "b/x": ("2",)}
    assert len(open_context) == 3 and "b/x" in open_context
    assert base == {"a": ("1",)}  # the shared global keys are never written


def test_global_keys_are_shared_within_a_second_and_renewed_after_it() -> None:
    when = datetime(2030, 1, 2, 3, 4, 5, 100, tzinfo=UTC)
    first = global_keys(ALICE, received_at=when, source_ip="127.0.0.1", region="us-east-1", user_agent="ua")
    same_second = when.replace(microsecond=900_000)
    again = global_keys(
        ALICE, received_at=same_second, source_ip="127.0.0.1", region="us-east-1", user_agent="ua"
    )
    assert again is first
    later = global_keys(
        ALICE,
        received_at=when + timedelta(seconds=1),
        source_ip="127.0.0.1",
        region="us-east-1",
        user_agent="ua",
    )
    assert later["aws:currenttime"] == ("2030-01-02T03:04:06Z",)
    other = global_keys(ALICE, received_at=when, source_ip="10.0.0.1", region="us-east-1", user_agent="ua")
    assert other["aws:sourceip"] == ("10.0.0.1",) and other["aws:username"] == ("alice",)
