"""WSGI entry point (gunicorn). The portal is served synchronously: django-tenants keeps
the tenant on the connection, which async ORM calls would lose."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "msp_portal.settings")
application = get_wsgi_application()
