/** Routing and scoping helpers for the service desk pages. */
import type { Viewer } from '../auth/ViewerContext';

/** Staff open a ticket by client and number; client users by number on their portal. */
export function ticketPath(clientSlug: string, number: number): string {
  return `/tickets/${encodeURIComponent(clientSlug)}/${number}`;
}

export function requestPath(number: number): string {
  return `/requests/${number}`;
}

/**
 * The `clientSlug` a client user's service desk queries send: none on their
 * portal host (the host decides), else their first company (as My company does).
 */
export function clientUserSlug(viewer: Viewer | null): string | undefined {
  if (!viewer || viewer.currentClient) return undefined;
  return viewer.memberships[0]?.client.slug;
}

/** True when a key press belongs to a text field (keyboard shortcuts must not fire). */
export function isTypingTarget(target: EventTarget | null): boolean {
  const t = target as HTMLElement | null;
  if (!t || typeof t.tagName !== 'string') return false;
  return t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName);
}

/** Parse a route's ticket number ("42" → 42); null for anything else. */
export function parseTicketNumber(raw: string | undefined): number | null {
  if (!raw || !/^\d{1,9}$/.test(raw)) return null;
  const n = Number(raw);
  return n > 0 ? n : null;
}
