import { describe, expect, it } from 'vitest';
import { formatDate } from './format';

describe('formatDate', () => {
  it('formats a calendar day as that day in the viewer’s zone (not UTC midnight)', () => {
    const expected = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(2026, 10, 24));
    expect(formatDate('2026-11-24')).toBe(expected);
    expect(formatDate('2026-11-24')).toContain('24');
  });

  it('formats instants and rejects garbage', () => {
    expect(formatDate('2026-11-24T12:00:00Z')).toContain('2026');
    expect(formatDate('not a date')).toBe('—');
    expect(formatDate(null)).toBe('—');
  });
});
