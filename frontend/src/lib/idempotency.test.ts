import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newIdempotencyKey, useSubmissionKey } from './idempotency';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

afterEach(() => vi.unstubAllGlobals());

describe('newIdempotencyKey', () => {
  it('is a random UUID v4, a new one every time', () => {
    const keys = new Set(Array.from({ length: 50 }, () => newIdempotencyKey()));
    expect(keys.size).toBe(50);
    for (const key of keys) expect(key).toMatch(UUID_V4);
  });

  it('works without crypto.randomUUID (plain http is not a secure context)', () => {
    const getRandomValues = vi.fn(<T extends ArrayBufferView | null>(array: T) => {
      if (array instanceof Uint8Array) array.fill(0xff);
      return array;
    });
    vi.stubGlobal('crypto', { getRandomValues });
    expect(newIdempotencyKey()).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    expect(getRandomValues).toHaveBeenCalledOnce();
  });
});

describe('useSubmissionKey', () => {
  it('keeps the key while the same content is sent again, and changes it with the content', () => {
    const { result } = renderHook(() => useSubmissionKey());
    const first = result.current.keyFor({ body: 'Hello', number: 42 });
    expect(first).toMatch(UUID_V4);
    expect(result.current.keyFor({ body: 'Hello', number: 42 })).toBe(first);
    const edited = result.current.keyFor({ body: 'Hello there', number: 42 });
    expect(edited).not.toBe(first);
    expect(result.current.keyFor({ body: 'Hello there', number: 42 })).toBe(edited);
  });

  it('gives a new key after a submission succeeded, even for the same content', () => {
    const { result, rerender } = renderHook(() => useSubmissionKey());
    const first = result.current.keyFor({ title: 'Printer jammed' });
    act(() => result.current.done());
    rerender();
    expect(result.current.keyFor({ title: 'Printer jammed' })).not.toBe(first);
  });
});
