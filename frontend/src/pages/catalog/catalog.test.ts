import { describe, expect, it } from 'vitest';
import {
  calendarErrorFields,
  formatCalendarDate,
  formatTargetMinutes,
  indexedErrorsByKey,
  isKnownTimeZone,
  mapCatalogErrors,
  orderedWindows,
  parseTargetMinutes,
  parseThresholdPercents,
  parseTimeOfDay,
  policyErrorFields,
  summariseWeek,
  targetErrorFields,
  thresholdsToPercentText,
  validateWindow,
  validateWindows,
} from './catalog';
import { calendarInputFromDraft, draftFromCalendar, validateCalendarDraft, type CalendarDraft } from './calendarDraft';
import { buildTargetRows, buildTargets, draftFromPolicy, targetsChanged } from './targetsDraft';

describe('target minutes ⇄ "1h 30m"', () => {
  it('formats business minutes as hours and minutes, never days; empty for no target', () => {
    expect(formatTargetMinutes(null)).toBe('');
    expect(formatTargetMinutes(undefined)).toBe('');
    expect(formatTargetMinutes(0)).toBe('0m');
    expect(formatTargetMinutes(45)).toBe('45m');
    expect(formatTargetMinutes(60)).toBe('1h');
    expect(formatTargetMinutes(90)).toBe('1h 30m');
    expect(formatTargetMinutes(65)).toBe('1h 05m');
    expect(formatTargetMinutes(2400)).toBe('40h');
  });

  it.each([
    ['90', 90],
    ['90m', 90],
    ['90 min', 90],
    ['1h 30m', 90],
    ['1h30m', 90],
    ['1h30', 90],
    ['1h 05m', 65],
    ['1.5h', 90],
    ['1:30', 90],
    ['2 hours', 120],
    ['4H', 240],
    ['  40h ', 2400],
    ['0', 0],
    ['0m', 0],
  ])('reads %j as %i minutes', (text, minutes) => {
    expect(parseTargetMinutes(text)).toEqual({ ok: true, minutes });
  });

  it('reads empty as "no target"', () => {
    expect(parseTargetMinutes('')).toEqual({ ok: true, minutes: null });
    expect(parseTargetMinutes('   ')).toEqual({ ok: true, minutes: null });
  });

  it.each(['abc', '1x', '-5', '30m 1h', '1h 2h', '1.5', 'h', '1:75'])('refuses %j', (text) => {
    expect(parseTargetMinutes(text).ok).toBe(false);
  });

  it('refuses parts of a minute', () => {
    expect(parseTargetMinutes('1.01h')).toEqual({ ok: false, message: 'Targets are whole minutes.' });
  });

  it('round-trips every formatted value', () => {
    for (const m of [1, 59, 60, 61, 90, 119, 480, 1440, 2400, 9999]) {
      expect(parseTargetMinutes(formatTargetMinutes(m))).toEqual({ ok: true, minutes: m });
    }
  });
});

describe('warning thresholds % ⇄ fractions', () => {
  it('shows fractions as percentages without float noise', () => {
    expect(thresholdsToPercentText([0.75, 0.9])).toBe('75, 90');
    expect(thresholdsToPercentText([0.29, 0.575])).toBe('29, 57.5');
    expect(thresholdsToPercentText([])).toBe('');
  });

  it('sends percentages as fractions', () => {
    expect(parseThresholdPercents('75, 90')).toEqual({ ok: true, fractions: [0.75, 0.9] });
    expect(parseThresholdPercents('75% 90%')).toEqual({ ok: true, fractions: [0.75, 0.9] });
    expect(parseThresholdPercents('7,29;57.5')).toEqual({ ok: true, fractions: [0.07, 0.29, 0.575] });
    expect(parseThresholdPercents('')).toEqual({ ok: true, fractions: [] });
  });

  it('leaves range and order to the server but refuses unreadable text', () => {
    expect(parseThresholdPercents('90, 75')).toEqual({ ok: true, fractions: [0.9, 0.75] });
    expect(parseThresholdPercents('150')).toEqual({ ok: true, fractions: [1.5] });
    expect(parseThresholdPercents('75, lots').ok).toBe(false);
    expect(parseThresholdPercents('-10').ok).toBe(false);
  });

  it('round-trips', () => {
    for (const f of [[0.5], [0.75, 0.9], [0.33, 0.66, 0.99], [0.125]]) {
      const back = parseThresholdPercents(thresholdsToPercentText(f));
      expect(back).toEqual({ ok: true, fractions: f });
    }
  });
});

describe('working windows', () => {
  it('reads times; only an end may be 24:00', () => {
    expect(parseTimeOfDay('09:30')).toBe(570);
    expect(parseTimeOfDay('9:30')).toBe(570);
    expect(parseTimeOfDay('00:00')).toBe(0);
    expect(parseTimeOfDay('23:59')).toBe(1439);
    expect(parseTimeOfDay('24:00')).toBeNull();
    expect(parseTimeOfDay('24:00', true)).toBe(1440);
    expect(parseTimeOfDay('24:30', true)).toBeNull();
    expect(parseTimeOfDay('12:60')).toBeNull();
    expect(parseTimeOfDay('noon')).toBeNull();
  });

  it('needs the end after the start', () => {
    expect(validateWindow('09:00', '17:00')).toBeNull();
    expect(validateWindow('22:00', '24:00')).toBeNull();
    expect(validateWindow('00:00', '24:00')).toBeNull();
    expect(validateWindow('17:00', '09:00')).toBe('A window must end after it starts.');
    expect(validateWindow('09:00', '09:00')).toBe('A window must end after it starts.');
    expect(validateWindow('24:00', '24:00')).toMatch(/cannot start at 24:00/);
    expect(validateWindow('9', '17:00')).toBe('Write times as HH:MM (end of day is 24:00).');
    expect(validateWindow('09:00', '')).toBe('Write times as HH:MM (end of day is 24:00).');
  });

  it('allows split shifts and touching windows but marks overlaps on the same day', () => {
    const errors = validateWindows([
      { key: 'a', weekday: 0, start: '09:00', end: '12:30' },
      { key: 'b', weekday: 0, start: '13:00', end: '17:30' },
      { key: 'c', weekday: 1, start: '09:00', end: '12:30' },
      { key: 'd', weekday: 1, start: '12:30', end: '17:30' },
      { key: 'e', weekday: 2, start: '13:00', end: '18:00' },
      { key: 'f', weekday: 2, start: '09:00', end: '14:00' },
      { key: 'g', weekday: 3, start: '22:00', end: '24:00' },
      { key: 'h', weekday: 4, start: '00:00', end: '06:00' },
      { key: 'i', weekday: 5, start: '18:00', end: '10:00' },
    ]);
    expect(errors).toEqual({ e: 'Overlaps 09:00–14:00.', i: 'A window must end after it starts.' });
  });

  it('marks a window inside a longer one', () => {
    expect(
      validateWindows([
        { key: 'a', weekday: 0, start: '08:00', end: '18:00' },
        { key: 'b', weekday: 0, start: '10:00', end: '11:00' },
        { key: 'c', weekday: 0, start: '12:00', end: '13:00' },
      ]),
    ).toEqual({ b: 'Overlaps 08:00–18:00.', c: 'Overlaps 08:00–18:00.' });
  });

  it('sends windows by weekday, keeping the order within a day', () => {
    const sent = orderedWindows([
      { key: 'x', weekday: 2, start: '13:00', end: '17:00' },
      { key: 'y', weekday: 0, start: '09:00', end: '12:00' },
      { key: 'z', weekday: 2, start: '09:00', end: '12:00' },
    ]);
    expect(sent.map((w) => w.key)).toEqual(['y', 'x', 'z']);
  });

  it('summarises a week, grouping days with the same hours', () => {
    const windows = [0, 1, 2, 3, 4].flatMap((weekday) => [
      { weekday, start: '09:00', end: '12:30' },
      { weekday, start: '13:00', end: '17:30' },
    ]);
    expect(summariseWeek(windows)).toBe('Mon–Fri 09:00–12:30, 13:00–17:30');
    expect(summariseWeek([...windows, { weekday: 5, start: '10:00', end: '14:00' }])).toBe('Mon–Fri 09:00–12:30, 13:00–17:30 · Sat 10:00–14:00');
    expect(summariseWeek([])).toBe('No working hours');
  });
});

describe('calendar form', () => {
  const base: CalendarDraft = {
    id: '3',
    name: ' London office ',
    timezone: 'Europe/London',
    alwaysOpen: false,
    holidayCountry: 'gb',
    holidaySubdivision: 'eng',
    windows: [
      { key: 'w2', weekday: 1, start: '9:00', end: '17:00' },
      { key: 'w1', weekday: 0, start: '09:00', end: '12:30' },
      { key: 'w3', weekday: 0, start: '13:00', end: '24:00' },
    ],
    closures: [
      { key: 'c1', date: '2025-12-24', reason: ' Office party ' },
      { key: 'c2', date: '', reason: '' },
    ],
  };

  it('builds the input (times as HH:MM, codes upper case) and remembers the send order', () => {
    const { input, windowKeys, closureKeys } = calendarInputFromDraft(base);
    expect(input).toEqual({
      id: '3',
      name: 'London office',
      timezone: 'Europe/London',
      alwaysOpen: false,
      holidayCountry: 'GB',
      holidaySubdivision: 'ENG',
      windows: [
        { weekday: 0, start: '09:00', end: '12:30' },
        { weekday: 0, start: '13:00', end: '24:00' },
        { weekday: 1, start: '09:00', end: '17:00' },
      ],
      closures: [{ date: '2025-12-24', reason: 'Office party' }],
    });
    expect(windowKeys).toEqual(['w1', 'w3', 'w2']);
    expect(closureKeys).toEqual(['c1']);
    expect('id' in calendarInputFromDraft({ ...base, id: null }).input).toBe(false);
  });

  it('checks the obvious before sending', () => {
    const errors = validateCalendarDraft({
      ...base,
      name: ' ',
      timezone: 'Europe/Londn',
      holidayCountry: 'GBR',
      windows: [{ key: 'w', weekday: 0, start: '17:00', end: '09:00' }],
      closures: [
        { key: 'a', date: '2025-12-24', reason: '' },
        { key: 'b', date: '2025-12-24', reason: '' },
        { key: 'c', date: '', reason: 'x' },
      ],
    });
    expect(Object.keys(errors.fields).sort()).toEqual(['holidayCountry', 'name', 'timezone']);
    expect(errors.windows).toEqual({ w: 'A window must end after it starts.' });
    expect(Object.keys(errors.closures).sort()).toEqual(['b', 'c']);
    expect(validateCalendarDraft({ ...base, holidayCountry: '', holidaySubdivision: 'ENG' }).fields['holidaySubdivision']).toMatch(/needs a holiday country/);
    expect(validateCalendarDraft({ ...base, windows: [] }).fields['windows']).toMatch(/at least one working window/);
    expect(validateCalendarDraft({ ...base, windows: [], alwaysOpen: true }).fields).toEqual({});
  });

  it('reads a calendar from the API with windows in weekday order', () => {
    const d = draftFromCalendar({
      id: '1',
      name: 'UK',
      timezone: 'Europe/London',
      alwaysOpen: false,
      holidayCountry: 'GB',
      holidaySubdivision: 'ENG',
      windows: [
        { weekday: 1, start: '09:00', end: '17:00' },
        { weekday: 0, start: '09:00', end: '17:00' },
      ],
      closures: [
        { date: '2025-12-31', reason: 'b' },
        { date: '2025-12-24', reason: 'a' },
      ],
    });
    expect(d.windows.map((w) => w.weekday)).toEqual([0, 1]);
    expect(d.closures.map((c) => c.date)).toEqual(['2025-12-24', '2025-12-31']);
  });

  it('knows IANA zones', () => {
    expect(isKnownTimeZone('Europe/London')).toBe(true);
    expect(isKnownTimeZone('America/Argentina/Buenos_Aires')).toBe(true);
    expect(isKnownTimeZone('Europe/Londn')).toBe(false);
    expect(isKnownTimeZone('')).toBe(false);
  });

  it('shows a closure date as that calendar day, whatever the browser’s offset', () => {
    expect(formatCalendarDate('2025-12-24')).toMatch(/24/);
    expect(formatCalendarDate('not a date')).toBe('not a date');
  });
});

describe('server errors → inputs', () => {
  it('places calendar errors by field and windows by the row they were sent from', () => {
    const mapped = mapCatalogErrors(
      [
        { field: 'name', code: 'DUPLICATE', message: "A calendar called 'UK' already exists." },
        { field: 'windows.2', code: 'INVALID', message: 'A window must end after it starts.' },
        { field: null, code: 'INVALID', message: 'This calendar cannot be used: unknown IANA timezone.' },
        { field: 'windows.9', code: 'INVALID', message: 'Out of range.' },
      ],
      calendarErrorFields(3, 0),
    );
    expect(mapped.fields).toEqual({ name: "A calendar called 'UK' already exists.", 'windows.2': 'A window must end after it starts.' });
    expect(mapped.general).toEqual(['This calendar cannot be used: unknown IANA timezone.', 'Out of range.']);
    expect(indexedErrorsByKey(mapped.fields, 'windows', ['w1', 'w3', 'w2'])).toEqual({ w2: 'A window must end after it starts.' });
  });

  it('joins two errors for the same row', () => {
    expect(indexedErrorsByKey({ 'windows.0': 'One.', 'closures.0': 'Other.', name: 'x' }, 'windows', ['k'])).toEqual({ k: 'One.' });
    expect(indexedErrorsByKey({ 'closures.1': 'Bad.' }, 'closures', ['a', 'b'])).toEqual({ b: 'Bad.' });
  });

  it('places target errors on their cell and threshold errors on the thresholds input', () => {
    const mapped = mapCatalogErrors(
      [
        { field: 'targets.P2.firstResponseMinutes', code: 'INVALID', message: 'P2: targets are positive minutes; leave a target empty for none.' },
        { field: 'warningThresholds', code: 'INVALID', message: 'Warn at increasing fractions between 0 and 1, e.g. 0.75, 0.9.' },
        { field: 'targets', code: 'INVALID', message: 'Give targets for each of P1, P2, P3 and P4 once.' },
        { field: 'policyId', code: 'NOT_FOUND', message: 'No such SLA policy.' },
      ],
      targetErrorFields(),
    );
    expect(Object.keys(mapped.fields).sort()).toEqual(['targets', 'targets.P2.firstResponseMinutes', 'warningThresholds']);
    expect(mapped.general).toEqual(['No such SLA policy.']);
  });

  it('places policy errors on name, calendar and target cells; NOT_FOUND id goes to the top', () => {
    const mapped = mapCatalogErrors(
      [
        { field: 'name', code: 'DUPLICATE', message: "A policy called 'Gold' already exists." },
        { field: 'calendarId', code: 'INVALID', message: 'Choose a business calendar.' },
        { field: 'targets.P4.resolutionMinutes', code: 'INVALID', message: 'P4: targets are positive minutes; leave a target empty for none.' },
        { field: 'id', code: 'NOT_FOUND', message: 'No such SLA policy.' },
      ],
      policyErrorFields(),
    );
    expect(Object.keys(mapped.fields).sort()).toEqual(['calendarId', 'name', 'targets.P4.resolutionMinutes']);
    expect(mapped.general).toEqual(['No such SLA policy.']);
  });
});

describe('targets form', () => {
  const policy = {
    warningThresholds: [0.75, 0.9],
    targets: [
      { priority: 'P1' as const, firstResponseMinutes: 30, nextUpdateMinutes: 60, resolutionMinutes: 240, aroundTheClock: true },
      { priority: 'P4' as const, firstResponseMinutes: 480, nextUpdateMinutes: null, resolutionMinutes: 2400, aroundTheClock: false },
    ],
  };

  it('shows targets friendly, missing priorities empty', () => {
    const d = draftFromPolicy(policy);
    expect(d.rows.P1).toEqual({ firstResponseMinutes: '30m', nextUpdateMinutes: '1h', resolutionMinutes: '4h', aroundTheClock: true });
    expect(d.rows.P2).toEqual({ firstResponseMinutes: '', nextUpdateMinutes: '', resolutionMinutes: '', aroundTheClock: false });
    expect(d.thresholds).toBe('75, 90');
  });

  it('sends every priority in minutes (empty → null, zero kept for the server to refuse) and fractions', () => {
    const d = draftFromPolicy(policy);
    d.rows.P2 = { firstResponseMinutes: '0', nextUpdateMinutes: '4h', resolutionMinutes: '1h 30m', aroundTheClock: false };
    d.thresholds = '50, 80';
    const built = buildTargets(d);
    expect(built).toEqual({
      ok: true,
      warningThresholds: [0.5, 0.8],
      targets: [
        { priority: 'P1', firstResponseMinutes: 30, nextUpdateMinutes: 60, resolutionMinutes: 240, aroundTheClock: true },
        { priority: 'P2', firstResponseMinutes: 0, nextUpdateMinutes: 240, resolutionMinutes: 90, aroundTheClock: false },
        { priority: 'P3', firstResponseMinutes: null, nextUpdateMinutes: null, resolutionMinutes: null, aroundTheClock: false },
        { priority: 'P4', firstResponseMinutes: 480, nextUpdateMinutes: null, resolutionMinutes: 2400, aroundTheClock: false },
      ],
    });
  });

  it('names unreadable inputs with the server’s field names', () => {
    const d = draftFromPolicy(policy);
    d.rows.P3.resolutionMinutes = 'soon';
    d.thresholds = 'often';
    const built = buildTargets(d);
    expect(built.ok).toBe(false);
    expect(!built.ok && Object.keys(built.fields).sort()).toEqual(['targets.P3.resolutionMinutes', 'warningThresholds']);
  });

  it('builds the rows alone (a new policy has no thresholds to send)', () => {
    const d = draftFromPolicy(policy);
    d.thresholds = 'often';
    const built = buildTargetRows(d.rows);
    expect(built.ok && built.targets.map((t) => t.priority)).toEqual(['P1', 'P2', 'P3', 'P4']);
    d.rows.P2.firstResponseMinutes = 'soon';
    expect(buildTargetRows(d.rows)).toEqual({ ok: false, fields: { 'targets.P2.firstResponseMinutes': expect.any(String) } });
  });

  it('notices changes by value, not by spelling', () => {
    const d = draftFromPolicy(policy);
    expect(targetsChanged(d, policy)).toBe(false);
    d.rows.P1.nextUpdateMinutes = '60';
    expect(targetsChanged(d, policy)).toBe(false);
    d.rows.P1.nextUpdateMinutes = '61';
    expect(targetsChanged(d, policy)).toBe(true);
  });
});
