"""Billing: contracts per client, reviewed usage, invoices, credit notes, payments, SLA credits.

Public-schema data (the MSP's own records about each client), reached through
`billing.access`. Reads support (time entries, SLA outcomes) and infrastructure (managed
devices) of a client inside that client's schema; nothing below imports billing.
See docs/billing.md.
"""
