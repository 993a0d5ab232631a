import type { AuthErrorCode } from '../graphql/generated';
import { AUTH_ERROR_MESSAGE } from '../lib/enums';

export type AuthErrorLike = { field: string | null; message: string; code: AuthErrorCode };

/** The user-facing message for an auth error: our wording for known codes, else the server's. */
export function authErrorMessage(e: AuthErrorLike): string {
  const ours = AUTH_ERROR_MESSAGE[e.code];
  if (ours) return ours;
  // WEAK_PASSWORD / REQUIRED / INVALID: the server says *why*.
  return e.message || (e.code === 'WEAK_PASSWORD' ? 'Choose a stronger password.' : 'Check this value.');
}

/** Split errors into per-field messages and general ones. */
export function splitErrors<E extends { field: string | null; message: string }>(
  errors: readonly E[],
  knownFields: readonly string[],
  toMessage: (e: E) => string = (e) => e.message,
): { fields: Record<string, string>; general: string[] } {
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const e of errors) {
    const msg = toMessage(e);
    if (e.field && knownFields.includes(e.field)) {
      fields[e.field] = fields[e.field] ? `${fields[e.field]} ${msg}` : msg;
    } else {
      general.push(msg);
    }
  }
  return { fields, general };
}
