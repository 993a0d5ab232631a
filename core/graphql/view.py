"""The /graphql/ endpoint.

- Mutations only as a JSON POST; Django's CSRF middleware guards every POST.
- Before anything runs: a token limit while parsing, graphql-core's standard validation
  (which rejects fragment cycles), then depth, alias and cost limits measured with memoised
  fragments (`core.graphql.limits`); anonymous requests get the smallest budget. Every
  refusal is a typed error (`extensions.code`) answered in milliseconds, logged in one line.
- Introspection only for the people `may_introspect(user)` admits (staff who passed 2FA).
- Sync DataLoaders (graphql-sync-dataloaders) so lists cost a constant number of queries.
- Errors are formatted by `core.graphql.errors.format_error`: typed, never raw exception
  text; anything unexpected is INTERNAL with the request id.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from graphene_django.views import GraphQLView, HttpError
from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLError,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import NoSchemaIntrospectionCustomRule

from core.availability import DATABASE_UNAVAILABLE
from core.graphql.errors import format_error, internal_message, log_unexpected
from core.graphql.execution import PortalExecutionContext
from core.graphql.limits import Budget, limit_errors, measure
from core.graphql.loaders import Loaders

logger = logging.getLogger("core.graphql")


# Documents that passed validation, by query text: the SPA sends the same few documents all
# day, and validating a page's document (the ticket page's is ~150 fields) costs more CPU
# than many of the requests themselves. Validation depends only on the schema, the text and
# whether introspection is allowed, so a valid document stays valid for this process.
VALIDATED_CACHE_SIZE = 256
_validated: OrderedDict[tuple[int, str, bool], bool] = OrderedDict()


def validation_errors(schema: Any, document: Any, query: str, introspection: bool) -> list[GraphQLError]:
    """graphql-core's validation (plus the no-introspection rule unless allowed), skipped for a
    query text this process has already found valid under the same rules."""
    key = (id(schema), query, introspection)
    if key in _validated:
        _validated.move_to_end(key)
        return []
    rules = list(specified_rules)
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    errors = validate(schema, document, rules, max_errors=20)
    if not errors:
        _validated[key] = True
        if len(_validated) > VALIDATED_CACHE_SIZE:
            _validated.popitem(last=False)
    return errors


# Parsed documents, by query text and token limit, for the same reason: parsing the ticket
# page's document costs ~2 ms of CPU. graphql-core never changes a document it executes.
PARSED_CACHE_SIZE = 256
_parsed: OrderedDict[tuple[str, int | None], DocumentNode] = OrderedDict()


def parsed_document(query: str, max_tokens: int | None) -> DocumentNode:
    """graphql-core's `parse`, remembered per process for a text that parsed before under the
    same token limit (a text that fails to parse raises every time)."""
    key = (query, max_tokens)
    document = _parsed.get(key)
    if document is not None:
        _parsed.move_to_end(key)
        return document
    document = parse(query, max_tokens=max_tokens)
    _parsed[key] = document
    if len(_parsed) > PARSED_CACHE_SIZE:
        _parsed.popitem(last=False)
    return document


def budget_for(request: HttpRequest) -> Budget:
    """Anonymous visitors get the smallest budget (they can only sign in)."""
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return Budget(
            max_cost=settings.GRAPHQL_MAX_COST,
            max_aliases=settings.GRAPHQL_MAX_ALIASES,
            max_depth=settings.GRAPHQL_MAX_DEPTH,
            max_tokens=settings.GRAPHQL_MAX_TOKENS,
        )
    return Budget(
        max_cost=settings.GRAPHQL_MAX_COST_ANONYMOUS,
        max_aliases=settings.GRAPHQL_MAX_ALIASES_ANONYMOUS,
        max_depth=settings.GRAPHQL_MAX_DEPTH,
        max_tokens=settings.GRAPHQL_MAX_TOKENS_ANONYMOUS,
    )


def refused(errors: list[GraphQLError], request: HttpRequest, stage: str) -> ExecutionResult:
    first = errors[0]
    logger.info(
        "graphql request refused",
        extra={
            "stage": stage,
            "code": (first.extensions or {}).get("code"),
            "detail": first.message[:200],
            "path": request.path,
        },
    )
    return ExecutionResult(data=None, errors=errors)


class PortalGraphQLView(GraphQLView):
    execution_context_class = PortalExecutionContext
    graphiql = False
    # Set by the project when it mounts the view (this package imports no app).
    may_introspect: Callable[[Any], bool] = staticmethod(lambda user: False)  # type: ignore[assignment]
    list_sizes: Mapping[str, int] = {}
    default_list_size = 10

    def __init__(self, **kwargs: Any) -> None:
        if "may_introspect" in kwargs:
            self.may_introspect = kwargs.pop("may_introspect")
        if "list_sizes" in kwargs:
            self.list_sizes = kwargs.pop("list_sizes")
        super().__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and request.content_type != "application/json":
            return JsonResponse(
                {
                    "errors": [
                        {
                            "message": "Send GraphQL requests as JSON (Content-Type: application/json).",
                            "extensions": {"code": "UNSUPPORTED_MEDIA_TYPE"},
                        }
                    ]
                },
                status=415,
            )
        request.loaders = Loaders()  # type: ignore[attr-defined]
        try:
            return super().dispatch(request, *args, **kwargs)
        except (HttpError, *DATABASE_UNAVAILABLE):
            raise  # database errors: a 503 from core.availability.DatabaseUnavailableMiddleware
        except Exception as exc:
            request_id = log_unexpected(exc, "graphql view")
            return JsonResponse(
                {
                    "errors": [
                        {
                            "message": internal_message(request_id),
                            "extensions": {"code": "INTERNAL", "requestId": request_id},
                        }
                    ]
                },
                status=500,
            )

    @staticmethod
    def format_error(error: Exception) -> dict[str, Any]:
        return format_error(error)

    def execute_graphql_request(
        self,
        request: HttpRequest,
        data: Any,
        query: str | None,
        variables: Any,
        operation_name: str | None,
        show_graphiql: bool = False,
    ) -> ExecutionResult | None:
        if not query:
            return ExecutionResult(
                errors=[GraphQLError("Send a query.", extensions={"code": "GRAPHQL_PARSE_FAILED"})]
            )
        budget = budget_for(request)
        schema = self.schema.graphql_schema
        try:
            document = parsed_document(query, budget.max_tokens)
        except GraphQLError as exc:
            error = GraphQLError(exc.message, extensions={"code": "GRAPHQL_PARSE_FAILED"})
            return refused([error], request, "parse")
        except RecursionError:
            error = GraphQLError("The query is nested too deeply.", extensions={"code": "QUERY_TOO_DEEP"})
            return refused([error], request, "parse")

        operation = get_operation_ast(document, operation_name)
        is_get = request.method is not None and request.method.lower() == "get"
        if is_get and operation is not None and operation.operation != OperationType.QUERY:
            raise HttpError(HttpResponseNotAllowed(["POST"], "Send mutations as a POST."))

        introspection = bool(self.may_introspect(getattr(request, "user", None)))
        try:
            errors = validation_errors(schema, document, query, introspection)
        except RecursionError:
            errors = [GraphQLError("The query is nested too deeply.")]
        if errors:
            typed = [
                GraphQLError(
                    e.message,
                    nodes=e.nodes,
                    extensions={
                        "code": "INTROSPECTION_DISABLED"
                        if "introspection" in e.message.lower()
                        else "GRAPHQL_VALIDATION_FAILED"
                    },
                )
                for e in errors
            ]
            return refused(typed, request, "validate")

        try:
            found = measure(
                schema,
                document,
                operation_name=operation_name,
                variables=variables if isinstance(variables, dict) else None,
                list_sizes=self.list_sizes,
                connection_size=int(str(settings.GRAPHENE.get("RELAY_CONNECTION_MAX_LIMIT", 100))),
                default_list_size=self.default_list_size,
            )
        except RecursionError:
            error = GraphQLError("The query is nested too deeply.", extensions={"code": "QUERY_TOO_DEEP"})
            return refused([error], request, "limits")
        over = limit_errors(found, budget)
        if over:
            return refused(over, request, "limits")

        # A read-only operation may remember what its fields look up more than once (e.g. the
        # client a page's four root fields each authorise): `core.graphql.loaders.request_memo`.
        request.graphql_memo = (  # type: ignore[attr-defined]
            {} if operation is not None and operation.operation == OperationType.QUERY else None
        )
        try:
            return execute(  # type: ignore[return-value]
                schema,
                document,
                root_value=self.get_root_value(request),
                context_value=self.get_context(request),
                variable_values=variables,
                operation_name=operation_name,
                middleware=self.get_middleware(request),
                execution_context_class=self.execution_context_class,
            )
        except Exception as exc:
            return ExecutionResult(errors=[exc])  # type: ignore[list-item]
