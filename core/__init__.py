"""Shared helpers every app imports: tenant context, errors, GraphQL base classes, task bases.

This package imports no app (tenants, services, billing) and not the project package
`msp_portal`; import-linter checks it (see docs/architecture.md)."""
