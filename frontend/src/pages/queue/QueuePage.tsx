import clsx from 'clsx';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PriorityPill, SlaCountdown, TicketStatusPill } from '../../components/desk';
import { Avatar, Badge, Button, EmptyState, FilterChip, FilterSelect, Skeleton } from '../../components/ui';
import type { ClientOptionsQuery, ClientOptionsQueryVariables, QueueQuery, QueueQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { useViewer } from '../../auth/ViewerContext';
import { CLIENT_OPTIONS_QUERY, QUEUE_QUERY } from '../../graphql/operations';
import { PRIORITIES, PRIORITY_LABEL, SERVICE_LINES, SERVICE_LINE_LABEL } from '../../lib/enums';
import { formatDateTime, formatNumber, formatRelative } from '../../lib/format';
import { isTypingTarget, ticketPath } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { NewTicketDialog } from '../tickets/NewTicketDialog';
import { workItemPath } from '../security/security';
import { activeQueueFilterCount, queueFiltersToVariables, useQueueFilters } from './filters';
import { QueryError } from '../../components/QueryError';
import './queue.css';

export type WorkItemRow = NonNullable<NonNullable<QueueQuery['queue']['edges'][number]>['node']>;

/** Refresh the queue this often (non-overlapping: the next poll starts after the previous answer). */
export const QUEUE_POLL_MS = 30_000;

/** The client filter's options are kept this long (per viewer, this tab) between visits. */
export const CLIENT_OPTIONS_KEEP_MS = 5 * 60_000;

const rowKey = (r: WorkItemRow) => `${r.kind}-${r.client.slug}-${r.number}`;

export function QueuePage() {
  useDocumentTitle('Queue');
  const [filters, update, clear] = useQueueFilters();
  const variables = useMemo(() => queueFiltersToVariables(filters), [filters]);
  const q = useQuery<QueueQuery, QueueQueryVariables>(QUEUE_QUERY, variables, { pollInterval: QUEUE_POLL_MS });
  // The client filter's choices change rarely: asked once per 5 minutes, not on every visit.
  const { viewer } = useViewer();
  const clients = useQuery<ClientOptionsQuery, ClientOptionsQueryVariables>(
    CLIENT_OPTIONS_QUERY,
    { first: 100 },
    { cacheFor: CLIENT_OPTIONS_KEEP_MS, cacheKey: viewer?.id ?? 'nobody' },
  );
  const navigate = useNavigate();
  const clientSelect = useRef<HTMLSelectElement>(null);
  const [raising, setRaising] = useState(false);
  const tableRef = useRef<HTMLTableSectionElement>(null);

  // Rows of the current filters only: while new filters load, old rows stay (dimmed).
  const rows = useMemo(() => (q.data?.queue.edges ?? []).flatMap((e) => (e?.node ? [e.node] : [])), [q.data]);
  const total = q.data?.queue.totalCount;
  // Past the server's cap the total is "at least": 10,000+.
  const totalText = total === undefined ? '' : `${formatNumber(total)}${q.data?.queue.totalCountIsCapped ? '+' : ''}`;
  const filtered = activeQueueFilterCount(filters) > 0;
  const initialLoading = q.loading && !q.data;

  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  useEffect(() => {
    if (q.data) setUpdatedAt(Date.now());
  }, [q.data]);

  // Keyboard selection survives refreshes (by key), and falls back to the same position.
  const [selected, setSelected] = useState<string | null>(null);
  const selectedIndex = selected ? rows.findIndex((r) => rowKey(r) === selected) : -1;
  const lastIndex = useRef(0);
  if (selectedIndex >= 0) lastIndex.current = selectedIndex;
  const effectiveIndex = selectedIndex >= 0 ? selectedIndex : selected && rows.length ? Math.min(lastIndex.current, rows.length - 1) : -1;
  const current = effectiveIndex >= 0 ? rows[effectiveIndex] : undefined;

  const open = useCallback((r: WorkItemRow) => navigate(workItemPath(r)), [navigate]);

  const move = useCallback(
    (delta: number) => {
      if (!rows.length) return;
      const next = effectiveIndex < 0 ? (delta > 0 ? 0 : rows.length - 1) : Math.max(0, Math.min(rows.length - 1, effectiveIndex + delta));
      const row = rows[next];
      if (!row) return;
      setSelected(rowKey(row));
      const el = tableRef.current?.querySelector<HTMLElement>(`[data-row-key="${rowKey(row)}"]`);
      el?.focus({ preventScroll: true });
      el?.scrollIntoView?.({ block: 'nearest' });
    },
    [rows, effectiveIndex],
  );

  // j / k move, Enter opens, / focuses the client filter (not while typing or in a dialog).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.metaKey || e.ctrlKey || e.altKey || isTypingTarget(e.target)) return;
      if (document.querySelector('[aria-modal="true"]')) return;
      if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        move(1);
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        move(-1);
      } else if (e.key === 'Enter') {
        const t = e.target as HTMLElement | null;
        if (t?.closest('a, button')) return; // native activation
        if (current) {
          e.preventDefault();
          open(current);
        }
      } else if (e.key === '/') {
        e.preventDefault();
        clientSelect.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [move, open, current]);

  const clientOptions: [string, string][] = (clients.data?.clients.edges ?? []).flatMap((e) => (e?.node ? [[e.node.slug, e.node.name] as [string, string]] : []));

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Queue</h1>
          <p className="page-subtitle">
            {total === undefined ? (
              <Skeleton width={120} />
            ) : (
              <>
                <span data-testid="queue-total">
                  {totalText} open {total === 1 ? 'item' : 'items'}
                  {filtered ? (total === 1 ? ' matches these filters' : ' match these filters') : ''}
                </span>
                {updatedAt && (
                  <span className="muted" title={`Refreshes every ${QUEUE_POLL_MS / 1000} seconds`}>
                    {' '}
                    · updated {new Date(updatedAt).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' })}
                  </span>
                )}
              </>
            )}
          </p>
        </div>
        <div className="page-actions">
          <div className="kbd-hints" aria-hidden="true">
            <kbd>j</kbd>
            <kbd>k</kbd> move <kbd>Enter</kbd> open <kbd>/</kbd> client
          </div>
          <Button variant="primary" size="sm" onClick={() => setRaising(true)} data-testid="new-ticket">
            New ticket
          </Button>
        </div>
      </div>
      {raising && (
        <NewTicketDialog
          clients={clientOptions}
          {...(filters.clientSlug ? { defaultClientSlug: filters.clientSlug } : {})}
          onClose={() => setRaising(false)}
          onCreated={(t, slug) => navigate(ticketPath(slug, t.number))}
        />
      )}

      <div className="toolbar" role="search" aria-label="Filter the queue">
        <FilterChip pressed={filters.mine} onToggle={() => update({ mine: !filters.mine })} testId="queue-filter-mine">
          Mine
        </FilterChip>
        <FilterChip pressed={filters.unassigned} onToggle={() => update({ unassigned: !filters.unassigned })} testId="queue-filter-unassigned">
          Unassigned
        </FilterChip>
        <span className="toolbar-sep" aria-hidden="true" />
        <FilterSelect
          label="Client"
          value={filters.clientSlug}
          options={clientOptions}
          onChange={(v) => update({ clientSlug: v })}
          testId="queue-filter-client"
          selectRef={clientSelect}
        />
        <FilterSelect
          label="Priority"
          value={filters.priority}
          options={PRIORITIES.map((p) => [p, `${p} · ${PRIORITY_LABEL[p]}`])}
          onChange={(v) => update({ priority: v as typeof filters.priority })}
          testId="queue-filter-priority"
        />
        <FilterSelect
          label="Service line"
          value={filters.serviceLine}
          options={SERVICE_LINES.map((s) => [s, SERVICE_LINE_LABEL[s]])}
          onChange={(v) => update({ serviceLine: v as typeof filters.serviceLine })}
          testId="queue-filter-service-line"
        />
        <span className="toolbar-sep" aria-hidden="true" />
        <FilterChip
          pressed={filters.breachingSoon}
          onToggle={() => update({ breachingSoon: !filters.breachingSoon })}
          testId="queue-filter-breaching-soon"
          tone="amber"
          title="In the warning stage, or due within the hour"
        >
          Breaching soon
        </FilterChip>
        <FilterChip pressed={filters.breached} onToggle={() => update({ breached: !filters.breached })} testId="queue-filter-breached" tone="red">
          Breached
        </FilterChip>
        {filtered && (
          <Button variant="ghost" size="sm" onClick={clear} data-testid="queue-clear-filters">
            Clear filters
          </Button>
        )}
      </div>

      {q.error && (
        <QueryError className="mb" title={q.data ? 'Couldn’t refresh the queue' : 'Couldn’t load the queue'} error={q.error} onRetry={q.refetch} retrying={q.loading}>
          {q.data && updatedAt ? ` Showing the queue as of ${formatDateTime(new Date(updatedAt).toISOString())}.` : ''}
        </QueryError>
      )}

      <div className={clsx('table-wrap', q.loading && q.data && 'is-refreshing')} aria-busy={q.loading}>
        <table className="table table-clickable table-queue" data-testid="queue-table">
          <thead>
            <tr>
              <th scope="col" className="col-prio">
                Priority
              </th>
              <th scope="col">Ticket</th>
              <th scope="col">Client</th>
              <th scope="col">Status</th>
              <th scope="col">Assignee</th>
              <th scope="col" className="col-sla">
                SLA
              </th>
            </tr>
          </thead>
          <tbody ref={tableRef}>
            {initialLoading
              ? Array.from({ length: 8 }, (_, i) => <SkeletonRow key={i} />)
              : rows.map((r, i) => (
                  <QueueRow
                    key={r.id}
                    item={r}
                    selected={i === effectiveIndex}
                    tabbable={i === Math.max(effectiveIndex, 0)}
                    onSelect={() => setSelected(rowKey(r))}
                    onOpen={() => open(r)}
                  />
                ))}
          </tbody>
        </table>
        {!initialLoading && !q.error && rows.length === 0 && (
          <EmptyState
            title={filtered ? 'Nothing matches these filters' : 'The queue is empty'}
            action={
              filtered ? (
                <Button size="sm" onClick={clear}>
                  Clear filters
                </Button>
              ) : undefined
            }
          >
            {filtered ? 'Try removing a filter.' : 'Open tickets of the clients you work for appear here, the nearest SLA deadline first.'}
          </EmptyState>
        )}
      </div>
      {total !== undefined && total > rows.length && rows.length > 0 && (
        <div className="table-footer">
          <span className="muted" data-testid="queue-truncated">
            Showing the {formatNumber(rows.length)} most urgent of {totalText}. Narrow the filters to see the rest.
          </span>
        </div>
      )}
    </div>
  );
}

function QueueRow({
  item: r,
  selected,
  tabbable,
  onSelect,
  onOpen,
}: {
  item: WorkItemRow;
  selected: boolean;
  tabbable: boolean;
  onSelect: () => void;
  onOpen: () => void;
}) {
  return (
    <tr
      data-testid={r.kind === 'TICKET' ? `queue-row-${r.client.slug}-${r.number}` : `queue-row-${r.kind.toLowerCase()}-${r.client.slug}-${r.number}`}
      data-row-key={rowKey(r)}
      className={clsx(selected && 'is-selected', r.breachState === 'BREACHED' && 'is-breached')}
      aria-selected={selected}
      tabIndex={tabbable ? 0 : -1}
      onFocus={onSelect}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('a') || e.metaKey || e.ctrlKey) return;
        onSelect();
        onOpen();
      }}
    >
      <td className="col-prio">
        <PriorityPill priority={r.priority} />
      </td>
      <td className="cell-title">
        <div className="cell-primary">
          <Link to={workItemPath(r)} className="row-link" tabIndex={-1}>
            <span className="ticket-number">{r.reference}</span> {r.title}
          </Link>
          <span className="cell-secondary" title={formatDateTime(r.createdAt)}>
            opened {formatRelative(r.createdAt)} · updated {formatRelative(r.updatedAt)}
          </span>
        </div>
      </td>
      <td className="nowrap">{r.client.name}</td>
      <td>
        {r.kind === 'TICKET' ? <TicketStatusPill status={r.status} /> : <Badge tone="violet">{r.statusLabel}</Badge>}
      </td>
      <td className="nowrap">
        {r.assignee ? (
          <span className="person">
            <Avatar name={r.assignee.fullName || r.assignee.email} size={20} />
            {r.assignee.fullName || r.assignee.email}
          </span>
        ) : (
          <span className="muted">Unassigned</span>
        )}
      </td>
      <td className="col-sla">
        <SlaCountdown dueAt={r.nextDeadlineAt} clock={r.nextDeadlineClock} state={r.breachState} layout="stack" />
      </td>
    </tr>
  );
}

function SkeletonRow() {
  return (
    <tr className="skeleton-row" aria-hidden="true">
      <td>
        <Skeleton width={34} />
      </td>
      <td>
        <Skeleton width={240} />
        <Skeleton width={120} height={10} className="mt-xs" />
      </td>
      <td>
        <Skeleton width={100} />
      </td>
      <td>
        <Skeleton width={70} />
      </td>
      <td>
        <Skeleton width={90} />
      </td>
      <td>
        <Skeleton width={80} />
      </td>
    </tr>
  );
}
