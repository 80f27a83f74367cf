"""DescribeParameters, and the tags of parameters: AddTagsToResource, RemoveTagsFromResource,
ListTagsForResource (ResourceType Parameter; other resource types are not served, see authz)."""

from __future__ import annotations

from collections.abc import Callable

from shieldwall.errors import AwsError
from shieldwall.services.base import Call, Params
from shieldwall.services.ssm import errors, filters, listing
from shieldwall.services.ssm.common import SsmBase, decode_token, encode_token, metadata_entry
from shieldwall.services.ssm.models import Parameter
from shieldwall.services.ssm.names import check_name
from shieldwall.services.ssm.putting import MAX_TAGS
from shieldwall.services.ssm.records import fresh, read_parameter, save

DESCRIBE_PAGE = 10


class DescribingMixin(SsmBase):
    def describe_parameters(self, call: Call, params: Params) -> Params:
        chosen = filters.describe_filters(params)
        after = decode_token(params.get("NextToken"))
        if params.get("Shared"):
            return {"Parameters": []}
        with self.store.read() as reader:
            page = listing.describe_page(
                reader, call.regional_scope, chosen, after, params.get("MaxResults") or DESCRIBE_PAGE
            )
        shown = []
        for parameter, _ in page.items:
            current = self.settled(call, parameter)
            if current is not None:
                shown.append(metadata_entry(current))
        out: Params = {"Parameters": shown}
        if page.next_after is not None:
            out["NextToken"] = encode_token(page.next_after)
        return out

    def add_tags_to_resource(self, call: Call, params: Params) -> Params:
        new = {str(tag["Key"]): str(tag["Value"]) for tag in params["Tags"]}

        def add(parameter: Parameter) -> None:
            merged = {**parameter.tags, **new}
            if len(merged) > MAX_TAGS:
                raise errors.too_many_tags()
            parameter.tags = merged

        self._retag(call, params["ResourceId"], add)
        return {}

    def remove_tags_from_resource(self, call: Call, params: Params) -> Params:
        keys = set(params["TagKeys"])

        def remove(parameter: Parameter) -> None:
            parameter.tags = {key: value for key, value in parameter.tags.items() if key not in keys}

        self._retag(call, params["ResourceId"], remove)
        return {}

    def list_tags_for_resource(self, call: Call, params: Params) -> Params:
        parameter = self._tagged(call, params["ResourceId"])
        return {"TagList": [{"Key": key, "Value": value} for key, value in sorted(parameter.tags.items())]}

    def _tagged(self, call: Call, resource_id: str) -> Parameter:
        try:
            name = check_name(resource_id, call)
        except AwsError:
            raise errors.invalid_resource_id() from None
        parameter = self.settled(call, read_parameter(self.store, call.regional_scope, name))
        if parameter is None:
            raise errors.invalid_resource_id()
        return parameter

    def _retag(self, call: Call, resource_id: str, change: Callable[[Parameter], None]) -> None:
        found = self._tagged(call, resource_id)
        with self.store.transaction() as tx:
            stored = fresh(tx, call.regional_scope, found.name)
            if stored is None:
                raise errors.invalid_resource_id()
            change(stored)
            save(tx, call.regional_scope, stored)
