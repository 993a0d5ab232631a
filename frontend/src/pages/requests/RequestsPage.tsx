import clsx from 'clsx';
import { useMemo, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { PriorityPill, SlaCountdown, TicketStatusPill } from '../../components/desk';
import { Button, EmptyState, Skeleton } from '../../components/ui';
import type { TicketsQuery, TicketsQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { TICKETS_QUERY } from '../../graphql/operations';
import { DONE_STATUSES } from '../../lib/enums';
import { formatDateTime, formatNumber, formatRelative } from '../../lib/format';
import { clientUserSlug, requestPath } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PlusIcon } from '../clients/ClientsPage';
import { NewRequestDialog } from './NewRequestDialog';
import { QueryError } from '../../components/QueryError';

export type RequestRow = TicketsQuery['tickets'][number];

export const REQUESTS_POLL_MS = 30_000;

/** Open requests first (newest first within each group), then resolved and closed ones. */
export function sortRequests(rows: readonly RequestRow[]): RequestRow[] {
  const done = (r: RequestRow) => (DONE_STATUSES.includes(r.status) ? 1 : 0);
  return [...rows].sort((a, b) => done(a) - done(b) || b.number - a.number);
}

export function RequestsPage() {
  useDocumentTitle('Requests');
  const { viewer } = useViewer();
  const clientSlug = clientUserSlug(viewer);
  const navigate = useNavigate();
  const [showNew, setShowNew] = useState(false);
  const [showDone, setShowDone] = useState(true);
  const q = useQuery<TicketsQuery, TicketsQueryVariables>(TICKETS_QUERY, clientSlug ? { clientSlug } : {}, { pollInterval: REQUESTS_POLL_MS });
  const all = useMemo(() => sortRequests(q.data?.tickets ?? []), [q.data]);
  const openCount = all.filter((r) => !DONE_STATUSES.includes(r.status)).length;
  const rows = showDone ? all : all.filter((r) => !DONE_STATUSES.includes(r.status));
  const noCompany = !viewer?.currentClient && !viewer?.memberships.length;

  if (noCompany) {
    return (
      <div className="page">
        <EmptyState title="You’re not part of a company yet">Ask your company’s IT lead or your MSP to invite you.</EmptyState>
      </div>
    );
  }

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Requests</h1>
          <p className="page-subtitle">
            {!q.data ? (
              <Skeleton width={120} />
            ) : (
              <span data-testid="requests-total">
                {formatNumber(openCount)} open · {formatNumber(all.length)} in total
              </span>
            )}
          </p>
        </div>
        <Button variant="primary" onClick={() => setShowNew(true)} data-testid="new-request">
          <PlusIcon /> New request
        </Button>
      </div>

      <div className="toolbar">
        <div className="segmented" role="group" aria-label="Show">
          <button type="button" className={clsx(!showDone && 'is-active')} aria-pressed={!showDone} onClick={() => setShowDone(false)} data-testid="requests-open-only">
            Open
          </button>
          <button type="button" className={clsx(showDone && 'is-active')} aria-pressed={showDone} onClick={() => setShowDone(true)} data-testid="requests-all">
            All
          </button>
        </div>
      </div>

      {q.error && (
        <QueryError className="mb" title="Couldn’t load your requests" error={q.error} onRetry={q.refetch} retrying={q.loading} />
      )}

      <div className="table-wrap" aria-busy={q.loading}>
        <table className="table table-clickable table-stack" data-testid="requests-table">
          <thead>
            <tr>
              <th scope="col">Request</th>
              <th scope="col">Status</th>
              <th scope="col">Priority</th>
              <th scope="col">Requested by</th>
              <th scope="col" className="col-sla">
                SLA
              </th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {!q.data && !q.error
              ? Array.from({ length: 5 }, (_, i) => (
                  <tr key={i} className="skeleton-row" aria-hidden="true">
                    {Array.from({ length: 6 }, (_, j) => (
                      <td key={j}>
                        <Skeleton width={j === 0 ? 220 : 70} />
                      </td>
                    ))}
                  </tr>
                ))
              : rows.map((r) => (
                  <tr
                    key={r.number}
                    className={clsx(DONE_STATUSES.includes(r.status) && 'is-done')}
                    data-testid={`request-row-${r.number}`}
                    tabIndex={0}
                    onClick={(e) => {
                      if ((e.target as HTMLElement).closest('a') || e.metaKey || e.ctrlKey) return;
                      navigate(requestPath(r.number));
                    }}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter' && e.target === e.currentTarget) navigate(requestPath(r.number));
                    }}
                  >
                    <td className="cell-title">
                      <Link to={requestPath(r.number)} className="row-link" tabIndex={-1}>
                        <span className="ticket-number">#{r.number}</span> {r.title}
                      </Link>
                    </td>
                    <td data-label="Status">
                      <TicketStatusPill status={r.status} />
                    </td>
                    <td data-label="Priority">
                      <PriorityPill priority={r.priority} />
                    </td>
                    <td className="nowrap" data-label="Requested by">
                      {r.requesterName}
                    </td>
                    <td className="col-sla" data-label="SLA">
                      {DONE_STATUSES.includes(r.status) ? (
                        <span className="muted small">—</span>
                      ) : (
                        <SlaCountdown dueAt={r.nextDeadlineAt} clock={r.nextDeadlineClock} state={r.breachState} layout="stack" />
                      )}
                    </td>
                    <td className="nowrap" data-label="Updated" title={formatDateTime(r.updatedAt)}>
                      {formatRelative(r.updatedAt)}
                    </td>
                  </tr>
                ))}
          </tbody>
        </table>
        {q.data && rows.length === 0 && (
          <EmptyState
            title={all.length ? 'No open requests' : 'No requests yet'}
            action={
              <Button size="sm" variant="primary" onClick={() => setShowNew(true)}>
                New request
              </Button>
            }
          >
            {all.length ? 'Everything you asked for has been resolved.' : 'Ask the service desk for help: it takes a minute.'}
          </EmptyState>
        )}
      </div>

      {showNew && (
        <NewRequestDialog
          clientSlug={clientSlug}
          onClose={() => setShowNew(false)}
          onCreated={(t) => {
            setShowNew(false);
            navigate(requestPath(t.number));
          }}
        />
      )}
    </div>
  );
}
