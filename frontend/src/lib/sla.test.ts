import { describe, expect, it } from 'vitest';
import type { BreachState } from '../graphql/generated';
import { BREACH_TONE, clockLabel, countdown, effectiveBreachState, formatCountdown, formatDuration, formatMinutes, parseJson } from './sla';

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
    expect(BREACH_TONE).toEqual({ BREACHED: 'red', WARNING: 'amber', ON_TRACK: 'green', PAUSED: 'grey', NONE: 'none' });
  });

  it('follows the clock between polls: past deadline → breached, within the hour → warning', () => {
    expect(effectiveBreachState('ON_TRACK', at(2 * H), NOW)).toBe('ON_TRACK');
    expect(effectiveBreachState('ON_TRACK', at(30 * MIN), NOW)).toBe('WARNING');
    expect(effectiveBreachState('ON_TRACK', at(-1 * S), NOW)).toBe('BREACHED');
    expect(effectiveBreachState('WARNING', at(-1 * S), NOW)).toBe('BREACHED');
    expect(effectiveBreachState('WARNING', at(3 * H), NOW)).toBe('WARNING');
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
