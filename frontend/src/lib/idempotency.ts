/**
 * Idempotency keys for form submissions: the `idempotencyKey` argument of replies, internal
 * notes, new tickets and client provisioning.
 *
 * One key per submission. Every retry of the same content (a double click, "send" again after
 * the network dropped the answer) carries the same key, so the server stores it once and answers
 * with the first result. Changed content, or a new submission after one succeeded, gets a new key.
 */
import { useCallback, useRef } from 'react';

/** A random UUID (v4). `crypto.randomUUID` needs a secure context (https or localhost); a portal
 * served over plain http on a LAN name falls back to `crypto.getRandomValues`, available everywhere. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c.randomUUID === 'function') return c.randomUUID();
  const bytes = c.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type SubmissionKey = {
  /** The key for sending `submission` (the variables without the key): the same as last time
   * while the content is the same, a new one when it changed. */
  keyFor: (submission: unknown) => string;
  /** The submission succeeded: the next one is a new submission with a new key. */
  done: () => void;
};

export function useSubmissionKey(): SubmissionKey {
  const current = useRef<{ content: string; key: string } | null>(null);
  const keyFor = useCallback((submission: unknown) => {
    const content = JSON.stringify(submission);
    if (current.current?.content !== content) current.current = { content, key: newIdempotencyKey() };
    return current.current.key;
  }, []);
  const done = useCallback(() => {
    current.current = null;
  }, []);
  return { keyFor, done };
}
