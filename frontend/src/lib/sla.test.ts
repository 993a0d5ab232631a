import { describe, expect, it } from 'vitest';
import type { BreachState } from '../graphql/generated';
import { BREACH_TONE, clockLabel, clockRisk, countdown, effectiveBreachState, firstWarningFraction, formatCountdown, formatDuration, formatMinutes, parseJson } from './sla';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const at = (ms: number) => new Date(NOW + ms).toISOString();
const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [999, '0s'],
    [45 * S, '45s'],
    [MIN, '1m 00s'],
    [12 * MIN + 5 * S, '12m 05s'],
    [H, '1h 00m'],
    [5 * H + 7 * MIN + 59 * S, '5h 07m'],
    [23 * H + 59 * MIN, '23h 59m'],
    [D, '1d 00h'],
    [2 * D + 3 * H + 30 * MIN, '2d 03h'],
    [40 * D, '40d 00h'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    // Direction is not part of the duration.
    expect(formatDuration(-ms)).toBe(text);
  });
});

describe('countdown / formatCountdown', () => {
  it('counts down to a future deadline', () => {
    expect(formatCountdown(at(2 * H + 5 * MIN), NOW)).toBe('2h 05m left');
    expect(formatCountdown(at(3 * D + 4 * H), NOW)).toBe('3d 04h left');
    expect(formatCountdown(at(59 * S), NOW)).toBe('59s left');
    expect(countdown(at(10 * MIN), NOW)).toEqual({ text: '10m 00s', overdue: false, ms: 10 * MIN });
  });

  it('says overdue once the deadline has passed (a deadline of exactly now is overdue)', () => {
    expect(formatCountdown(at(-90 * MIN), NOW)).toBe('1h 30m overdue');
    expect(formatCountdown(at(-2 * D - 1 * H), NOW)).toBe('2d 01h overdue');
    expect(formatCountdown(at(-5 * S), NOW)).toBe('5s overdue');
    expect(countdown(at(0), NOW)?.overdue).toBe(true);
  });

  it('ticks: the same deadline one second later', () => {
    const due = at(MIN + 1 * S);
    expect(formatCountdown(due, NOW)).toBe('1m 01s left');
    expect(formatCountdown(due, NOW + S)).toBe('1m 00s left');
    expect(formatCountdown(due, NOW + 2 * S)).toBe('59s left');
  });

  it('handles an invalid date', () => {
    expect(countdown('not a date', NOW)).toBeNull();
    expect(formatCountdown('not a date', NOW)).toBe('—');
  });
});

describe('formatMinutes (business minutes: hours, never days)', () => {
  it.each([
    [null, '—'],
    [undefined, '—'],
    [0, '0m'],
    [45, '45m'],
    [60, '1h'],
    [95, '1h 35m'],
    [1570, '26h 10m'],
    [-3, '0m'],
  ])('%s → %s', (m, text) => {
    expect(formatMinutes(m)).toBe(text);
  });
});

describe('breach state → colour', () => {
  it('maps every state', () => {
    expect(BREACH_TONE).toEqual({
      BREACHED: 'red',
      WARNING: 'amber',
      CLOCK_ERROR: 'amber',
      ON_TRACK: 'green',
      PAUSED: 'grey',
      NONE: 'none',
    });
  });

  it('follows the clock between polls only when the deadline passes', () => {
    expect(effectiveBreachState('ON_TRACK', at(2 * H), NOW)).toBe('ON_TRACK');
    expect(effectiveBreachState('ON_TRACK', at(-1 * S), NOW)).toBe('BREACHED');
    expect(effectiveBreachState('ON_TRACK', at(0), NOW)).toBe('BREACHED');
    expect(effectiveBreachState('WARNING', at(-1 * S), NOW)).toBe('BREACHED');
    expect(effectiveBreachState('WARNING', at(3 * H), NOW)).toBe('WARNING');
  });

  it('a near deadline alone is not a warning (a P2 with a 1 h first response is on track from its first second)', () => {
    expect(effectiveBreachState('ON_TRACK', at(59 * MIN + 59 * S), NOW)).toBe('ON_TRACK');
    expect(effectiveBreachState('ON_TRACK', at(30 * MIN), NOW)).toBe('ON_TRACK');
    expect(effectiveBreachState('ON_TRACK', at(1 * S), NOW)).toBe('ON_TRACK');
  });

  it('leaves paused, breached and no-SLA states alone', () => {
    const states: BreachState[] = ['PAUSED', 'BREACHED', 'NONE'];
    for (const s of states) {
      expect(effectiveBreachState(s, at(-H), NOW)).toBe(s);
      expect(effectiveBreachState(s, null, NOW)).toBe(s);
    }
    expect(effectiveBreachState('BREACHED', at(5 * H), NOW)).toBe('BREACHED');
  });
});

describe('clockRisk (a clock on the ticket page)', () => {
  const running = (usedMinutes: number, targetMinutes: number, dueAt: string | null = at(H)) => ({
    state: 'RUNNING' as const,
    dueAt,
    usedMinutes,
    targetMinutes,
  });

  it('is green until the first warning threshold of the budget is used, whatever the deadline', () => {
    // A fresh P2 with a 1 h first-response target: due within the hour, but nothing used yet.
    expect(clockRisk(running(0, 60, at(60 * MIN)), NOW)).toBe('green');
    expect(clockRisk(running(44, 60, at(16 * MIN)), NOW)).toBe('green');
  });

  it('is amber from 75 % of the budget (or the policy’s first threshold)', () => {
    expect(clockRisk(running(45, 60, at(15 * MIN)), NOW)).toBe('amber');
    expect(clockRisk(running(59, 60, at(1 * MIN)), NOW)).toBe('amber');
    expect(clockRisk(running(288, 480, at(3 * H)), NOW, 0.6)).toBe('amber');
    expect(clockRisk(running(287, 480, at(3 * H)), NOW, 0.6)).toBe('green');
    expect(clockRisk(running(400, 480, at(3 * H)), NOW, 0.9)).toBe('green');
  });

  it('turns red once the due time has passed (between polls) or the budget is used up', () => {
    expect(clockRisk(running(10, 60, at(-1 * S)), NOW)).toBe('red');
    expect(clockRisk(running(60, 60, at(H)), NOW)).toBe('red');
  });

  it('follows the clock’s state otherwise', () => {
    const base = { dueAt: at(-H), usedMinutes: 90, targetMinutes: 60 };
    expect(clockRisk({ ...base, state: 'BREACHED' }, NOW)).toBe('red');
    expect(clockRisk({ ...base, state: 'MET', usedMinutes: 55 }, NOW)).toBe('green');
    expect(clockRisk({ ...base, state: 'PAUSED', dueAt: null }, NOW)).toBe('grey');
    expect(clockRisk({ state: 'NOT_APPLICABLE', dueAt: null, usedMinutes: null, targetMinutes: null }, NOW)).toBe('none');
    expect(clockRisk({ state: 'RUNNING', dueAt: null, usedMinutes: null, targetMinutes: null }, NOW)).toBe('green');
  });

  it('takes the lowest valid threshold of the policy, else 75 %', () => {
    expect(firstWarningFraction([0.9, 0.6])).toBe(0.6);
    expect(firstWarningFraction([])).toBe(0.75);
    expect(firstWarningFraction(null)).toBe(0.75);
    expect(firstWarningFraction([0, 1.5])).toBe(0.75);
  });
});

describe('clockLabel', () => {
  it('names the clocks', () => {
    expect(clockLabel('first_response')).toBe('First response');
    expect(clockLabel('next_update')).toBe('Next update');
    expect(clockLabel('first_resolution')).toBe('First resolution');
    expect(clockLabel('resolution')).toBe('Resolution');
    expect(clockLabel('vendor_callback')).toBe('Vendor callback');
    expect(clockLabel(null)).toBe('SLA');
  });
});

describe('parseJson', () => {
  it('parses JSONString fields, tolerating double encoding and garbage', () => {
    expect(parseJson('{"a":1}', {})).toEqual({ a: 1 });
    expect(parseJson(JSON.stringify(JSON.stringify({ a: 2 })), {})).toEqual({ a: 2 });
    expect(parseJson('nope', { d: true })).toEqual({ d: true });
    expect(parseJson(null, [])).toEqual([]);
  });
});
