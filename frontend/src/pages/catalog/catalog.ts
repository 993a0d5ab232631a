/**
 * SLA catalog helpers (pure, unit-tested): target durations ⇄ "1h 30m", warning
 * thresholds % ⇄ fractions, working-window validation, and mapping the server's
 * `errors[].field` (`windows.3`, `targets.P2.firstResponseMinutes`, …) onto inputs.
 */
import { splitErrors } from '../../auth/authErrors';
import type { CatalogErrorCode, Level, Priority } from '../../graphql/generated';
import { formatMinutes } from '../../lib/sla';

export const CATALOG_PRIORITIES: readonly Priority[] = ['P1', 'P2', 'P3', 'P4'];
/** Rows and columns of the triage matrix, most severe first (P1 lands top-left). */
export const CATALOG_LEVELS: readonly Level[] = ['HIGH', 'MEDIUM', 'LOW'];
export const CATALOG_LEVEL_LABEL: Record<Level, string> = { HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low' };

/** 0 = Monday … 6 = Sunday, as the API numbers weekdays. */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export const WEEKDAY_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;

// ------------------------------------------------------------ durations

/** A target for display and for its input: "" (no target), "45m", "1h 30m", "40h" (business time: no days). */
export function formatTargetMinutes(minutes: number | null | undefined): string {
  return minutes === null || minutes === undefined ? '' : formatMinutes(minutes);
}

export type ParsedDuration = { ok: true; minutes: number | null } | { ok: false; message: string };

export const DURATION_HINT = 'Write minutes (90) or hours and minutes (1h 30m).';

const UNIT_MINUTES: Record<string, number> = {
  h: 60,
  hr: 60,
  hrs: 60,
  hour: 60,
  hours: 60,
  m: 1,
  min: 1,
  mins: 1,
  minute: 1,
  minutes: 1,
};

/**
 * Read a target the way people write it: "90", "90m", "1h 30m", "1h30", "1.5h", "1:30", "2 hours".
 * Empty means "no target" (`minutes: null`). Zero is read as 0 — the server refuses it with a
 * field error, which is shown under the input. The result must be whole minutes.
 */
export function parseTargetMinutes(text: string): ParsedDuration {
  const s = text.trim().toLowerCase();
  if (s === '') return { ok: true, minutes: null };
  let total: number;
  const clock = /^(\d+):([0-5]\d)$/.exec(s);
  if (/^\d+$/.test(s)) {
    total = Number(s);
  } else if (clock) {
    total = Number(clock[1]) * 60 + Number(clock[2]);
  } else {
    const part = /(\d+(?:\.\d+)?)\s*([a-z]+)?\s*/gy;
    let match: RegExpExecArray | null;
    let pos = 0;
    let parts = 0;
    let lastUnit: number | undefined;
    total = 0;
    while (pos < s.length && (match = part.exec(s)) !== null) {
      const value = Number(match[1]);
      const unitName = match[2];
      // "1h30" — a bare number after hours is minutes.
      const unit = unitName === undefined ? (lastUnit === 60 ? 1 : undefined) : UNIT_MINUTES[unitName];
      if (unit === undefined || (lastUnit !== undefined && unit >= lastUnit)) return { ok: false, message: DURATION_HINT };
      total += value * unit;
      lastUnit = unit;
      parts += 1;
      pos = part.lastIndex;
    }
    if (parts === 0 || pos !== s.length) return { ok: false, message: DURATION_HINT };
  }
  if (!Number.isFinite(total)) return { ok: false, message: DURATION_HINT };
  const rounded = Math.round(total * 1e6) / 1e6;
  if (!Number.isInteger(rounded)) return { ok: false, message: 'Targets are whole minutes.' };
  if (rounded > 2_147_483_647) return { ok: false, message: 'That target is too long.' };
  return { ok: true, minutes: rounded };
}

// ------------------------------------------------------------ warning thresholds

/** [0.75, 0.9] → "75, 90" (percent, at most 2 decimals, float noise removed). */
export function thresholdsToPercentText(fractions: readonly number[]): string {
  return fractions.map((f) => String(Number((f * 100).toFixed(2)))).join(', ');
}

export type ParsedThresholds = { ok: true; fractions: number[] } | { ok: false; message: string };

/**
 * "75, 90" / "75% 90%" → [0.75, 0.9]. Empty → [] (the server then warns at its defaults, 75 % and
 * 90 %). Only unreadable text is refused here; range and order are the server's to judge, and its
 * `warningThresholds` error is shown under the input.
 */
export function parseThresholdPercents(text: string): ParsedThresholds {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const fractions: number[] = [];
  for (const p of parts) {
    const m = /^(\d+(?:\.\d+)?)%?$/.exec(p);
    if (!m) return { ok: false, message: 'Write percentages separated by commas, e.g. 75, 90.' };
    fractions.push(Number((Number(m[1]) / 100).toFixed(6)));
  }
  return { ok: true, fractions };
}

// ------------------------------------------------------------ working windows

const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** "09:30" → 570; "24:00" → 1440 only when `endOfDay`; anything else → null. Accepts "9:30" too. */
export function parseTimeOfDay(text: string, endOfDay = false): number | null {
  const s = text.trim();
  const normalised = /^\d:\d\d$/.test(s) ? `0${s}` : s;
  if (normalised === '24:00') return endOfDay ? 24 * 60 : null;
  const m = TIME_RE.exec(normalised);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** "9:30" → "09:30" (what the server expects); unreadable text is returned trimmed. */
export function normaliseTime(text: string): string {
  const s = text.trim();
  return /^\d:\d\d$/.test(s) ? `0${s}` : s;
}

export type WindowDraft = { key: string; weekday: number; start: string; end: string };

/** One window on its own: both times readable, only the end may be 24:00, end after start. */
export function validateWindow(start: string, end: string): string | null {
  if (start.trim() === '24:00') return 'A window cannot start at 24:00 (that is the end of the day).';
  const s = parseTimeOfDay(start);
  const e = parseTimeOfDay(end, true);
  if (s === null || e === null) return 'Write times as HH:MM (end of day is 24:00).';
  if (e <= s) return 'A window must end after it starts.';
  return null;
}

/**
 * Errors per window key: each window on its own, then overlaps within a weekday (the later
 * window of an overlapping pair is marked). Windows that touch (12:30 and 12:30) are fine — they merge.
 */
export function validateWindows(windows: readonly WindowDraft[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const w of windows) {
    const message = validateWindow(w.start, w.end);
    if (message) errors[w.key] = message;
  }
  for (let day = 0; day < 7; day++) {
    const valid = windows
      .filter((w) => w.weekday === day && !errors[w.key])
      .map((w) => ({ w, s: parseTimeOfDay(w.start)!, e: parseTimeOfDay(w.end, true)! }))
      .sort((a, b) => a.s - b.s || a.e - b.e);
    let latest: (typeof valid)[number] | undefined;
    for (const cur of valid) {
      if (latest && cur.s < latest.e) {
        errors[cur.w.key] = `Overlaps ${normaliseTime(latest.w.start)}–${normaliseTime(latest.w.end)}.`;
      }
      if (!latest || cur.e > latest.e) latest = cur;
    }
  }
  return errors;
}

/** The order windows are sent in: by weekday, then as listed. The server names them `windows.<index>` in this order. */
export function orderedWindows<W extends { weekday: number }>(windows: readonly W[]): W[] {
  return [...windows].map((w, i) => ({ w, i })).sort((a, b) => a.w.weekday - b.w.weekday || a.i - b.i).map(({ w }) => w);
}

/** "Mon–Fri 09:00–12:30, 13:00–17:30 · Sat 10:00–14:00" (days with the same hours are grouped). */
export function summariseWeek(windows: readonly { weekday: number; start: string; end: string }[]): string {
  const byDay = Array.from({ length: 7 }, (_, day) =>
    orderedWindows(windows.filter((w) => w.weekday === day))
      .sort((a, b) => a.start.localeCompare(b.start))
      .map((w) => `${w.start}–${w.end}`)
      .join(', '),
  );
  const groups: string[] = [];
  let day = 0;
  while (day < 7) {
    const hours = byDay[day]!;
    let last = day;
    while (last + 1 < 7 && byDay[last + 1] === hours) last++;
    if (hours) {
      const days = last === day ? WEEKDAY_SHORT[day] : `${WEEKDAY_SHORT[day]}–${WEEKDAY_SHORT[last]}`;
      groups.push(`${days} ${hours}`);
    }
    day = last + 1;
  }
  return groups.length ? groups.join(' · ') : 'No working hours';
}

/** Whether the browser knows the IANA zone (the server's list is the authority; this catches typos). */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone.trim() });
    return true;
  } catch {
    return false;
  }
}

export const COMMON_TIME_ZONES = [
  'UTC',
  'Europe/London',
  'Europe/Dublin',
  'Europe/Lisbon',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Amsterdam',
  'Europe/Brussels',
  'Europe/Madrid',
  'Europe/Rome',
  'Europe/Zurich',
  'Europe/Stockholm',
  'Europe/Warsaw',
  'Europe/Athens',
  'Europe/Helsinki',
  'Africa/Johannesburg',
  'Asia/Dubai',
  'Asia/Kolkata',
  'Asia/Singapore',
  'Asia/Hong_Kong',
  'Asia/Tokyo',
  'Australia/Perth',
  'Australia/Sydney',
  'Pacific/Auckland',
  'America/St_Johns',
  'America/Halifax',
  'America/New_York',
  'America/Toronto',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Sao_Paulo',
] as const;

// ------------------------------------------------------------ server errors

export type CatalogErrorLike = { field: string | null; code: CatalogErrorCode; message: string };
export type FieldErrors = { fields: Record<string, string>; general: string[] };
export const NO_FIELD_ERRORS: FieldErrors = { fields: {}, general: [] };

/** Every field the calendar form shows errors for; `windows.<i>` / `closures.<i>` for the rows as sent. */
export function calendarErrorFields(windowCount: number, closureCount: number): string[] {
  return [
    'name',
    'timezone',
    'alwaysOpen',
    'holidayCountry',
    'holidaySubdivision',
    'windows',
    'closures',
    ...Array.from({ length: windowCount }, (_, i) => `windows.${i}`),
    ...Array.from({ length: closureCount }, (_, i) => `closures.${i}`),
  ];
}

export const TARGET_COLUMNS = ['firstResponseMinutes', 'nextUpdateMinutes', 'resolutionMinutes'] as const;
export type TargetColumn = (typeof TARGET_COLUMNS)[number];

/** Every field the targets form shows errors for: `targets`, `targets.P2.firstResponseMinutes`, …, `warningThresholds`. */
export function targetErrorFields(): string[] {
  return [
    'targets',
    'warningThresholds',
    ...CATALOG_PRIORITIES.flatMap((p) => [...TARGET_COLUMNS, 'aroundTheClock'].map((c) => `targets.${p}.${c}`)),
  ];
}

/** Every field the policy form (New / Edit policy) shows errors for; `id` (NOT_FOUND) and unknown fields go to the top of the form. */
export function policyErrorFields(): string[] {
  return ['name', 'description', 'calendarId', 'isDefault', ...targetErrorFields().filter((f) => f !== 'warningThresholds')];
}

/** Split a payload's `errors` into per-field messages (for the fields listed) and general ones. */
export function mapCatalogErrors(errors: readonly CatalogErrorLike[], fields: readonly string[]): FieldErrors {
  return splitErrors(errors, fields);
}

/**
 * Re-key indexed errors (`windows.3`) onto the rows they were sent from, using the keys in send order:
 * `{ 'windows.1': 'x' }` with keys `['a', 'b']` → `{ b: 'x' }`.
 */
export function indexedErrorsByKey(fields: Record<string, string>, prefix: string, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [field, message] of Object.entries(fields)) {
    const m = new RegExp(`^${prefix}\\.(\\d+)$`).exec(field);
    const key = m ? keys[Number(m[1])] : undefined;
    if (key !== undefined) out[key] = out[key] ? `${out[key]} ${message}` : message;
  }
  return out;
}

// ------------------------------------------------------------ dates

const localDateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

/** "2025-12-24" as a calendar date ("24 Dec 2025"), never shifted by the browser's UTC offset. */
export function formatCalendarDate(isoDate: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) return isoDate;
  return localDateFmt.format(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}
