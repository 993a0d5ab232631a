from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Clients and identity"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_init, post_save

        from tenants import domain_cache
        from tenants.models import Client, Domain

        # The cached host -> tenant lookup (tenants.domain_cache) forgets changed rows.
        post_init.connect(domain_cache.on_domain_loaded, sender=Domain, dispatch_uid="domain-cache-init")
        post_save.connect(domain_cache.on_domain_changed, sender=Domain, dispatch_uid="domain-cache-save")
        post_delete.connect(domain_cache.on_domain_changed, sender=Domain, dispatch_uid="domain-cache-delete")
        post_save.connect(domain_cache.on_client_changed, sender=Client, dispatch_uid="tenant-cache-save")
        post_delete.connect(domain_cache.on_client_changed, sender=Client, dispatch_uid="tenant-cache-delete")
