"""Permissions each Parameter Store operation needs (Service Authorization Reference: AWS Systems Manager), on
the ARN of the parameter it names: `arn:<partition>:ssm:<region>:<account>:parameter/<name>`.

GetParameters and DeleteParameters need their own action on every parameter they name; GetParametersByPath
needs its action on the path, not on the parameters it returns; DescribeParameters is authorized on `*`.
A request that tags (PutParameter with Tags) also needs ssm:AddTagsToResource. Requests carry the condition
keys AWS documents: ssm:Overwrite, ssm:Policies, ssm:Recursive, and the parameter's tags as aws:ResourceTag/*
and ssm:ResourceTag/*.

A SecureString also needs the KMS permission SSM exercises for the caller (`kms:ViaService`
ssm.<region>.amazonaws.com, encryption context PARAMETER_ARN): kms:Encrypt (standard) or kms:GenerateDataKey
(advanced) to write, kms:Decrypt to read with WithDecryption, one per value the response will decrypt. Denied,
the client gets KMS's AccessDeniedException, as from AWS.

Names are checked here (their ARN depends on them); whether a parameter exists is the provider's to answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shieldwall import arn as arns
from shieldwall.errors import AwsError, internal_error, not_implemented
from shieldwall.policy.authorizer import ActionRequest
from shieldwall.services.base import AuthzRule, Call, action_on_any
from shieldwall.services.ssm import crypto, errors, filters, listing, policies, putting
from shieldwall.services.ssm.common import decode_token
from shieldwall.services.ssm.models import SECURE_STRING, Parameter, Version
from shieldwall.services.ssm.names import (
    Selected,
    check_name,
    check_path,
    check_writable,
    parameter_arn,
    path_arn,
    select,
    selected_arn,
)
from shieldwall.services.ssm.reading import BY_PATH_PAGE, HISTORY_PAGE
from shieldwall.services.ssm.records import find_selected, read_parameter, selected_version
from shieldwall.store.base import Store

Values = tuple[str, ...]


def _store(call: Call) -> Store:
    if call.store is None:
        raise internal_error()
    return call.store


def _live(parameter: Parameter | None, call: Call) -> Parameter | None:
    """The parameter unless its Expiration has passed (the provider deletes it and answers ParameterNotFound)."""
    if parameter is None or policies.is_expired(parameter, call.now()):
        return None
    return parameter


def _tag_keys(parameter: Parameter | None) -> dict[str, Values]:
    if parameter is None:
        return {}
    keys: dict[str, Values] = {}
    for key, value in parameter.tags.items():
        keys[f"aws:ResourceTag/{key}"] = (value,)
        keys[f"ssm:ResourceTag/{key}"] = (value,)
    return keys


def _request(
    action: str, arn: str, call: Call, context: Mapping[str, Values] | None = None, account: str | None = None
) -> ActionRequest:
    return ActionRequest(action, arn, account or call.account_id, dict(context or {}))


def _flag(value: object) -> Values:
    return ("true" if value else "false",)


# -- one named parameter ---------------------------------------------------------------------------------------


def _selected_requests(action: str, selected: Selected, call: Call, decrypt: bool) -> list[ActionRequest]:
    store = _store(call)
    parameter = _live(find_selected(store, call.regional_scope, selected), call)
    account = arns.parse(selected.foreign_arn).account if selected.foreign_arn else None
    requests = [_request(action, selected_arn(call, selected), call, _tag_keys(parameter), account)]
    if decrypt and parameter is not None:
        version = _version(store, call, parameter, selected)
        if version is not None:
            requests.extend(_decrypting(store, call, parameter, [version]))
    return requests


def _version(store: Store, call: Call, parameter: Parameter, selected: Selected) -> Version | None:
    try:
        return selected_version(store, call.regional_scope, parameter, selected)
    except AwsError:
        return None


def _decrypting(
    store: Store, call: Call, parameter: Parameter, versions: list[Version]
) -> list[ActionRequest]:
    return [
        crypto.decrypt_request(store, call, version.ciphertext, parameter.arn)
        for version in versions
        if version.type == SECURE_STRING and version.ciphertext is not None
    ]


def _get_parameter(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    selected = select(params["Name"], call)
    return _selected_requests("ssm:GetParameter", selected, call, bool(params.get("WithDecryption")))


def _get_parameters(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    requests: list[ActionRequest] = []
    for raw in dict.fromkeys(params["Names"]):
        try:
            selected = select(raw, call)
        except AwsError:
            continue  # the provider lists it in InvalidParameters
        requests.extend(
            _selected_requests("ssm:GetParameters", selected, call, bool(params.get("WithDecryption")))
        )
    return requests


def _get_parameter_history(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    selected = select(params["Name"], call)
    requests = _selected_requests("ssm:GetParameterHistory", selected, call, decrypt=False)
    store = _store(call)
    parameter = _live(find_selected(store, call.regional_scope, selected), call)
    if params.get("WithDecryption") and parameter is not None:
        after = decode_token(params.get("NextToken"))
        with store.read() as reader:
            start = int(after) if after.isdigit() else 0
            versions, _ = listing.history_page(
                reader, call.regional_scope, parameter, start, params.get("MaxResults") or HISTORY_PAGE
            )
        requests.extend(_decrypting(store, call, parameter, versions))
    return requests


def on_parameter(action: str, *, writes: bool = False) -> AuthzRule:
    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        name = check_name(params["Name"], call)
        if writes:
            check_writable(name)
        parameter = _live(read_parameter(_store(call), call.regional_scope, name), call)
        return [_request(action, parameter_arn(call, name), call, _tag_keys(parameter))]

    return rule


def _delete_parameters(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    requests = []
    for raw in dict.fromkeys(params["Names"]):
        try:
            name = check_name(raw, call)
        except AwsError:
            continue
        parameter = _live(read_parameter(_store(call), call.regional_scope, name), call)
        requests.append(
            _request("ssm:DeleteParameters", parameter_arn(call, name), call, _tag_keys(parameter))
        )
    return requests


# -- writing ---------------------------------------------------------------------------------------------------


def _put_parameter(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    name = check_name(params["Name"], call)
    check_writable(name)
    store = _store(call)
    existing = _live(read_parameter(store, call.regional_scope, name), call)
    arn = existing.arn if existing is not None else parameter_arn(call, name)
    context = {"ssm:Overwrite": _flag(params.get("Overwrite")), **_tag_keys(existing)}
    if params.get("Policies"):
        context["ssm:Policies"] = (str(params["Policies"]),)
    requests = [_request("ssm:PutParameter", arn, call, context)]
    if params.get("Tags"):
        requests.append(_request("ssm:AddTagsToResource", arn, call))
    kind = params.get("Type") or (existing.current.type if existing is not None else None)
    if kind == SECURE_STRING:
        choice = crypto.key_choice(params.get("KeyId"))
        tier = putting.expected_tier(dict(params), existing, call.now())
        requests.append(crypto.encrypt_request(store, call, choice, arn, tier))
    return requests


# -- hierarchies and lists -------------------------------------------------------------------------------------


def _get_parameters_by_path(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
    path = check_path(params["Path"])
    recursive = bool(params.get("Recursive"))
    requests = [
        _request("ssm:GetParametersByPath", path_arn(call, path), call, {"ssm:Recursive": _flag(recursive)})
    ]
    if not params.get("WithDecryption"):
        return requests
    chosen = filters.path_filters(params.get("ParameterFilters"))
    after = decode_token(params.get("NextToken"))
    store = _store(call)
    with store.read() as reader:
        page = listing.path_page(
            reader,
            call.regional_scope,
            path,
            recursive,
            chosen,
            after,
            params.get("MaxResults") or BY_PATH_PAGE,
        )
    for parameter, version in page.items:
        if _live(parameter, call) is not None:
            requests.extend(_decrypting(store, call, parameter, [version]))
    return requests


# -- tags ------------------------------------------------------------------------------------------------------


def on_tagged(action: str) -> AuthzRule:
    """Tagging operations serve parameters only: other SSM resource types answer 501."""

    def rule(params: Mapping[str, Any], call: Call) -> list[ActionRequest]:
        if params["ResourceType"] != "Parameter":
            raise not_implemented("ssm", f"{call.operation} for ResourceType {params['ResourceType']}")
        try:
            name = check_name(params["ResourceId"], call)
        except AwsError:
            raise errors.invalid_resource_id() from None
        parameter = _live(read_parameter(_store(call), call.regional_scope, name), call)
        return [_request(action, parameter_arn(call, name), call, _tag_keys(parameter))]

    return rule


AUTHZ: dict[str, AuthzRule] = {
    "PutParameter": _put_parameter,
    "GetParameter": _get_parameter,
    "GetParameters": _get_parameters,
    "GetParametersByPath": _get_parameters_by_path,
    "GetParameterHistory": _get_parameter_history,
    "LabelParameterVersion": on_parameter("ssm:LabelParameterVersion"),
    "UnlabelParameterVersion": on_parameter("ssm:UnlabelParameterVersion"),
    "DeleteParameter": on_parameter("ssm:DeleteParameter", writes=True),
    "DeleteParameters": _delete_parameters,
    "DescribeParameters": action_on_any("ssm:DescribeParameters"),
    "AddTagsToResource": on_tagged("ssm:AddTagsToResource"),
    "RemoveTagsFromResource": on_tagged("ssm:RemoveTagsFromResource"),
    "ListTagsForResource": on_tagged("ssm:ListTagsForResource"),
}
