"""Broadcasts: how-tos and announcements to every client or a segment, and the
suggestions they make when a client user starts a new request (deflection).

- The body is rich text sanitised with nh3 (ammonia): an allow-list of tags and
  attributes, `<script>`/`<style>` dropped with their content, links given
  `rel="noopener noreferrer"`; what is stored is safe to render.
- Publishing (now or at `publish_at`, by beat) fixes the audience (`BroadcastAudience`) and
  the e-mail recipients (`BroadcastDelivery`, unique per broadcast and person: each
  recipient once); the sender re-checks each person still belongs to the client.
- Suggestions: PostgreSQL full-text search over a stored `tsvector` (GIN index), terms of
  the request's title ORed and ranked; what the person did next is counted per broadcast.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import nh3
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from core.errors import ActionError
from core.tasks import enqueue_on_commit
from services.outreach.actions import OUTREACH_ROLES, _clean_text, require_role
from services.outreach.campaigns import evaluate
from services.outreach.models import (
    Broadcast,
    BroadcastAudience,
    BroadcastDelivery,
    BroadcastKind,
    Segment,
    Suggestion,
    SuggestionOutcome,
)
from tenants.access import clients_visible_to, who_reaches
from tenants.actions import portal_url, record_audit
from tenants.models import LIVE_CLIENT_STATUSES, Client, ClientRole, Membership, User

SEND_TASK = "outreach.send_broadcast_emails"
PUBLISH_TASK = "outreach.publish_due_broadcasts"
MAX_BODY = 50_000
SEARCH_CONFIG = "english"
SUGGESTION_LIMIT = 5
ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li", "a", "h2", "h3", "h4",
    "blockquote", "code", "pre", "hr", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def sanitise(body: str) -> str:
    """Safe HTML of `body`: allowed tags only, no scripts, event handlers or javascript: links."""
    return nh3.clean(
        body,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def plain_text(safe_html: str) -> str:
    text = nh3.clean(re.sub(r"<(br|/p|/li|/h[234]|/tr)\s*/?>", "\n", safe_html), tags=set())
    return re.sub(r"\n{3,}", "\n\n", html.unescape(text)).strip()


@dataclass
class NewBroadcast:
    kind: str
    title: str
    body: str
    segment: Segment | None = None  # None: every client
    email_roles: tuple[str, ...] = ()
    publish_at: datetime | None = None  # None: now


def create_broadcast(*, actor: User, data: NewBroadcast, now: datetime | None = None) -> Broadcast:
    require_role(actor, *OUTREACH_ROLES)
    now = now or timezone.now()
    if data.kind not in BroadcastKind.values:
        raise ActionError.single("INVALID", "Choose announcement or how-to.", "kind")
    title = _clean_text(data.title, "title", 200, required="Give the broadcast a title.")
    if len(data.body) > MAX_BODY or "\x00" in data.body:
        raise ActionError.single(
            "TOO_LONG" if "\x00" not in data.body else "INVALID",
            "The body is too long or has a NUL byte.",
            "body",
        )
    body_html = sanitise(data.body)
    body_text = plain_text(body_html)
    if not body_text:
        raise ActionError.single("REQUIRED", "Write the broadcast (only unsafe markup was given).", "body")
    roles = tuple(dict.fromkeys(data.email_roles))
    if any(role not in ClientRole.values for role in roles):
        raise ActionError.single("INVALID", "E-mail roles are it_lead and member.", "emailRoles")
    publish_at = data.publish_at or now
    if publish_at < now - timedelta(minutes=1):
        raise ActionError.single("IN_THE_PAST", "Schedule the broadcast for now or later.", "publishAt")
    if data.segment is not None and not evaluate(data.segment.rules).exists():
        raise ActionError.single("EMPTY_SEGMENT", f"No client is in '{data.segment.name}' now.", "segmentId")
    with transaction.atomic():
        broadcast = Broadcast.objects.create(
            kind=data.kind,
            title=title,
            body_html=body_html,
            body_text=body_text,
            segment=data.segment,
            email_roles=list(roles),
            publish_at=publish_at,
            created_by=actor,
            created_at=now,
        )
        Broadcast.objects.filter(pk=broadcast.pk).update(
            search=SearchVector("title", weight="A", config=SEARCH_CONFIG)
            + SearchVector("body_text", weight="B", config=SEARCH_CONFIG)
        )
        record_audit("outreach.broadcast_created", actor=actor, broadcast=broadcast.pk)
        if publish_at <= now:
            publish(broadcast, now=now)
    return broadcast


def publish(broadcast: Broadcast, *, now: datetime | None = None) -> int:
    """Fix the audience and the e-mail recipients; idempotent (unique rows, stored instant).
    A segment that became empty by then publishes to nobody and says so (returns 0)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Broadcast.objects.select_for_update().get(pk=broadcast.pk)
        if locked.published_at is not None:
            return 0
        if locked.segment_id is not None:
            clients = evaluate(locked.segment.rules)  # type: ignore[union-attr]
        else:
            clients = Client.objects.clients().filter(status__in=LIVE_CLIENT_STATUSES)
        client_ids = list(clients.values_list("pk", flat=True))
        BroadcastAudience.objects.bulk_create(
            [BroadcastAudience(broadcast=locked, client_id=pk) for pk in client_ids],
            ignore_conflicts=True,
            batch_size=1000,
        )
        if locked.email_roles:
            members = Membership.objects.filter(
                client_id__in=client_ids, role__in=locked.email_roles
            ).order_by("user_id", "client_id")
            seen: set[int] = set()
            rows = []
            for user_id, client_id in members.values_list("user_id", "client_id"):
                if user_id not in seen:  # a person in two clients of the audience: once
                    seen.add(user_id)
                    rows.append(BroadcastDelivery(broadcast=locked, user_id=user_id, client_id=client_id))
            BroadcastDelivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
            if rows:
                enqueue_on_commit(SEND_TASK, dedupe_key=f"outreach-broadcast:{locked.pk}")
        locked.published_at = now
        locked.save(update_fields=["published_at"])
        broadcast.published_at = now
    return len(client_ids)


def publish_due(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    due = list(Broadcast.objects.filter(published_at=None, publish_at__lte=now).order_by("publish_at")[:50])
    for broadcast in due:
        publish(broadcast, now=now)
    return len(due)


def send_broadcast_emails(*, batch_size: int = 200) -> int:
    """Send pending broadcast e-mails; each person still reaching the client gets it once."""
    sent = 0
    while True:
        with transaction.atomic():
            pending = list(
                BroadcastDelivery.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("broadcast", "client")
                .filter(sent_at=None, skipped=False)
                .order_by("id")[:batch_size]
            )
            if not pending:
                return sent
            still = who_reaches((d.user_id, d.client) for d in pending)
            done, skipped = [], []
            for delivery in pending:
                user = still.get((delivery.user_id, delivery.client_id))
                if user is None or not delivery.client.is_live:
                    skipped.append(delivery.pk)
                    continue
                broadcast = delivery.broadcast
                send_mail(
                    subject=f"[{delivery.client.name}] {broadcast.title}",
                    message=f"{broadcast.body_text}\n\n{portal_url(delivery.client)}",
                    from_email=None,
                    recipient_list=[user.email],
                    html_message=broadcast.body_html,
                )
                done.append(delivery.pk)
                sent += 1
            now = timezone.now()
            BroadcastDelivery.objects.filter(pk__in=done).update(sent_at=now)
            BroadcastDelivery.objects.filter(pk__in=skipped).update(skipped=True)


# ------------------------------------------------------------------ reading


def broadcasts_for(client: Client, user: Any) -> QuerySet[Broadcast]:
    """The published broadcasts addressed to `client`, for someone who reaches it (the
    client's status page shows these). Nothing when the person doesn't reach the client."""
    if not clients_visible_to(user).filter(pk=client.pk).exists():
        return Broadcast.objects.none()
    return Broadcast.objects.filter(audience__client=client, published_at__isnull=False).order_by(
        "-published_at"
    )


def broadcasts_visible_to(user: User) -> QuerySet[Broadcast]:
    """Staff of outreach: every broadcast. Client users: those addressed to their clients."""
    if user.is_msp_staff and user.msp_role in OUTREACH_ROLES:
        return Broadcast.objects.all()
    clients = clients_visible_to(user)
    if user.is_msp_staff:
        return Broadcast.objects.none()
    return Broadcast.objects.filter(audience__client__in=clients, published_at__isnull=False).distinct()


def _query_terms(title: str) -> str:
    words = [w for w in re.findall(r"[A-Za-z0-9]+", title.lower()) if len(w) > 1][:12]
    return " | ".join(words)


def suggest(
    client: Client, user: User, title: str, *, now: datetime | None = None
) -> tuple[Suggestion | None, list[Broadcast]]:
    """Broadcasts and how-tos of `client` matching a new request's title (full-text search,
    ranked); the suggestion is recorded so what happens next is counted."""
    title = _clean_text(title, "title", 200)
    terms = _query_terms(title)
    if not terms:
        return None, []
    query = SearchQuery(terms, search_type="raw", config=SEARCH_CONFIG)
    found: list[Broadcast] = list(
        Broadcast.objects.filter(audience__client=client, published_at__isnull=False, search=query)
        .annotate(rank=SearchRank(F("search"), query))
        .order_by("-rank", "-published_at")[:SUGGESTION_LIMIT]
    )
    if not found:
        return None, []
    suggestion = Suggestion.objects.create(
        client=client,
        user=user,
        query=title,
        broadcast_ids=[b.pk for b in found],
        created_at=now or timezone.now(),
    )
    return suggestion, found


def record_outcome(
    suggestion_id: Any, *, user: User, outcome: str, broadcast_id: int | None = None
) -> Suggestion:
    """ "This solved it" (naming the broadcast), abandoned, or submitted anyway — once."""
    if outcome not in (SuggestionOutcome.SOLVED, SuggestionOutcome.ABANDONED, SuggestionOutcome.SUBMITTED):
        raise ActionError.single(
            "INVALID", "Say whether it solved it, was abandoned or submitted.", "outcome"
        )
    with transaction.atomic():
        suggestion = Suggestion.objects.select_for_update().filter(pk=suggestion_id, user=user).first()
        if suggestion is None:
            raise ActionError.single("NOT_FOUND", "There is no such suggestion of yours.", "suggestionId")
        if suggestion.outcome != SuggestionOutcome.SHOWN:
            if suggestion.outcome == outcome:
                return suggestion  # the same answer again (a retry): nothing more to count
            raise ActionError.single(
                "INVALID_STATE", "This suggestion's outcome is recorded already.", "outcome"
            )
        if outcome == SuggestionOutcome.SOLVED:
            if broadcast_id not in suggestion.broadcast_ids:
                raise ActionError.single(
                    "NOT_FOUND", "Name the suggested article that solved it.", "broadcastId"
                )
            suggestion.solved_by_id = broadcast_id
        suggestion.outcome = outcome
        suggestion.closed_at = timezone.now()
        suggestion.save(update_fields=["outcome", "solved_by", "closed_at"])
    return suggestion


@dataclass(frozen=True)
class Deflection:
    shown: int
    solved: int
    abandoned: int
    submitted: int

    @property
    def rate(self) -> float | None:
        """Share of suggestions after which no request was raised (solved or abandoned)."""
        return round((self.solved + self.abandoned) / self.shown, 3) if self.shown else None


def deflection(broadcast_ids: list[int]) -> dict[int, Deflection]:
    """Per broadcast: how often it was suggested and what followed; one query (the GIN
    index on `broadcast_ids` finds the suggestions)."""
    result = {pk: Deflection(0, 0, 0, 0) for pk in broadcast_ids}
    if not broadcast_ids:
        return result
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT b.id,
                   count(s.id),
                   count(s.id) FILTER (WHERE s.outcome = 'solved' AND s.solved_by_id = b.id),
                   count(s.id) FILTER (WHERE s.outcome = 'abandoned'),
                   count(s.id) FILTER (WHERE s.outcome = 'submitted')
              FROM unnest(%s::integer[]) AS b(id)
              JOIN outreach_suggestion s ON s.broadcast_ids @> ARRAY[b.id]
             GROUP BY b.id
            """,
            [broadcast_ids],
        )
        for pk, shown, solved, abandoned, submitted in cursor.fetchall():
            result[pk] = Deflection(shown, solved, abandoned, submitted)
    return result
