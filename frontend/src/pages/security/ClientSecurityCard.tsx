import { Link } from 'react-router';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Skeleton } from '../../components/ui';
import type { SecurityIncidentsQuery, SecurityIncidentsQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { SECURITY_INCIDENTS_QUERY } from '../../graphql/operations';
import { IncidentStatusPill, SeverityPill } from './SecurityPills';
import { staffIncidentPath, staffSecurityPath } from './security';

/** Staff, on a client's page: its open security incidents, with a way to all of its security. */
export function ClientSecurityCard({ clientSlug }: { clientSlug: string }) {
  const q = useQuery<SecurityIncidentsQuery, SecurityIncidentsQueryVariables>(SECURITY_INCIDENTS_QUERY, { clientSlug, openOnly: true });
  const rows = q.data?.securityIncidents ?? [];
  return (
    <Card
      headingId="client-security-heading"
      title={<>Open security incidents {q.data && <span className="count">{rows.length}</span>}</>}
      testId="client-security-card"
      aside={
        <Link to={staffSecurityPath(clientSlug)} className="small">
          Security page
        </Link>
      }
    >
      {q.error && <QueryError title="Couldn’t load incidents" error={q.error} onRetry={q.refetch} retrying={q.loading} />}
      {!q.data && !q.error ? (
        <div className="pad">
          <Skeleton width={200} />
        </div>
      ) : rows.length === 0 ? (
        <p className="pad small muted">None open.</p>
      ) : (
        <ul className="message-list">
          {rows.slice(0, 8).map((r) => (
            <li key={r.number}>
              <Link to={staffIncidentPath(clientSlug, r.number)}>
                <span className="ticket-number">{r.reference}</span> {r.title}
              </Link>
              <div className="row gap-sm mt-xs">
                <SeverityPill severity={r.severity} />
                <IncidentStatusPill status={r.status} />
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
