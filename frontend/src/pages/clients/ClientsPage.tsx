import clsx from 'clsx';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { Alert, Button, EmptyState, FilterSelect, Skeleton, StatusPill, TierBadge } from '../../components/ui';
import type { AccountManagersQuery } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { ACCOUNT_MANAGERS_QUERY } from '../../graphql/operations';
import { INDUSTRIES, INDUSTRY_LABEL, STATUSES, STATUS_LABEL, TIERS, TIER_LABEL } from '../../lib/enums';
import { formatDate, formatNumber } from '../../lib/format';
import { useDebouncedValue } from '../../lib/useDebounced';
import { activeFilterCount, useClientFilters, type ClientFilters } from './filters';
import { NewClientDialog } from './NewClientDialog';
import { useClientsList, type ClientRow } from './useClientsList';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { QueryError } from '../../components/QueryError';

export function ClientsPage() {
  useDocumentTitle('Clients');
  const { viewer } = useViewer();
  const [filters, update, clear] = useClientFilters();
  const list = useClientsList(filters);
  const managers = useQuery<AccountManagersQuery>(ACCOUNT_MANAGERS_QUERY);
  const [showNew, setShowNew] = useState(false);
  const navigate = useNavigate();
  // Set by the client page after a delete, so the person sees it happened.
  const deleted = (useLocation().state as { deleted?: string } | null)?.deleted;

  const filtered = activeFilterCount(filters) > 0;

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Clients</h1>
          <p className="page-subtitle">
            {list.totalCount === undefined ? (
              <Skeleton width={80} />
            ) : (
              <span data-testid="clients-total">
                {formatNumber(list.totalCount)} {list.totalCount === 1 ? 'client' : 'clients'}
                {filtered ? (list.totalCount === 1 ? ' matches these filters' : ' match these filters') : ''}
              </span>
            )}
          </p>
        </div>
        {viewer?.canProvisionClients && (
          <Button variant="primary" onClick={() => setShowNew(true)} data-testid="new-client">
            <PlusIcon /> New client
          </Button>
        )}
      </div>
      {deleted && (
        <Alert tone="success" className="mb" title="Client deleted">
          {deleted} and its portal were removed.
        </Alert>
      )}

      <div className="toolbar" role="search">
        <SearchBox value={filters.search} onChange={(search) => update({ search })} />
        <FilterSelect
          label="Industry"
          value={filters.industry}
          options={INDUSTRIES.map((v) => [v, INDUSTRY_LABEL[v]])}
          onChange={(v) => update({ industry: v as ClientFilters['industry'] })}
          testId="filter-industry"
        />
        <FilterSelect
          label="Tier"
          value={filters.tier}
          options={TIERS.map((v) => [v, TIER_LABEL[v]])}
          onChange={(v) => update({ tier: v as ClientFilters['tier'] })}
          testId="filter-tier"
        />
        <FilterSelect
          label="Status"
          value={filters.status}
          options={STATUSES.map((v) => [v, STATUS_LABEL[v]])}
          onChange={(v) => update({ status: v as ClientFilters['status'] })}
          testId="filter-status"
        />
        <FilterSelect
          label="Account manager"
          value={filters.accountManagerId}
          options={(managers.data?.accountManagers ?? []).map((m) => [m.id, m.fullName])}
          onChange={(v) => update({ accountManagerId: v })}
          testId="filter-account-manager"
          disabled={!managers.data}
        />
        {filtered && (
          <Button variant="ghost" size="sm" onClick={clear} data-testid="clear-filters">
            Clear filters
          </Button>
        )}
      </div>

      {list.error && (
        <QueryError title="Couldn’t load clients" error={list.error} onRetry={list.refetch} retrying={list.initialLoading || list.refreshing} />
      )}

      <div className={clsx('table-wrap', list.refreshing && 'is-refreshing')} aria-busy={list.initialLoading || list.refreshing}>
        <table className="table table-clickable" data-testid="clients-table">
          <thead>
            <tr>
              <th scope="col">Client</th>
              <th scope="col">Industry</th>
              <th scope="col">Tier</th>
              <th scope="col">Status</th>
              <th scope="col">Account manager</th>
              <th scope="col" className="num">
                Members
              </th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {list.initialLoading
              ? Array.from({ length: 8 }, (_, i) => <SkeletonRow key={i} />)
              : list.rows.map((c) => <ClientTableRow key={c.id} client={c} onOpen={() => navigate(`/clients/${c.slug}`)} />)}
          </tbody>
        </table>
        {!list.initialLoading && !list.error && list.rows.length === 0 && (
          <EmptyState
            title={filtered ? 'No clients match these filters' : 'No clients yet'}
            action={
              filtered ? (
                <Button size="sm" onClick={clear}>
                  Clear filters
                </Button>
              ) : viewer?.canProvisionClients ? (
                <Button size="sm" variant="primary" onClick={() => setShowNew(true)}>
                  Provision the first client
                </Button>
              ) : undefined
            }
          >
            {filtered ? 'Try a different search or remove a filter.' : 'Clients your MSP manages will appear here.'}
          </EmptyState>
        )}
      </div>

      {list.moreError && <Alert className="mt">{list.moreError.message}</Alert>}
      {!list.initialLoading && list.rows.length > 0 && (
        <div className="table-footer">
          <span className="muted">
            Showing {formatNumber(list.rows.length)}
            {list.totalCount !== undefined ? ` of ${formatNumber(list.totalCount)}` : ''}
          </span>
          {list.hasNextPage && (
            <Button size="sm" onClick={() => void list.loadMore()} loading={list.loadingMore} data-testid="load-more">
              Load more
            </Button>
          )}
        </div>
      )}

      {showNew && (
        <NewClientDialog
          accountManagers={managers.data?.accountManagers ?? []}
          onClose={() => setShowNew(false)}
          onProvisioned={() => void list.refetch()}
        />
      )}
    </div>
  );
}

function ClientTableRow({ client: c, onOpen }: { client: ClientRow; onOpen: () => void }) {
  function onKeyDown(e: KeyboardEvent<HTMLTableRowElement>) {
    if (e.key === 'Enter' && e.target === e.currentTarget) onOpen();
  }
  return (
    <tr
      data-testid={`client-row-${c.slug}`}
      onClick={(e) => {
        // Let real links / modified clicks behave normally.
        if ((e.target as HTMLElement).closest('a') || e.metaKey || e.ctrlKey) return;
        onOpen();
      }}
      onKeyDown={onKeyDown}
      tabIndex={0}
    >
      <td>
        <div className="cell-primary">
          <Link to={`/clients/${c.slug}`} className="row-link" tabIndex={-1}>
            {c.name}
          </Link>
          <span className="cell-secondary mono">{c.slug}</span>
        </div>
      </td>
      <td>{INDUSTRY_LABEL[c.industry]}</td>
      <td>
        <TierBadge tier={c.tier} />
      </td>
      <td>
        <StatusPill status={c.status} />
      </td>
      <td>{c.accountManager ? c.accountManager.fullName : <span className="muted">Unassigned</span>}</td>
      <td className="num">{formatNumber(c.memberCount)}</td>
      <td className="nowrap">{formatDate(c.createdAt)}</td>
    </tr>
  );
}

function SkeletonRow() {
  return (
    <tr className="skeleton-row" aria-hidden="true">
      <td>
        <Skeleton width={160} />
        <Skeleton width={80} height={10} className="mt-xs" />
      </td>
      <td>
        <Skeleton width={90} />
      </td>
      <td>
        <Skeleton width={60} />
      </td>
      <td>
        <Skeleton width={70} />
      </td>
      <td>
        <Skeleton width={110} />
      </td>
      <td className="num">
        <Skeleton width={24} />
      </td>
      <td>
        <Skeleton width={80} />
      </td>
    </tr>
  );
}

function SearchBox({ value, onChange }: { value: string; onChange: (v: string) => void }) {
  const [text, setText] = useState(value);
  const debounced = useDebouncedValue(text, 300);
  const pushed = useRef(value);
  const inputRef = useRef<HTMLInputElement>(null);

  // "/" focuses the search from anywhere on the page (unless typing in a field).
  useEffect(() => {
    const onKey = (e: globalThis.KeyboardEvent) => {
      if (e.key !== '/' || e.metaKey || e.ctrlKey || e.altKey) return;
      const t = e.target as HTMLElement | null;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      e.preventDefault();
      inputRef.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  useEffect(() => {
    const v = debounced.trim();
    if (v !== pushed.current) {
      pushed.current = v;
      onChange(v);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  // The URL changed from outside (back/forward, "Clear filters"): follow it.
  useEffect(() => {
    if (value !== pushed.current) {
      pushed.current = value;
      setText(value);
    }
  }, [value]);

  return (
    <div className="search-box">
      <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" className="search-icon">
        <circle cx="7" cy="7" r="4.5" fill="none" stroke="currentColor" strokeWidth="1.5" />
        <path d="M10.5 10.5L14 14" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round" />
      </svg>
      <input
        ref={inputRef}
        type="search"
        className="input"
        placeholder="Search clients…"
        aria-label="Search clients by name or slug"
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && text) {
            e.preventDefault();
            setText('');
          }
        }}
        data-testid="clients-search"
      />
      {!text && (
        <kbd className="search-kbd" aria-hidden="true">
          /
        </kbd>
      )}
    </div>
  );
}

export function PlusIcon() {
  return (
    <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
      <path d="M8 3v10M3 8h10" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}
