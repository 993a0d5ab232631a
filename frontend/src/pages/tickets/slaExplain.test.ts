import { describe, expect, it } from 'vitest';
import { businessTime, calendarSentence, explainSentences, weeklyHoursText, zoneOffsetMinutes, type ClockExplain, type ExplainCalendar } from './slaExplain';

const LONDON: ExplainCalendar = {
  name: 'Office',
  timezone: 'Europe/London',
  mode: 'business_hours',
  weekly_hours: { Mon: ['09:00-17:00'], Tue: ['09:00-17:00'], Wed: ['09:00-17:00'], Thu: ['09:00-17:00'], Fri: ['09:00-17:00'] },
  holiday_country: 'GB',
  holiday_subdivision: 'ENG',
  closure_dates: ['2026-12-24'],
  summary: 'Office (Europe/London): Mon-Fri 09:00-17:00; GB-ENG public holidays and 1 closure date',
};

// Winter: London is UTC+0, Berlin UTC+1, New York UTC-5.
const WINTER = new Date('2026-01-15T12:00:00Z');
const opts = (timeZone: string) => ({ timeZone, locale: 'en-GB', now: WINTER });

describe('zoneOffsetMinutes', () => {
  it('knows standard and summer time', () => {
    expect(zoneOffsetMinutes('Europe/London', WINTER)).toBe(0);
    expect(zoneOffsetMinutes('Europe/London', new Date('2026-07-01T12:00:00Z'))).toBe(60);
    expect(zoneOffsetMinutes('America/New_York', WINTER)).toBe(-300);
    expect(zoneOffsetMinutes('Asia/Kolkata', WINTER)).toBe(330);
    expect(zoneOffsetMinutes('Not/AZone', WINTER)).toBeNaN();
  });
});

describe('calendar in words', () => {
  it('groups weekdays with the same hours', () => {
    expect(weeklyHoursText(LONDON.weekly_hours!)).toBe('Mon–Fri 09:00–17:00');
    expect(weeklyHoursText({ Mon: ['08:00-12:00', '13:00-17:00'], Tue: ['08:00-12:00', '13:00-17:00'], Sat: ['10:00-14:00'] })).toBe(
      'Mon–Tue 08:00–12:00, 13:00–17:00; Sat 10:00–14:00',
    );
  });

  it('says the hours in the calendar’s zone and, when different, in the viewer’s', () => {
    expect(calendarSentence(LONDON, opts('Europe/London'))).toBe(
      'Business time counts Mon–Fri 09:00–17:00 (your time), except on public holidays in United Kingdom (ENG) and 1 closure day.',
    );
    expect(calendarSentence(LONDON, opts('Europe/Berlin'))).toBe(
      'Business time counts Mon–Fri 09:00–17:00 Europe/London time (Mon–Fri 10:00–18:00 your time), except on public holidays in United Kingdom (ENG) and 1 closure day.',
    );
    expect(calendarSentence({ ...LONDON, holiday_country: null, closure_dates: [] }, opts('America/New_York'))).toBe(
      'Business time counts Mon–Fri 09:00–17:00 Europe/London time (Mon–Fri 04:00–12:00 your time).',
    );
    expect(calendarSentence({ ...LONDON, holiday_country: null, closure_dates: [] }, opts('Africa/Abidjan'))).toBe(
      'Business time counts Mon–Fri 09:00–17:00 (Europe/London time, the same as yours).',
    );
  });

  it('handles 24/7, a summary only, and nothing', () => {
    expect(calendarSentence({ mode: '24x7', timezone: 'UTC' }, opts('UTC'))).toBe('Business time counts around the clock, every day (24/7).');
    expect(calendarSentence({ summary: 'Office (Europe/London): Mon-Fri 09:00-17:00' }, opts('UTC'))).toBe(
      'Business time counts during Office (Europe/London): Mon-Fri 09:00-17:00.',
    );
    expect(calendarSentence(undefined)).toBeNull();
  });
});

describe('explainSentences', () => {
  const base: ClockExplain = {
    clock: 'first_resolution',
    policy: 'Standard',
    priority: 'P2',
    target_minutes: 480,
    calendar: LONDON,
    started_at: '2026-01-15T09:00:00+00:00',
    excluded_segments: [
      { kind: 'paused', reason: 'waiting on client', started_at: '2026-01-15T10:00:00+00:00', ended_at: '2026-01-15T11:30:00+00:00', business_minutes: 90 },
    ],
  };
  const clock = {
    name: 'first_resolution',
    state: 'RUNNING' as const,
    targetMinutes: 480,
    usedMinutes: 120,
    overdueMinutes: 0,
    startedAt: '2026-01-15T09:00:00Z',
    dueAt: '2026-01-16T11:30:00Z',
    stoppedAt: null,
  };

  it('tells a running clock’s story in the viewer’s time zone', () => {
    expect(explainSentences(clock, base, opts('Europe/Berlin'))).toEqual([
      'Under the Standard SLA, a P2 ticket should get a resolution within 8h of business time.',
      'Business time counts Mon–Fri 09:00–17:00 Europe/London time (Mon–Fri 10:00–18:00 your time), except on public holidays in United Kingdom (ENG) and 1 closure day.',
      'The clock started 15 Jan 2026, 10:00.',
      'Paused while waiting on client from 15 Jan 2026, 11:00 until 15 Jan 2026, 12:30: 1h 30m of business time didn’t count, so the due time moved later by as much.',
      'So it is due 16 Jan 2026, 12:30: 8h of business time after the start, plus 1h 30m that didn’t count.',
    ]);
  });

  it('an ongoing pause, and a paused clock without a due time', () => {
    const paused = { ...clock, state: 'PAUSED' as const, dueAt: null };
    const lines = explainSentences(
      paused,
      { ...base, excluded_segments: [{ kind: 'paused', reason: 'waiting on vendor', started_at: '2026-01-15T16:00:00Z', ended_at: null, business_minutes: 60 }] },
      opts('Europe/London'),
    );
    expect(lines).toContain('Paused while waiting on vendor since 15 Jan 2026, 16:00: 1h of business time so far doesn’t count, and the due time waits until the clock runs again.');
    expect(lines.at(-1)).toBe('While the clock is paused it has no due time; it gets one again when the clock runs again.');
  });

  it('a pause outside business hours, a resolved stretch, and one after the due time', () => {
    const lines = explainSentences(
      { ...clock, dueAt: '2026-01-15T13:00:00Z' },
      {
        ...base,
        excluded_segments: [
          { kind: 'paused', reason: 'waiting on client', started_at: '2026-01-15T18:00:00Z', ended_at: '2026-01-15T19:00:00Z', business_minutes: 0 },
          { kind: 'resolved', reason: null, started_at: '2026-01-15T11:00:00Z', ended_at: '2026-01-15T12:00:00Z', business_minutes: 60 },
        ],
      },
      opts('Europe/London'),
    );
    expect(lines).toContain('Paused while waiting on client from 15 Jan 2026, 18:00 until 15 Jan 2026, 19:00: that came after the due time, so the due time stayed where it was.');
    expect(lines).toContain('Resolved from 15 Jan 2026, 11:00 until 15 Jan 2026, 12:00: 1h of business time didn’t count, so the due time moved later by as much.');
    expect(lines.at(-1)).toBe('So it is due 15 Jan 2026, 13:00: 8h of business time after the start, plus 1h that didn’t count.');
  });

  it('ends with the outcome of a stopped clock', () => {
    const met = explainSentences({ ...clock, state: 'MET', usedMinutes: 455, stoppedAt: '2026-01-16T10:00:00Z' }, base, opts('Europe/London'));
    expect(met.at(-2)).toBe('So it was due 16 Jan 2026, 11:30: 8h of business time after the start, plus 1h 30m that didn’t count.');
    expect(met.at(-1)).toBe('Met: the clock stopped 16 Jan 2026, 10:00 with 25m of business time to spare.');
    const breached = explainSentences({ ...clock, state: 'BREACHED', usedMinutes: 500, overdueMinutes: 20, stoppedAt: '2026-01-16T12:00:00Z' }, base, opts('Europe/London'));
    expect(breached.at(-1)).toBe('Breached: the clock stopped 16 Jan 2026, 12:00, 20m of business time past the target.');
    const late = explainSentences({ ...clock, state: 'BREACHED', usedMinutes: 500, overdueMinutes: 20 }, base, opts('Europe/London'));
    expect(late.at(-1)).toBe('Breached: the due time passed; so far 20m of business time past the target.');
  });

  it('a clock without a target', () => {
    expect(explainSentences({ ...clock, state: 'NOT_APPLICABLE', targetMinutes: null, dueAt: null }, { ...base, target_minutes: null, priority: 'P4' }, opts('UTC'))).toEqual([
      'Under the Standard SLA, a P4 ticket has no target for a resolution, so this clock isn’t measured.',
    ]);
  });

  it('business time in words', () => {
    expect(businessTime(0)).toBe('less than a minute');
    expect(businessTime(240)).toBe('4h');
    expect(businessTime(65)).toBe('1h 05m');
    expect(businessTime(null)).toBe('—');
  });
});
