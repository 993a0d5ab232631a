import { Link } from 'react-router';
import { SlaCountdown } from '../../components/desk';
import { QueryError } from '../../components/QueryError';
import { Badge, EmptyState, Skeleton } from '../../components/ui';
import type { ClientOptionsQuery, ClientOptionsQueryVariables, QueueQuery, QueueQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CLIENT_OPTIONS_QUERY, QUEUE_QUERY } from '../../graphql/operations';
import { formatRelative } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { staffSecurityPath, workItemPath } from './security';
import './security.css';

/** Staff: open security work across their clients (incidents and phishing awaiting triage,
 * from the queue's index), soonest deadline first; each client's security page from here. */
export function StaffSecurityPage() {
  useDocumentTitle('Security');
  const q = useQuery<QueueQuery, QueueQueryVariables>(QUEUE_QUERY, { first: 100, serviceLine: 'SECURITY' }, { pollInterval: 30_000 });
  const clients = useQuery<ClientOptionsQuery, ClientOptionsQueryVariables>(CLIENT_OPTIONS_QUERY, { first: 100 });
  const rows = (q.data?.queue.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Security</h1>
          <p className="page-subtitle">Open security incidents and phishing reports awaiting triage, across your clients.</p>
        </div>
      </div>
      {q.error && <QueryError className="mb" title="Couldn’t load security work" error={q.error} onRetry={q.refetch} retrying={q.loading} />}
      {!q.data && q.error ? null : q.data && rows.length === 0 ? (
        <EmptyState title="Nothing open">No security incident is open and no phishing report awaits triage.</EmptyState>
      ) : (
        <div className="table-wrap" aria-busy={q.loading}>
          <table className="table table-stack" data-testid="security-work-table">
            <thead>
              <tr>
                <th scope="col">Item</th>
                <th scope="col">Client</th>
                <th scope="col">Status</th>
                <th scope="col" className="col-sla">
                  SLA
                </th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {!q.data
                ? Array.from({ length: 3 }, (_, i) => (
                    <tr key={i} className="skeleton-row" aria-hidden="true">
                      {Array.from({ length: 5 }, (_, j) => (
                        <td key={j}>
                          <Skeleton width={j === 0 ? 220 : 70} />
                        </td>
                      ))}
                    </tr>
                  ))
                : rows.map((r) => (
                    <tr key={`${r.kind}-${r.client.slug}-${r.number}`} data-testid={`security-row-${r.kind.toLowerCase()}-${r.client.slug}-${r.number}`}>
                      <td className="cell-title">
                        <Link to={workItemPath(r)}>
                          <span className="ticket-number">{r.reference}</span> {r.title}
                        </Link>
                      </td>
                      <td data-label="Client">
                        <Link to={staffSecurityPath(r.client.slug)} className="subtle-link">
                          {r.client.name}
                        </Link>
                      </td>
                      <td data-label="Status">
                        <Badge tone={r.kind === 'PHISHING' ? 'amber' : 'violet'}>{r.statusLabel}</Badge>
                      </td>
                      <td className="col-sla" data-label="SLA">
                        <SlaCountdown dueAt={r.nextDeadlineAt} clock={r.nextDeadlineClock} state={r.breachState} layout="stack" />
                      </td>
                      <td className="nowrap" data-label="Updated">
                        {formatRelative(r.updatedAt)}
                      </td>
                    </tr>
                  ))}
            </tbody>
          </table>
        </div>
      )}
      <section className="card mt" aria-labelledby="security-clients-heading">
        <div className="card-header">
          <h2 className="card-title" id="security-clients-heading">
            Clients
          </h2>
        </div>
        <ul className="message-list">
          {(clients.data?.clients.edges ?? []).flatMap((e) =>
            e?.node
              ? [
                  <li key={e.node.slug}>
                    <Link to={staffSecurityPath(e.node.slug)}>{e.node.name}</Link>
                  </li>,
                ]
              : [],
          )}
        </ul>
      </section>
    </div>
  );
}
