/**
 * The business-calendar form's state: built from a calendar, checked before sending
 * (so obvious mistakes show at once, next to their input) and turned into a `CalendarInput`
 * whose `windows` / `closures` order is remembered to place the server's `windows.<i>` errors.
 */
import type { CalendarInput, CatalogCalendarFieldsFragment } from '../../graphql/generated';
import { isKnownTimeZone, normaliseTime, orderedWindows, validateWindows, type WindowDraft } from './catalog';

export type ClosureDraft = { key: string; date: string; reason: string };

export type CalendarDraft = {
  id: string | null;
  name: string;
  timezone: string;
  alwaysOpen: boolean;
  holidayCountry: string;
  holidaySubdivision: string;
  windows: WindowDraft[];
  closures: ClosureDraft[];
};

let lastKey = 0;
/** A stable React key for a new window / closure row. */
export function newRowKey(): string {
  lastKey += 1;
  return `r${lastKey}`;
}

export function emptyCalendarDraft(): CalendarDraft {
  return {
    id: null,
    name: '',
    timezone: 'Europe/London',
    alwaysOpen: false,
    holidayCountry: '',
    holidaySubdivision: '',
    windows: [0, 1, 2, 3, 4].map((weekday) => ({ key: newRowKey(), weekday, start: '09:00', end: '17:00' })),
    closures: [],
  };
}

export function draftFromCalendar(cal: CatalogCalendarFieldsFragment): CalendarDraft {
  return {
    id: cal.id,
    name: cal.name,
    timezone: cal.timezone,
    alwaysOpen: cal.alwaysOpen,
    holidayCountry: cal.holidayCountry,
    holidaySubdivision: cal.holidaySubdivision,
    windows: orderedWindows(cal.windows).map((w) => ({ key: newRowKey(), weekday: w.weekday, start: w.start, end: w.end })),
    closures: [...cal.closures].sort((a, b) => a.date.localeCompare(b.date)).map((c) => ({ key: newRowKey(), date: c.date, reason: c.reason })),
  };
}

export type CalendarDraftErrors = {
  /** By input name: name, timezone, holidayCountry, holidaySubdivision, windows (the grid as a whole). */
  fields: Record<string, string>;
  /** By window / closure row key. */
  windows: Record<string, string>;
  closures: Record<string, string>;
};

export function hasDraftErrors(e: CalendarDraftErrors): boolean {
  return Object.keys(e.fields).length + Object.keys(e.windows).length + Object.keys(e.closures).length > 0;
}

/** What the browser can tell before sending; the server re-checks everything. */
export function validateCalendarDraft(d: CalendarDraft): CalendarDraftErrors {
  const fields: Record<string, string> = {};
  if (!d.name.trim()) fields['name'] = 'Name the calendar.';
  if (!d.timezone.trim()) fields['timezone'] = 'Choose a time zone, e.g. Europe/London.';
  else if (!isKnownTimeZone(d.timezone)) fields['timezone'] = 'Not an IANA time zone. Pick one from the list, e.g. Europe/London.';
  const country = d.holidayCountry.trim();
  if (country && !/^[A-Za-z]{2}$/.test(country)) fields['holidayCountry'] = 'Use the two-letter ISO code, e.g. GB.';
  const subdivision = d.holidaySubdivision.trim();
  if (subdivision && !country) fields['holidaySubdivision'] = 'A subdivision needs a holiday country.';
  else if (subdivision && !/^[A-Za-z0-9]{1,8}$/.test(subdivision)) fields['holidaySubdivision'] = 'Use the subdivision code, e.g. ENG or NY.';
  if (!d.alwaysOpen && d.windows.length === 0) fields['windows'] = 'Add at least one working window, or make the calendar 24x7.';

  const closures: Record<string, string> = {};
  const seen = new Set<string>();
  for (const c of d.closures) {
    if (!c.date) closures[c.key] = 'Choose a date, or remove this row.';
    else if (seen.has(c.date)) closures[c.key] = 'This date is already listed.';
    seen.add(c.date);
  }
  return { fields, windows: validateWindows(d.windows), closures };
}

/** The mutation input, plus the row keys in the order they were sent (for `windows.<i>` errors). */
export function calendarInputFromDraft(d: CalendarDraft): { input: CalendarInput; windowKeys: string[]; closureKeys: string[] } {
  const windows = orderedWindows(d.windows);
  const closures = d.closures.filter((c) => c.date);
  return {
    input: {
      ...(d.id ? { id: d.id } : {}),
      name: d.name.trim(),
      timezone: d.timezone.trim(),
      alwaysOpen: d.alwaysOpen,
      holidayCountry: d.holidayCountry.trim().toUpperCase(),
      holidaySubdivision: d.holidaySubdivision.trim().toUpperCase(),
      windows: windows.map((w) => ({ weekday: w.weekday, start: normaliseTime(w.start), end: normaliseTime(w.end) })),
      closures: closures.map((c) => ({ date: c.date, reason: c.reason.trim() })),
    },
    windowKeys: windows.map((w) => w.key),
    closureKeys: closures.map((c) => c.key),
  };
}
