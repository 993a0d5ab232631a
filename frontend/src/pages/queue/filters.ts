/**
 * Queue filters ⇄ URL query string (?mine=1&priority=P1&client=acme…), so a
 * filtered queue can be bookmarked, shared and survives reloads/back/forward.
 */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { Priority, QueueQueryVariables, ServiceLine } from '../../graphql/generated';
import { PRIORITIES, SERVICE_LINES, isOneOf } from '../../lib/enums';

export type QueueFilters = {
  mine: boolean;
  unassigned: boolean;
  clientSlug: string | null;
  priority: Priority | null;
  serviceLine: ServiceLine | null;
  breachingSoon: boolean;
  breached: boolean;
};

export const EMPTY_QUEUE_FILTERS: QueueFilters = {
  mine: false,
  unassigned: false,
  clientSlug: null,
  priority: null,
  serviceLine: null,
  breachingSoon: false,
  breached: false,
};

export const QUEUE_PARAM = {
  mine: 'mine',
  unassigned: 'unassigned',
  clientSlug: 'client',
  priority: 'priority',
  serviceLine: 'line',
  breachingSoon: 'soon',
  breached: 'breached',
} as const satisfies Record<keyof QueueFilters, string>;

type BoolKey = 'mine' | 'unassigned' | 'breachingSoon' | 'breached';

/**
 * Pairs that can never both match (the server ANDs filters): turning one on
 * turns the other off instead of showing an empty queue.
 */
export const EXCLUSIVE: Record<BoolKey, BoolKey> = {
  mine: 'unassigned',
  unassigned: 'mine',
  breachingSoon: 'breached',
  breached: 'breachingSoon',
};

/** The queue shows the most urgent items; the rest are reached by narrowing the filters. */
export const QUEUE_PAGE_SIZE = 100;

const TRUE = new Set(['1', 'true', 'yes', 'on']);

function bool(params: URLSearchParams, name: string): boolean {
  return TRUE.has((params.get(name) ?? '').toLowerCase());
}

/** Unknown values are ignored (a stale bookmark must not break the page). */
export function parseQueueFilters(params: URLSearchParams): QueueFilters {
  const priority = params.get(QUEUE_PARAM.priority);
  const line = params.get(QUEUE_PARAM.serviceLine);
  const client = params.get(QUEUE_PARAM.clientSlug)?.trim();
  const f: QueueFilters = {
    mine: bool(params, QUEUE_PARAM.mine),
    unassigned: bool(params, QUEUE_PARAM.unassigned),
    clientSlug: client ? client : null,
    priority: isOneOf(PRIORITIES, priority) ? priority : null,
    serviceLine: isOneOf(SERVICE_LINES, line) ? line : null,
    breachingSoon: bool(params, QUEUE_PARAM.breachingSoon),
    breached: bool(params, QUEUE_PARAM.breached),
  };
  // A hand-edited URL with both halves of a pair: keep the first of each.
  if (f.mine && f.unassigned) f.unassigned = false;
  if (f.breached && f.breachingSoon) f.breachingSoon = false;
  return f;
}

/** Write filters into a copy of `base` (unrelated params kept, empty values omitted). */
export function queueFiltersToParams(filters: QueueFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(base);
  (Object.keys(QUEUE_PARAM) as (keyof QueueFilters)[]).forEach((key) => {
    const value = filters[key];
    const name = QUEUE_PARAM[key];
    if (value === true) out.set(name, '1');
    else if (typeof value === 'string' && value.trim()) out.set(name, value.trim());
    else out.delete(name);
  });
  return out;
}

/** Apply a patch, switching off the other half of an exclusive pair. */
export function patchQueueFilters(current: QueueFilters, patch: Partial<QueueFilters>): QueueFilters {
  const next = { ...current, ...patch };
  (Object.keys(EXCLUSIVE) as BoolKey[]).forEach((key) => {
    if (patch[key] === true) next[EXCLUSIVE[key]] = false;
  });
  return next;
}

export function queueFiltersToVariables(filters: QueueFilters): QueueQueryVariables {
  const vars: QueueQueryVariables = { first: QUEUE_PAGE_SIZE };
  if (filters.mine) vars.mine = true;
  if (filters.unassigned) vars.unassigned = true;
  if (filters.clientSlug) vars.clientSlug = filters.clientSlug;
  if (filters.priority) vars.priority = filters.priority;
  if (filters.serviceLine) vars.serviceLine = filters.serviceLine;
  if (filters.breachingSoon) vars.breachingSoon = true;
  if (filters.breached) vars.breached = true;
  return vars;
}

export function activeQueueFilterCount(f: QueueFilters): number {
  return [f.mine, f.unassigned, f.clientSlug, f.priority, f.serviceLine, f.breachingSoon, f.breached].filter(Boolean).length;
}

/** Current filters from the URL and a setter that updates it (replacing history). */
export function useQueueFilters(): [QueueFilters, (patch: Partial<QueueFilters>) => void, () => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const filters = useMemo(() => parseQueueFilters(new URLSearchParams(key)), [key]);
  const update = useCallback(
    (patch: Partial<QueueFilters>) => {
      setParams((prev) => queueFiltersToParams(patchQueueFilters(parseQueueFilters(prev), patch), prev), { replace: true });
    },
    [setParams],
  );
  const clear = useCallback(() => {
    setParams((prev) => queueFiltersToParams(EMPTY_QUEUE_FILTERS, prev), { replace: true });
  }, [setParams]);
  return [filters, update, clear];
}
