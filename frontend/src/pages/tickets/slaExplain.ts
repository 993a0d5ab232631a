/**
 * Plain-language SLA explanations for the ticket page, built from a clock's `explain`
 * JSON (policy, calendar, pauses) with every instant in the viewer's time zone. The
 * engine's own `explainSteps` (calendar time zone, seconds, formulas) stay for staff
 * behind "Show calculation".
 */
import type { SlaClockFieldsFragment } from '../../graphql/generated';
import { formatMinutes } from '../../lib/sla';

export type ExplainSegment = {
  /** "paused" | "resolved" (older data: "pause") */
  kind?: string;
  reason?: string | null;
  started_at?: string;
  ended_at?: string | null;
  business_minutes?: number;
};

export type ExplainCalendar = {
  name?: string;
  timezone?: string;
  /** "24x7" | "business_hours" */
  mode?: string;
  /** {"Mon": ["09:00-17:00"], …} in the calendar's time zone */
  weekly_hours?: Record<string, string[]>;
  holiday_country?: string | null;
  holiday_subdivision?: string | null;
  closure_dates?: string[];
  summary?: string;
};

export type ClockExplain = {
  clock?: string;
  policy?: string;
  priority?: string;
  target_minutes?: number | null;
  calendar?: ExplainCalendar;
  started_at?: string;
  excluded_segments?: ExplainSegment[];
  steps?: string[];
};

type Clock = Pick<SlaClockFieldsFragment, 'name' | 'state' | 'targetMinutes' | 'usedMinutes' | 'overdueMinutes' | 'dueAt' | 'startedAt' | 'stoppedAt'>;

export type ExplainOptions = {
  /** IANA zone the sentences are written in (default: the browser's). */
  timeZone?: string;
  locale?: string;
  /** For "today's" business hours in the viewer's zone (daylight saving). */
  now?: Date;
};

/** The browser's time zone, e.g. "Europe/London". */
export function viewerTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

// ------------------------------------------------------------------ business time

/** Business minutes in words: "4h", "35m", "1h 05m"; under a minute is "less than a minute". */
export function businessTime(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '—';
  return minutes < 1 ? 'less than a minute' : formatMinutes(minutes);
}

/** What each clock asks of the service desk. */
const CLOCK_GOAL: Record<string, string> = {
  first_response: 'a first response',
  next_update: 'an update',
  first_resolution: 'a resolution',
  resolution: 'a resolution',
};

function goal(name: string): string {
  return CLOCK_GOAL[name] ?? name.replace(/[_-]+/g, ' ');
}

// ------------------------------------------------------------------------ instants

function instant(iso: string | null | undefined, opts: ExplainOptions): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return new Intl.DateTimeFormat(opts.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: opts.timeZone }).format(d);
}

/** Minutes east of UTC of `timeZone` at `at` (NaN for an unknown zone). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    }).formatToParts(at);
    const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
    const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'));
    return Math.round((asUtc - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
  } catch {
    return Number.NaN;
  }
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function shiftTime(hhmm: string, minutes: number): string {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) return hhmm;
  const total = (((Number(m[1]) * 60 + Number(m[2]) + minutes) % 1440) + 1440) % 1440;
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function shiftWindow(window: string, minutes: number): string {
  const [start, end] = window.split('-');
  if (!start || !end) return window;
  return `${shiftTime(start, minutes)}–${shiftTime(end, minutes)}`;
}

/** {"Mon": ["09:00-17:00"], …, "Fri": […]} → "Mon–Fri 09:00–17:00" (optionally shifted by `shift` minutes). */
export function weeklyHoursText(weekly: Record<string, string[]>, shift = 0): string {
  const groups: { first: string; last: string; key: string; windows: string[] }[] = [];
  DAYS.forEach((day, i) => {
    const windows = weekly[day] ?? [];
    if (!windows.length) return;
    const key = windows.join(',');
    const prev = groups[groups.length - 1];
    if (prev && prev.key === key && DAYS.indexOf(prev.last) === i - 1) prev.last = day;
    else groups.push({ first: day, last: day, key, windows });
  });
  return groups
    .map((g) => `${g.first === g.last ? g.first : `${g.first}–${g.last}`} ${g.windows.map((w) => shiftWindow(w, shift)).join(', ')}`)
    .join('; ');
}

function regionName(country: string, subdivision: string | null | undefined, locale?: string): string {
  let name = country;
  try {
    name = new Intl.DisplayNames(locale, { type: 'region' }).of(country.toUpperCase()) ?? country;
  } catch {
    /* keep the code */
  }
  return subdivision ? `${name} (${subdivision})` : name;
}

/** One sentence on when business time counts, in the calendar's zone and (if different) the viewer's. */
export function calendarSentence(cal: ExplainCalendar | undefined, opts: ExplainOptions = {}): string | null {
  if (!cal) return null;
  if (cal.mode === '24x7') return 'Business time counts around the clock, every day (24/7).';
  const weekly = cal.weekly_hours && Object.keys(cal.weekly_hours).length ? cal.weekly_hours : null;
  if (!weekly) return cal.summary ? `Business time counts during ${cal.summary}.` : null;

  const zone = cal.timezone;
  let hours = weeklyHoursText(weekly);
  const viewerZone = opts.timeZone ?? viewerTimeZone();
  if (zone) {
    const now = opts.now ?? new Date();
    const shift = zoneOffsetMinutes(viewerZone, now) - zoneOffsetMinutes(zone, now);
    if (Number.isFinite(shift) && shift !== 0) hours = `${hours} ${zone} time (${weeklyHoursText(weekly, shift)} your time)`;
    else hours = `${hours} (${zone === viewerZone ? 'your time' : `${zone} time, the same as yours`})`;
  }
  const excluded: string[] = [];
  if (cal.holiday_country) excluded.push(`public holidays in ${regionName(cal.holiday_country, cal.holiday_subdivision, opts.locale)}`);
  const closures = cal.closure_dates?.length ?? 0;
  if (closures) excluded.push(`${closures} closure day${closures === 1 ? '' : 's'}`);
  return `Business time counts ${hours}${excluded.length ? `, except on ${excluded.join(' and ')}` : ''}.`;
}

function segmentSentence(s: ExplainSegment, clock: Clock, opts: ExplainOptions): string {
  const from = instant(s.started_at, opts);
  const resolved = s.kind === 'resolved';
  const reason = s.reason?.trim();
  const what = resolved ? 'Resolved' : reason ? (/^waiting\b/i.test(reason) ? `Paused while ${reason}` : `Paused (${reason})`) : 'Paused';
  const span = s.ended_at ? `from ${from} until ${instant(s.ended_at, opts)}` : `since ${from}`;
  const minutes = s.business_minutes ?? 0;
  const afterDue = !!clock.dueAt && !!s.started_at && Date.parse(s.started_at) >= Date.parse(clock.dueAt);
  let effect: string;
  if (afterDue) effect = 'that came after the due time, so the due time stayed where it was';
  else if (minutes < 1) effect = s.ended_at ? 'it was all outside business hours, so it changed nothing' : 'no business time has passed yet';
  else if (s.ended_at) effect = `${businessTime(minutes)} of business time didn’t count, so the due time moved later by as much`;
  else effect = `${businessTime(minutes)} of business time so far doesn’t count, and the due time waits until the clock runs again`;
  return `${what} ${span}: ${effect}.`;
}

/**
 * The clock's story in plain sentences: the promise (policy, priority, target), when
 * business time counts, when the clock started, each pause, and where that puts the due time.
 */
export function explainSentences(clock: Clock, explain: ClockExplain, opts: ExplainOptions = {}): string[] {
  const lines: string[] = [];
  const target = clock.targetMinutes ?? explain.target_minutes ?? null;
  const policy = explain.policy ? `the ${explain.policy} SLA` : 'the SLA';
  const priority = explain.priority ? ` ${explain.priority}` : '';
  if (clock.state === 'NOT_APPLICABLE' || target === null) {
    lines.push(`Under ${policy}, a${priority} ticket has no target for ${goal(clock.name)}, so this clock isn’t measured.`);
    return lines;
  }
  lines.push(`Under ${policy}, a${priority} ticket should get ${goal(clock.name)} within ${businessTime(target)} of business time.`);
  const cal = calendarSentence(explain.calendar, opts);
  if (cal) lines.push(cal);
  lines.push(`The clock started ${instant(explain.started_at ?? clock.startedAt, opts)}.`);

  const segments = explain.excluded_segments ?? [];
  for (const s of segments) lines.push(segmentSentence(s, clock, opts));

  const excludedBeforeDue = segments
    .filter((s) => !(clock.dueAt && s.started_at && Date.parse(s.started_at) >= Date.parse(clock.dueAt)))
    .reduce((sum, s) => sum + (s.business_minutes ?? 0), 0);
  const plus = excludedBeforeDue >= 1 ? `, plus ${businessTime(excludedBeforeDue)} that didn’t count` : '';
  if (clock.dueAt) {
    const stopped = clock.state === 'MET' || clock.state === 'BREACHED';
    lines.push(`So it ${stopped ? 'was' : 'is'} due ${instant(clock.dueAt, opts)}: ${businessTime(target)} of business time after the start${plus}.`);
  } else if (clock.state === 'PAUSED') {
    lines.push('While the clock is paused it has no due time; it gets one again when the clock runs again.');
  }
  if (clock.state === 'MET' && clock.stoppedAt) {
    const spare = Math.max(target - (clock.usedMinutes ?? 0), 0);
    lines.push(`Met: the clock stopped ${instant(clock.stoppedAt, opts)} with ${businessTime(spare)} of business time to spare.`);
  } else if (clock.state === 'BREACHED') {
    const over = businessTime(clock.overdueMinutes ?? 0);
    lines.push(
      clock.stoppedAt
        ? `Breached: the clock stopped ${instant(clock.stoppedAt, opts)}, ${over} of business time past the target.`
        : `Breached: the due time passed; so far ${over} of business time past the target.`,
    );
  }
  return lines;
}
