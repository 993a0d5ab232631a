import type { ClientRole } from '../graphql/generated';
import { CLIENT_ROLE_LABEL, MSP_ROLE_LABEL } from '../lib/enums';
import type { Viewer } from './ViewerContext';

/** Signed in and past any required second factor. */
export function isFullySignedIn(viewer: Viewer | null): viewer is Viewer {
  return !!viewer && !(viewer.otpRequired && !viewer.otpVerified);
}

export function needsSecondFactor(viewer: Viewer | null): boolean {
  return !!viewer && viewer.otpRequired && !viewer.otpVerified;
}

/**
 * Technicians start at their queue; admins and account managers at the clients list; a
 * client's IT lead at the live status page; other client users at their company.
 */
export function homePath(viewer: Viewer): string {
  if (!viewer.isMspStaff) return roleInClient(viewer, defaultClientSlug(viewer)) === 'IT_LEAD' ? '/status' : '/company';
  return viewer.mspRole === 'TECHNICIAN' ? '/queue' : '/clients';
}

/** Only allow same-app relative redirects after sign-in (no open redirects). */
export function safeNext(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  if (next.startsWith('/login') || next.startsWith('/invite/')) return null;
  return next;
}

export function roleInClient(viewer: Viewer, slug: string | undefined): ClientRole | null {
  if (!slug) return null;
  return viewer.memberships.find((m) => m.client.slug === slug)?.role ?? null;
}

/** The client a client user is looking at by default. */
export function defaultClientSlug(viewer: Viewer): string | undefined {
  return viewer.currentClient?.slug ?? viewer.memberships[0]?.client.slug;
}

export function roleBadge(viewer: Viewer, clientSlug?: string): string {
  if (viewer.isMspStaff) return viewer.mspRole ? MSP_ROLE_LABEL[viewer.mspRole] : 'MSP staff';
  const role = roleInClient(viewer, clientSlug ?? defaultClientSlug(viewer));
  return role ? CLIENT_ROLE_LABEL[role] : 'Client user';
}
