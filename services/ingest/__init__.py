"""Push ingest: an RMM or agent reports check results and device state for one client.

Tokens and received batches live in the public schema (a request is matched to its client
by the token before any client schema is entered); what a batch reports is written into
that client's schema by the infrastructure app. See docs/ingest.md.
"""
