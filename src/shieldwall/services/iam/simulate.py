"""The IAM policy simulator APIs: SimulateCustomPolicy, SimulatePrincipalPolicy and the GetContextKeysFor*
operations. The evaluation itself is `simulation` (the enforcement engine's `decide`); this module reads the
request, finds the principal's policies and pages the results.

Callers (API reference, SimulateCustomPolicy / SimulatePrincipalPolicy): `CallerArn` names the simulated
caller and is required with a `ResourcePolicy` unless the policy source is a user; without one the caller is the
source user or role itself, or an unnamed user of the account (the simulation then depends on the given
policies only). The resource owner is `ResourceOwner`, else the caller's account; context keys are exactly the
`ContextEntries` given (the simulator fills in nothing).
"""

from __future__ import annotations

from dataclasses import replace

from shieldwall.errors import AwsError
from shieldwall.policy.context_keys import policy_keys
from shieldwall.policy.document import Policy
from shieldwall.services.base import Call, Params
from shieldwall.services.iam.common import DEFAULT_MAX_ITEMS, IamBase, invalid_input, page
from shieldwall.services.iam.simulate_input import (
    boundary_input,
    caller_parts,
    check_actions,
    check_resources,
    compile_input,
    context_from,
    input_list,
    owner_account,
    scp_levels,
    source_policy,
)
from shieldwall.services.iam.simulate_principal import entity_of, principal_sources
from shieldwall.services.iam.simulation import Simulation, SourcePolicy, simulate_action

_CUSTOM_CALLERS = ("user", "group", "role")
PAIRS_PER_PAGE = 10_000  # (action, resource) evaluations one response may cost


class SimulatorMixin(IamBase):
    def simulate_custom_policy(self, call: Call, params: Params) -> Params:
        identity = input_list(params["PolicyInputList"], "PolicyInputList")
        caller = params.get("CallerArn")
        if params.get("ResourcePolicy") is not None and caller is None:
            raise invalid_input("CallerArn must be specified when the simulation includes a ResourcePolicy.")
        caller_arn, caller_account = _caller(call, caller, _CUSTOM_CALLERS)
        simulation = _simulation(call, params, identity, caller_arn, caller_account)
        return _evaluate(
            simulation,
            params,
            boundary=boundary_input(params.get("PermissionsBoundaryPolicyInputList")),
            scps=scp_levels(params.get("OrderedOrganizationPolicyInputList")),
        )

    def simulate_principal_policy(self, call: Call, params: Params) -> Params:
        source_arn = params["PolicySourceArn"]
        kind = entity_of(call, source_arn)[0]
        found = principal_sources(self.store, call, source_arn, params.get("PolicyExclusionList"))
        identity = (*found.identity, *input_list(params.get("PolicyInputList"), "PolicyInputList"))
        caller = params.get("CallerArn")
        if params.get("ResourcePolicy") is not None and caller is None and kind != "user":
            raise invalid_input("CallerArn must be specified when the simulation includes a ResourcePolicy.")
        if caller is None:
            caller_arn, caller_account = _caller(
                call, None if kind == "group" else source_arn, _CUSTOM_CALLERS
            )
        else:
            caller_arn, caller_account = _caller(call, caller, ("user",))
        simulation = _simulation(call, params, identity, caller_arn, caller_account)
        boundary = boundary_input(params.get("PermissionsBoundaryPolicyInputList")) or found.boundary
        return _evaluate(simulation, params, boundary=boundary, scps=())

    def get_context_keys_for_custom_policy(self, call: Call, params: Params) -> Params:
        policies = [
            _any_kind(text, f"PolicyInputList.{n}") for n, text in enumerate(params["PolicyInputList"], 1)
        ]
        return {"ContextKeyNames": policy_keys(policies)}

    def get_context_keys_for_principal_policy(self, call: Call, params: Params) -> Params:
        found = principal_sources(self.store, call, params["PolicySourceArn"], None)
        extra = input_list(params.get("PolicyInputList"), "PolicyInputList")
        return {"ContextKeyNames": policy_keys(source.policy for source in (*found.identity, *extra))}


def _caller(call: Call, caller_arn: str | None, kinds: tuple[str, ...]) -> tuple[str, str]:
    if caller_arn is None:
        return f"arn:{call.partition}:iam::{call.account_id}:user/SimulatedCaller", call.account_id
    account, _kind = caller_parts(caller_arn, kinds)
    return caller_arn, account


def _simulation(
    call: Call, params: Params, identity: tuple[SourcePolicy, ...], caller_arn: str, caller_account: str
) -> Simulation:
    resource_text = params.get("ResourcePolicy")
    resource = None
    if resource_text is not None:
        resource = source_policy(resource_text, "resource", "ResourcePolicy", "resource")
    return Simulation(
        identity=identity,
        caller_arn=caller_arn,
        caller_account=caller_account,
        resource_owner=owner_account(params.get("ResourceOwner"), caller_account),
        context=context_from(params.get("ContextEntries")),
        resource=resource,
    )


def _evaluate(
    simulation: Simulation,
    params: Params,
    *,
    boundary: SourcePolicy | None,
    scps: tuple[tuple[Policy, ...], ...],
) -> Params:
    actions = check_actions(params["ActionNames"])
    resources = check_resources(params.get("ResourceArns"), params.get("ResourceHandlingOption"))
    if simulation.resource is not None and any(_is_role(resource) for resource in resources):
        raise invalid_input("Simulation of resource-based policies isn't supported for IAM roles.")
    complete = replace(simulation, boundary=boundary, scps=scps, specific_resources=resources != ["*"])
    keyed = [(f"{index:06d}", action) for index, action in enumerate(actions)]
    chosen, info = page(keyed, params.get("Marker"), _page_size(params.get("MaxItems"), len(resources)))
    return {"EvaluationResults": [simulate_action(complete, action, resources) for action in chosen], **info}


def _page_size(max_items: int | None, resources: int) -> int:
    """At most MaxItems actions, fewer when many resources would make one page costly: AWS documents that IAM
    "might return fewer results, even when there are more results available" (IsTruncated stays true)."""
    return max(1, min(max_items or DEFAULT_MAX_ITEMS, PAIRS_PER_PAGE // resources))


def _is_role(resource: str) -> bool:
    parts = resource.split(":", 5)
    return len(parts) == 6 and parts[2] == "iam" and parts[5].startswith("role/")


def _any_kind(text: str, source_id: str) -> Policy:
    """GetContextKeysForCustomPolicy lists keys of any IAM policy: identity-based first, else resource-based."""
    try:
        return compile_input(text, "identity", source_id)
    except AwsError as identity_error:
        try:
            return compile_input(text, "resource", source_id)
        except AwsError:
            raise identity_error from None
