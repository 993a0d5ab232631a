/**
 * Security mutations answer `{ <thing>, errors { field code message } }`. `useSecurityAction`
 * runs one, hands the thing to the page and splits errors into per-field and general messages.
 */
import { useCallback, useState } from 'react';
import { splitErrors } from '../../auth/authErrors';
import type { SecurityErrorCode } from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';

export type SecurityErrorLike = { field: string | null; code: SecurityErrorCode; message: string };
export type ActionErrors = { fields: Record<string, string>; general: string[] };
const NO_ERRORS: ActionErrors = { fields: {}, general: [] };

type Payload<T> = { errors: SecurityErrorLike[] } & Record<string, T | SecurityErrorLike[] | null>;

function payloadOf<T>(data: unknown): { value: T | null; errors: SecurityErrorLike[] } | null {
  if (!data || typeof data !== 'object') return null;
  const first = Object.values(data as Record<string, unknown>)[0] as Payload<T> | undefined;
  if (!first || typeof first !== 'object') return null;
  const key = Object.keys(first).find((k) => k !== 'errors');
  return { value: key ? ((first[key] as T | null) ?? null) : null, errors: first.errors };
}

export function useSecurityAction<TData, TVars extends Record<string, unknown>, TValue>(
  mutation: string,
  knownFields: readonly string[],
  onValue?: (value: TValue) => void,
) {
  const [mutate, state] = useMutation<TData, TVars>(mutation);
  const [errors, setErrors] = useState<ActionErrors>(NO_ERRORS);

  const run = useCallback(
    async (variables: TVars): Promise<{ ok: boolean; value: TValue | null }> => {
      setErrors(NO_ERRORS);
      const payload = payloadOf<TValue>(await mutate(variables));
      if (!payload) return { ok: false, value: null };
      if (payload.errors.length > 0) {
        setErrors(splitErrors(payload.errors, knownFields));
        return { ok: false, value: payload.value };
      }
      if (payload.value && onValue) onValue(payload.value);
      return { ok: true, value: payload.value };
    },
    [mutate, knownFields, onValue],
  );
  const generalMessages = [...errors.general, ...(state.error ? [state.error.message] : [])];
  return { run, loading: state.loading, errors, generalMessages };
}
