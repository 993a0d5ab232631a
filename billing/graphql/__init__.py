"""GraphQL of billing: contracts, runs, invoices, payments (MSP) and the client portal's view."""
