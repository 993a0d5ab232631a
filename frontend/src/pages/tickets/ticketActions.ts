/**
 * Ticket mutations share one payload shape: `{ ticket, errors { field code message } }`.
 * `useTicketAction` runs one, hands the fresh ticket to the page, and splits
 * errors into per-field messages (camelCase input names) and general ones.
 */
import { useCallback, useState } from 'react';
import { splitErrors } from '../../auth/authErrors';
import type { SupportErrorCode, TicketFieldsFragment, TicketStatus } from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';

export type SupportErrorLike = { field: string | null; code: SupportErrorCode; message: string };
type Payload = { ticket: TicketFieldsFragment | null; errors: SupportErrorLike[] };

export type ActionResult = { ok: boolean; ticket: TicketFieldsFragment | null };

export type ActionErrors = { fields: Record<string, string>; general: string[] };

const NO_ERRORS: ActionErrors = { fields: {}, general: [] };

/** The payload of a single-field mutation result (`{ logTime: { ticket, errors } }` → `{ ticket, errors }`). */
function payloadOf(data: unknown): Payload | null {
  if (!data || typeof data !== 'object') return null;
  const first = Object.values(data as Record<string, unknown>)[0];
  return first && typeof first === 'object' ? (first as Payload) : null;
}

export function useTicketAction<TData, TVars extends Record<string, unknown>>(
  mutation: string,
  knownFields: readonly string[],
  onTicket: (ticket: TicketFieldsFragment) => void,
) {
  const [mutate, state] = useMutation<TData, TVars>(mutation);
  const [errors, setErrors] = useState<ActionErrors>(NO_ERRORS);

  const run = useCallback(
    async (variables: TVars): Promise<ActionResult> => {
      setErrors(NO_ERRORS);
      const data = await mutate(variables);
      const payload = payloadOf(data);
      if (!payload) return { ok: false, ticket: null }; // transport error: in `state.error`
      if (payload.errors.length > 0) {
        setErrors(splitErrors(payload.errors, knownFields));
        return { ok: false, ticket: payload.ticket };
      }
      if (payload.ticket) onTicket(payload.ticket);
      return { ok: true, ticket: payload.ticket };
    },
    [mutate, knownFields, onTicket],
  );

  const clearErrors = useCallback(() => setErrors(NO_ERRORS), []);
  /** General errors plus the transport error, for an Alert. */
  const generalMessages = [...errors.general, ...(state.error ? [state.error.message] : [])];
  return { run, loading: state.loading, errors, generalMessages, clearErrors };
}

// ----------------------------------------------------------- status rules

/**
 * Which statuses staff may move a ticket to (mirrors the server's lifecycle so
 * the select doesn't offer moves it would refuse; the server stays the authority).
 */
export const STAFF_TRANSITIONS: Record<TicketStatus, readonly TicketStatus[]> = {
  NEW: ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CLIENT', 'WAITING_ON_VENDOR', 'RESOLVED'],
  OPEN: ['IN_PROGRESS', 'WAITING_ON_CLIENT', 'WAITING_ON_VENDOR', 'RESOLVED'],
  IN_PROGRESS: ['OPEN', 'WAITING_ON_CLIENT', 'WAITING_ON_VENDOR', 'RESOLVED'],
  WAITING_ON_CLIENT: ['OPEN', 'IN_PROGRESS', 'WAITING_ON_VENDOR', 'RESOLVED'],
  WAITING_ON_VENDOR: ['OPEN', 'IN_PROGRESS', 'WAITING_ON_CLIENT', 'RESOLVED'],
  RESOLVED: ['CLOSED', 'OPEN'],
  CLOSED: ['OPEN'],
};

// ------------------------------------------------------------ staff ids

/** graphene's Relay global id of a staff member (`base64("StaffMember:<pk>")`). */
export function staffGlobalId(pk: string | number): string {
  return btoa(`StaffMember:${pk}`);
}

/** The database id inside a StaffMember global id (timeline details name people by it). */
export function staffPk(globalId: string): string | null {
  try {
    const [kind, pk] = atob(globalId).split(':');
    return kind === 'StaffMember' && pk ? pk : null;
  } catch {
    return null;
  }
}
