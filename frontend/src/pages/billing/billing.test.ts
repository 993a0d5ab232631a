import { describe, expect, it } from 'vitest';
import { driftTone, formatMinutes, formatMoney, periodLabel } from './billing';

describe('billing helpers', () => {
  it('keeps the minor unit the server sent', () => {
    expect(formatMoney('1234.50', 'USD')).toMatch(/1,234\.50/);
    expect(formatMoney('1235', 'JPY')).toMatch(/1,235/);
    expect(formatMoney('1.005', 'KWD')).toMatch(/1\.005/);
    expect(formatMoney(null, 'USD')).toBe('—');
    expect(formatMoney('12.00', 'XXX-not-a-code')).toBe('12.00 XXX-not-a-code');
  });

  it('writes minutes as hours and minutes', () => {
    expect(formatMinutes(0)).toBe('0 h');
    expect(formatMinutes(60)).toBe('1 h');
    expect(formatMinutes(95)).toBe('1 h 35 min');
    expect(formatMinutes(6)).toBe('6 min');
  });

  it('shows a half-open period by its last day', () => {
    expect(periodLabel('2026-03-01', '2026-04-01')).toMatch(/Mar 31, 2026|31 Mar 2026/);
    expect(periodLabel(null, '2026-04-01')).toBe('—');
  });

  it('highlights drift both ways, and not a missing count', () => {
    expect(driftTone('2')).toBe('up');
    expect(driftTone('-1')).toBe('down');
    expect(driftTone('0')).toBe('none');
    expect(driftTone(null)).toBe('none');
  });
});
