import { Link } from 'react-router';
import { Badge, EmptyState, Skeleton } from '../../components/ui';
import { QueryError } from '../../components/QueryError';
import type { DownNowQuery } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { DOWN_NOW_QUERY } from '../../graphql/operations';
import { formatDateTime, formatRelative } from '../../lib/format';
import { ticketPath } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { MONITOR_KIND_LABEL, durationSince } from './monitoring';
import { StatePill } from './StatePill';
import './monitoring.css';

/** The board refreshes itself this often (it reads the public index: one query). */
export const DOWN_NOW_POLL_MS = 30_000;

/** Staff: every monitor that is down or degraded right now, across the clients they reach. */
export function DownNowPage() {
  useDocumentTitle('Down now');
  const q = useQuery<DownNowQuery>(DOWN_NOW_QUERY, {}, { pollInterval: DOWN_NOW_POLL_MS });
  const rows = q.data?.downNow ?? [];
  const down = rows.filter((r) => r.state === 'DOWN').length;

  return (
    <div className="page">
      <div className="page-header">
        <h1 className="page-title">Down now</h1>
        <p className="page-subtitle muted">
          Monitors down or degraded across your clients, longest first. Refreshes every {DOWN_NOW_POLL_MS / 1000} seconds.
        </p>
      </div>
      <section className="card" aria-labelledby="down-now-heading" data-testid="down-now">
        <div className="card-header">
          <h2 className="card-title" id="down-now-heading">
            {q.data ? `${down} down · ${rows.length - down} degraded` : 'Loading…'}
          </h2>
        </div>
        {q.error && !q.data ? (
          <div className="pad">
            <QueryError title="Couldn’t load the board" error={q.error} onRetry={q.refetch} retrying={q.loading} />
          </div>
        ) : !q.data ? (
          <div className="pad stack-sm" aria-busy="true">
            <Skeleton height={32} />
            <Skeleton height={32} />
          </div>
        ) : rows.length === 0 ? (
          <div className="pad">
            <EmptyState title="Everything is up">No monitor of your clients is down or degraded.</EmptyState>
          </div>
        ) : (
          // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
          <div className="table-wrap flat" role="region" aria-label="Monitors down or degraded" tabIndex={0}>
            <table className="table down-now-table">
              <thead>
                <tr>
                  <th scope="col">Client</th>
                  <th scope="col">Service · monitor</th>
                  <th scope="col">State</th>
                  <th scope="col">Since</th>
                  <th scope="col">Last result</th>
                  <th scope="col">Ticket</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.id} data-testid="down-now-row">
                    <td>
                      <Link to={`/clients/${encodeURIComponent(r.clientSlug)}`}>{r.clientName}</Link>
                    </td>
                    <td>
                      <div className="strong">
                        {r.serviceName} {r.isBusinessCritical && <Badge tone="violet">Business-critical</Badge>}
                      </div>
                      <div className="small muted">
                        {r.monitorName} · {MONITOR_KIND_LABEL[r.kind]}
                      </div>
                      {r.inMaintenanceUntil && <div className="small">In maintenance until {formatDateTime(r.inMaintenanceUntil)}</div>}
                    </td>
                    <td>
                      <StatePill state={r.state} />
                    </td>
                    <td className="small">
                      <time dateTime={r.stateSince} title={formatDateTime(r.stateSince)}>
                        {durationSince(r.stateSince)}
                      </time>
                    </td>
                    <td className="small">
                      <div>{r.lastMessage || '—'}</div>
                      {r.lastResultAt && <div className="muted">{formatRelative(r.lastResultAt)}</div>}
                    </td>
                    <td>{r.ticketNumber ? <Link to={ticketPath(r.clientSlug, r.ticketNumber)}>#{r.ticketNumber}</Link> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
