import { Card } from '../../components/Card';
import { Badge, Skeleton } from '../../components/ui';
import type { MonitoringConnectionQuery, MonitoringConnectionQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { MONITORING_CONNECTION_QUERY } from '../../graphql/operations';
import { formatDateTime, formatRelative } from '../../lib/format';

/**
 * The client's IT lead: whether the RMM that watches their devices and services reports to
 * the portal (never keys or secrets; those stay with the MSP).
 */
export function MonitoringConnectionCard({ clientSlug }: { clientSlug: string }) {
  const q = useQuery<MonitoringConnectionQuery, MonitoringConnectionQueryVariables>(MONITORING_CONNECTION_QUERY, { clientSlug });
  const state = q.data?.monitoringConnection;
  return (
    <Card
      headingId="monitoring-connection-heading"
      title="Monitoring"
      testId="monitoring-connection"
      aside={state && (state.connected ? <Badge tone="green">Connected</Badge> : <Badge tone="amber">Not connected</Badge>)}
    >
      <div className="pad small">
        {q.error && !state ? (
          <p className="muted">The monitoring connection can’t be shown right now.</p>
        ) : !state ? (
          <Skeleton width="70%" />
        ) : state.connected && state.lastReceivedAt ? (
          <p data-testid="monitoring-last-report">
            Your MSP’s monitoring reports device and service status to this portal. Last report{' '}
            <time dateTime={state.lastReceivedAt} title={formatDateTime(state.lastReceivedAt)}>
              {formatRelative(state.lastReceivedAt)}
            </time>
            .
          </p>
        ) : state.activeTokenCount > 0 ? (
          <p>Your MSP has set up monitoring for you; no report has arrived yet.</p>
        ) : (
          <p>Your MSP’s monitoring doesn’t report to this portal yet. Ask your account manager if you expected it.</p>
        )}
      </div>
    </Card>
  );
}
