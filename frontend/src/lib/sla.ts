/**
 * SLA presentation helpers: countdown text, risk → colour, clock names, and a
 * shared one-second ticker so every countdown on a page moves together.
 */
import { useSyncExternalStore } from 'react';
import type { BreachState, SlaClockState } from '../graphql/generated';

// ----------------------------------------------------------------- durations

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad2 = (n: number) => String(n).padStart(2, '0');

/**
 * A compact wall-clock duration, most significant two units:
 * "2d 03h", "5h 07m", "12m 05s", "45s". Floors (never rounds up).
 */
export function formatDuration(ms: number): string {
  const abs = Math.max(0, Math.floor(Math.abs(ms) / 1000) * 1000);
  if (abs >= DAY) return `${Math.floor(abs / DAY)}d ${pad2(Math.floor((abs % DAY) / HOUR))}h`;
  if (abs >= HOUR) return `${Math.floor(abs / HOUR)}h ${pad2(Math.floor((abs % HOUR) / MINUTE))}m`;
  if (abs >= MINUTE) return `${Math.floor(abs / MINUTE)}m ${pad2(Math.floor((abs % MINUTE) / 1000))}s`;
  return `${Math.floor(abs / 1000)}s`;
}

export type Countdown = {
  /** "3h 07m" (time left) or "3h 07m" (time past the deadline) — see `overdue`. */
  text: string;
  overdue: boolean;
  /** Milliseconds left (negative when overdue). */
  ms: number;
};

/** Time from `now` to `dueAt`. A deadline that is exactly now counts as overdue (met means *before or at*). */
export function countdown(dueAt: string | Date, now: number): Countdown | null {
  const due = typeof dueAt === 'string' ? Date.parse(dueAt) : dueAt.getTime();
  if (Number.isNaN(due)) return null;
  const ms = due - now;
  return { text: formatDuration(ms), overdue: ms <= 0, ms };
}

/** "2h 05m left" / "2h 05m overdue". */
export function formatCountdown(dueAt: string | Date, now: number): string {
  const c = countdown(dueAt, now);
  if (!c) return '—';
  return c.overdue ? `${c.text} overdue` : `${c.text} left`;
}

/**
 * Business minutes as hours and minutes ("0m", "45m", "3h", "26h 10m"). No days:
 * SLA minutes are business time, and "1 day" of a 9–17 calendar is 8 hours.
 */
export function formatMinutes(minutes: number | null | undefined): string {
  if (minutes === null || minutes === undefined) return '—';
  const m = Math.max(0, Math.floor(minutes));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return `${rest}m`;
  return rest === 0 ? `${h}h` : `${h}h ${pad2(rest)}m`;
}

// --------------------------------------------------------------------- risk

export type Tone = 'red' | 'amber' | 'green' | 'grey' | 'none';

export const BREACH_TONE: Record<BreachState, Tone> = {
  BREACHED: 'red',
  WARNING: 'amber',
  ON_TRACK: 'green',
  PAUSED: 'grey',
  CLOCK_ERROR: 'amber',
  NONE: 'none',
};

export const CLOCK_STATE_TONE: Record<SlaClockState, Tone> = {
  BREACHED: 'red',
  RUNNING: 'green',
  MET: 'green',
  PAUSED: 'grey',
  NOT_APPLICABLE: 'none',
};

/**
 * The risk to show *now*. `WARNING` comes from the server, which computes it from the
 * policy's warning thresholds (e.g. 75 % / 90 % of the business-time budget used), so a
 * short target is not "at risk" just because its deadline is near. Between polls (the
 * server's sweep runs every minute) a running deadline can pass: only then does the
 * countdown turn red on its own.
 */
export function effectiveBreachState(state: BreachState, dueAt: string | null | undefined, now: number): BreachState {
  if (!dueAt || (state !== 'ON_TRACK' && state !== 'WARNING')) return state;
  const due = Date.parse(dueAt);
  if (Number.isNaN(due)) return state;
  return due <= now ? 'BREACHED' : state;
}

/** The first warning threshold when the policy's own is not at hand (the server's default is 75 % / 90 %). */
export const DEFAULT_WARNING_FRACTION = 0.75;

/** The first (lowest) of a policy's warning thresholds, or the default. */
export function firstWarningFraction(thresholds: readonly number[] | null | undefined): number {
  const valid = (thresholds ?? []).filter((f) => Number.isFinite(f) && f > 0 && f < 1);
  return valid.length ? Math.min(...valid) : DEFAULT_WARNING_FRACTION;
}

export type ClockRiskInput = {
  state: SlaClockState;
  dueAt: string | null;
  usedMinutes: number | null;
  targetMinutes: number | null;
};

/**
 * Colour of one SLA clock (ticket page): red once breached or once a running clock's due
 * instant has passed; amber when the business time used reached the policy's first warning
 * threshold (`usedMinutes / targetMinutes ≥ warnAt`); green otherwise.
 */
export function clockRisk(clock: ClockRiskInput, now: number, warnAt: number = DEFAULT_WARNING_FRACTION): Tone {
  if (clock.state !== 'RUNNING') return CLOCK_STATE_TONE[clock.state];
  if (clock.dueAt) {
    const due = Date.parse(clock.dueAt);
    if (!Number.isNaN(due) && due <= now) return 'red';
  }
  const used = clock.usedMinutes ?? 0;
  const target = clock.targetMinutes ?? 0;
  if (target > 0 && used / target >= warnAt) return used >= target ? 'red' : 'amber';
  return 'green';
}

// ------------------------------------------------------------------- clocks

const CLOCK_LABEL: Record<string, string> = {
  first_response: 'First response',
  next_update: 'Next update',
  first_resolution: 'First resolution',
  resolution: 'Resolution',
  // Security incidents (acknowledge, contain, resolve).
  acknowledge: 'Acknowledge',
  contain: 'Containment',
  resolve: 'Resolution',
};

/** "first_response" → "First response" (unknown names are humanised). */
export function clockLabel(name: string | null | undefined): string {
  if (!name) return 'SLA';
  const known = CLOCK_LABEL[name];
  if (known) return known;
  const words = name.replace(/[_-]+/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : 'SLA';
}

// ------------------------------------------------------------------- ticker

let nowValue = Date.now();
let timer: ReturnType<typeof setInterval> | undefined;
const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (listeners.size === 1) {
    nowValue = Date.now();
    timer = setInterval(() => {
      nowValue = Date.now();
      listeners.forEach((l) => l());
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
}

function snapshot(): number {
  // Stable between calls (React compares snapshots); refreshed when nothing ticks.
  if (listeners.size === 0 && Math.abs(Date.now() - nowValue) >= 1000) nowValue = Date.now();
  return nowValue;
}

/** The current time (ms), re-rendering every second; one interval for the whole page. */
export function useNow(): number {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

// --------------------------------------------------------------------- JSON

/** Parse a JSONString field; `fallback` when it is missing or not JSON. */
export function parseJson<T>(value: string | null | undefined, fallback: T): T {
  if (!value) return fallback;
  try {
    const parsed: unknown = JSON.parse(value);
    // graphene's JSONString may arrive double-encoded from some resolvers.
    if (typeof parsed === 'string') return parseJson(parsed, fallback);
    return (parsed ?? fallback) as T;
  } catch {
    return fallback;
  }
}
