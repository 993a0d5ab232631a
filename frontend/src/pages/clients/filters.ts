/**
 * Clients list filters ⇄ URL query string.
 * The URL is the source of truth so filtered views can be bookmarked/shared
 * and survive reloads and back/forward.
 */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import type { ClientStatus, ClientTier, ClientsQueryVariables, Industry } from '../../graphql/generated';
import { INDUSTRIES, STATUSES, TIERS, isOneOf } from '../../lib/enums';

export type ClientFilters = {
  search: string;
  industry: Industry | null;
  tier: ClientTier | null;
  status: ClientStatus | null;
  accountManagerId: string | null;
};

export const EMPTY_FILTERS: ClientFilters = {
  search: '',
  industry: null,
  tier: null,
  status: null,
  accountManagerId: null,
};

/** URL parameter names (short and readable: ?q=acme&tier=PREMIUM&am=12). */
export const PARAM = {
  search: 'q',
  industry: 'industry',
  tier: 'tier',
  status: 'status',
  accountManagerId: 'am',
} as const satisfies Record<keyof ClientFilters, string>;

export const PAGE_SIZE = 25;

/** Unknown or invalid values are ignored (a stale bookmark must not break the page). */
export function parseFilters(params: URLSearchParams): ClientFilters {
  const industry = params.get(PARAM.industry);
  const tier = params.get(PARAM.tier);
  const status = params.get(PARAM.status);
  const am = params.get(PARAM.accountManagerId)?.trim();
  return {
    search: (params.get(PARAM.search) ?? '').trim(),
    industry: isOneOf(INDUSTRIES, industry) ? industry : null,
    tier: isOneOf(TIERS, tier) ? tier : null,
    status: isOneOf(STATUSES, status) ? status : null,
    accountManagerId: am ? am : null,
  };
}

/**
 * Write filters into a copy of `base` (unrelated params are kept), omitting
 * empty values so the URL stays clean.
 */
export function filtersToParams(filters: ClientFilters, base: URLSearchParams = new URLSearchParams()): URLSearchParams {
  const out = new URLSearchParams(base);
  (Object.keys(PARAM) as (keyof ClientFilters)[]).forEach((key) => {
    const value = filters[key];
    const name = PARAM[key];
    const str = typeof value === 'string' ? value.trim() : '';
    if (str) out.set(name, str);
    else out.delete(name);
  });
  return out;
}

export function filtersToVariables(filters: ClientFilters, after?: string | null): ClientsQueryVariables {
  const vars: ClientsQueryVariables = { first: PAGE_SIZE };
  if (after) vars.after = after;
  if (filters.search) vars.search = filters.search;
  if (filters.industry) vars.industry = filters.industry;
  if (filters.tier) vars.tier = filters.tier;
  if (filters.status) vars.status = filters.status;
  if (filters.accountManagerId) vars.accountManagerId = filters.accountManagerId;
  return vars;
}

export function activeFilterCount(filters: ClientFilters): number {
  return [filters.industry, filters.tier, filters.status, filters.accountManagerId].filter(Boolean).length + (filters.search ? 1 : 0);
}

/** React hook: current filters from the URL plus a setter that updates it (replacing history). */
export function useClientFilters(): [ClientFilters, (patch: Partial<ClientFilters>) => void, () => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  const filters = useMemo(() => parseFilters(new URLSearchParams(key)), [key]);
  const update = useCallback(
    (patch: Partial<ClientFilters>) => {
      setParams((prev) => filtersToParams({ ...parseFilters(prev), ...patch }, prev), { replace: true });
    },
    [setParams],
  );
  const clear = useCallback(() => {
    setParams((prev) => filtersToParams(EMPTY_FILTERS, prev), { replace: true });
  }, [setParams]);
  return [filters, update, clear];
}
