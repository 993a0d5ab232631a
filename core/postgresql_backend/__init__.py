"""django-tenants' PostgreSQL backend, minus the `SET search_path` that changes nothing."""
