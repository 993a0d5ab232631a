"""The /graphql/ endpoint.

- Mutations only as a JSON POST; Django's CSRF middleware guards every POST.
- Depth limit always; introspection for everyone only when GRAPHQL_INTROSPECTION is on
  (default off, DEBUG included), otherwise only for the people `may_introspect` allows
  (msp_portal/urls.py: MSP staff who passed the second factor, GraphiQL's users).
- Sync DataLoaders (graphql-sync-dataloaders) so lists cost a constant number of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from graphene.validation import depth_limit_validator
from graphene_django.views import GraphQLView
from graphql import GraphQLError, GraphQLOutputType, ValidationRule
from graphql.pyutils import Path
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql_sync_dataloaders import DeferredExecutionContext

from msp_portal.graphql.loaders import Loaders


def validation_rules() -> list[type[ValidationRule]]:
    rules: list[type[ValidationRule]] = [depth_limit_validator(max_depth=settings.GRAPHQL_MAX_DEPTH)]
    if not settings.GRAPHQL_INTROSPECTION:
        rules.append(NoSchemaIntrospectionCustomRule)
    return rules


class PortalExecutionContext(DeferredExecutionContext):  # type: ignore[misc]
    """graphql-sync-dataloaders 0.1.1 calls `handle_field_error(error, return_type)`;
    graphql-core 3.2.14 added a `path` argument. Rebuild the path from the error."""

    def handle_field_error(
        self, error: GraphQLError, return_type: GraphQLOutputType, path: Path | None = None
    ) -> None:
        if path is None:
            for key in error.path or []:
                path = Path(path, key, None)
        super().handle_field_error(error, return_type, path)


class PortalGraphQLView(GraphQLView):
    execution_context_class = PortalExecutionContext
    # Who may introspect the schema when GRAPHQL_INTROSPECTION is off (set in urls.py).
    may_introspect: Callable[[Any], bool] | None = None
    validation_rules: list[type[ValidationRule]] | None = None

    def __init__(self, **kwargs: Any) -> None:
        self.may_introspect = kwargs.pop("may_introspect", None)
        kwargs.setdefault("validation_rules", validation_rules())
        # graphene's GraphiQL page loads its files from a CDN: ours is served in front of this
        # view instead (core/graphql/graphiql.py, wired in msp_portal/urls.py).
        kwargs.setdefault("graphiql", False)
        super().__init__(**kwargs)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and request.content_type != "application/json":
            return JsonResponse(
                {"errors": [{"message": "Send GraphQL requests as JSON (Content-Type: application/json)."}]},
                status=415,
            )
        request.loaders = Loaders()  # type: ignore[attr-defined]
        if self.may_introspect is not None and self.may_introspect(request.user):
            # One view instance per request: this changes only this request's rules.
            self.validation_rules = [
                rule for rule in self.validation_rules or [] if rule is not NoSchemaIntrospectionCustomRule
            ]
        return super().dispatch(request, *args, **kwargs)
