"""Limits checked before a query runs: size (tokens), depth, aliases and cost.

They run only on a document that passed graphql-core's standard validation, which
rejects fragment cycles; every walk below also memoises fragments, so a "fragment bomb"
(a fragment spreading another one many times over) costs linear time to measure.

Cost model (documented in docs/architecture.md):
- every field costs 1;
- a field returning a connection or a list multiplies the cost of what is selected under it
  by its page weight, `ceil(page size / 10)`; the page size is the `first`/`last` argument
  when given, else the field's declared maximum (`list_sizes`, the connection cap of 100
  for connections, `default_list_size` for other lists);
- fragments and inline fragments add what they select.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

PAGE_WEIGHT_UNIT = 10


@dataclass(frozen=True)
class Budget:
    """What one request may ask for."""

    max_cost: int
    max_aliases: int
    max_depth: int
    max_tokens: int


@dataclass
class Measure:
    cost: int = 0
    depth: int = 0
    aliases: int = 0
    oversized_pages: list[str] = field(default_factory=list)
    page_limit: int = 0


@dataclass
class _Analyser:
    schema: GraphQLSchema
    fragments: Mapping[str, FragmentDefinitionNode]
    variables: Mapping[str, Any]
    list_sizes: Mapping[str, int]
    connection_size: int
    default_list_size: int
    _fragment_memo: dict[str, tuple[int, int]] = field(default_factory=dict)
    oversized_pages: list[str] = field(default_factory=list)

    def selection(self, parent: GraphQLNamedType | None, node: SelectionSetNode | None) -> tuple[int, int]:
        """(cost, depth) of a selection set under `parent`."""
        if node is None:
            return 0, 0
        cost = depth = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                field_cost, field_depth = self.field(parent, selection)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value) or parent
                field_cost, field_depth = self.selection(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                field_cost, field_depth = self.fragment(selection.name.value)
            else:  # pragma: no cover - graphql-core has no other selection kinds
                continue
            cost += field_cost
            depth = max(depth, field_depth)
        return cost, depth

    def fragment(self, name: str) -> tuple[int, int]:
        if name not in self._fragment_memo:
            definition = self.fragments.get(name)
            if definition is None:
                return 0, 0
            self._fragment_memo[name] = (0, 0)  # validation rejects cycles; this only guards
            target = self.schema.get_type(definition.type_condition.name.value)
            self._fragment_memo[name] = self.selection(target, definition.selection_set)
        return self._fragment_memo[name]

    def field(self, parent: GraphQLNamedType | None, node: FieldNode) -> tuple[int, int]:
        name = node.name.value
        definition: GraphQLField | None = None
        if isinstance(parent, GraphQLObjectType) or hasattr(parent, "fields"):
            definition = getattr(parent, "fields", {}).get(name)
        if name.startswith("__") or definition is None:
            children_cost, children_depth = self.selection(None, node.selection_set)
            return 1 + children_cost, 1 + children_depth
        child_type = get_named_type(definition.type)
        children_cost, children_depth = self.selection(child_type, node.selection_set)
        weight = self.page_weight(parent, definition, node)
        return 1 + weight * children_cost, 1 + children_depth

    def page_weight(self, parent: GraphQLNamedType | None, definition: GraphQLField, node: FieldNode) -> int:
        output = definition.type
        if isinstance(output, GraphQLNonNull):
            output = output.of_type
        named = get_named_type(output)
        is_connection = named.name.endswith("Connection") and "edges" in getattr(named, "fields", {})
        if not is_connection and not isinstance(output, GraphQLList):
            return 1
        parent_name = parent.name if parent is not None else ""
        if parent_name.endswith("Connection") and node.name.value == "edges":
            return 1  # the connection field already counted the page
        declared = self.list_sizes.get(f"{parent_name}.{node.name.value}")
        if declared is None:
            declared = self.connection_size if is_connection else self.default_list_size
        size = declared
        for argument in node.arguments or ():
            if argument.name.value in ("first", "last"):
                asked = self.int_value(argument.value)
                if asked is not None and asked >= 0:
                    if is_connection and asked > declared:
                        self.oversized_pages.append(f"{node.name.value}({argument.name.value}: {asked})")
                    size = min(asked, declared) if is_connection else asked
        return max(1, math.ceil(size / PAGE_WEIGHT_UNIT))

    def int_value(self, value: Any) -> int | None:
        if isinstance(value, IntValueNode):
            return int(value.value)
        if isinstance(value, VariableNode):
            raw = self.variables.get(value.name.value)
            return raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        return None


def count_aliases(document: DocumentNode) -> int:
    """Aliases written in the document (each one once, wherever it is)."""
    count = 0
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        if isinstance(node, FieldNode) and node.alias is not None:
            count += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
    return count


def measure(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    list_sizes: Mapping[str, int],
    connection_size: int,
    default_list_size: int,
) -> Measure:
    """Cost, depth and aliases of the operation that will run."""
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [op for op in operations if op.name is not None and op.name.value == operation_name]
    analyser = _Analyser(
        schema=schema,
        fragments=fragments,
        variables=variables or {},
        list_sizes=list_sizes,
        connection_size=connection_size,
        default_list_size=default_list_size,
    )
    result = Measure(aliases=count_aliases(document))
    for operation in operations[:1]:
        root = schema.get_root_type(operation.operation)
        cost, depth = analyser.selection(root, operation.selection_set)
        result.cost, result.depth = cost, depth
    result.oversized_pages = analyser.oversized_pages
    result.page_limit = connection_size
    return result


def limit_errors(found: Measure, budget: Budget) -> list[GraphQLError]:
    """Typed errors for every limit the operation goes over (empty when within the budget)."""
    errors = []
    if found.oversized_pages:
        errors.append(
            GraphQLError(
                f"Ask for at most {found.page_limit} items per page ({', '.join(found.oversized_pages)}).",
                extensions={"code": "PAGE_TOO_LARGE", "limit": found.page_limit},
            )
        )
    if found.depth > budget.max_depth:
        errors.append(
            GraphQLError(
                f"The query is nested {found.depth} levels deep; the limit is {budget.max_depth}.",
                extensions={"code": "QUERY_TOO_DEEP", "depth": found.depth, "limit": budget.max_depth},
            )
        )
    if found.aliases > budget.max_aliases:
        errors.append(
            GraphQLError(
                f"The query uses {found.aliases} aliases; the limit is {budget.max_aliases}.",
                extensions={
                    "code": "TOO_MANY_ALIASES",
                    "aliases": found.aliases,
                    "limit": budget.max_aliases,
                },
            )
        )
    if found.cost > budget.max_cost:
        errors.append(
            GraphQLError(
                f"The query would cost {found.cost} points; the limit is {budget.max_cost}. "
                "Ask for fewer fields or smaller pages (first: …).",
                extensions={"code": "QUERY_TOO_COMPLEX", "cost": found.cost, "limit": budget.max_cost},
            )
        )
    return errors
