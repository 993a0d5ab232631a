"""GraphQL of billing: contracts, runs, invoices, payments (MSP) and the client portal's view."""

from billing.graphql.mutations import BillingMutation
from billing.graphql.queries import BillingQuery

__all__ = ["BillingMutation", "BillingQuery"]
