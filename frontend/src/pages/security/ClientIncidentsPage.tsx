import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { defaultClientSlug, roleInClient } from '../../auth/roles';
import { useViewer } from '../../auth/ViewerContext';
import { QueryError } from '../../components/QueryError';
import { Button } from '../../components/ui';
import type { SecurityIncidentsQuery, SecurityIncidentsQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { SECURITY_INCIDENTS_QUERY } from '../../graphql/operations';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { IncidentsTable } from './IncidentsTable';
import { NewIncidentDialog } from './NewIncidentDialog';
import { clientIncidentPath } from './security';
import './security.css';

/** Client users: their company's security incidents. IT leads see all of them and may open one;
 * members see the incidents they raised or are named on as affected. */
export function ClientIncidentsPage() {
  useDocumentTitle('Security incidents');
  const { viewer } = useViewer();
  const clientSlug = clientUserSlug(viewer);
  const isLead = !!viewer && roleInClient(viewer, defaultClientSlug(viewer)) === 'IT_LEAD';
  const q = useQuery<SecurityIncidentsQuery, SecurityIncidentsQueryVariables>(SECURITY_INCIDENTS_QUERY, clientSlug ? { clientSlug } : {}, { pollInterval: 30_000 });
  const [creating, setCreating] = useState(false);
  const navigate = useNavigate();
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Security incidents</h1>
          <p className="page-subtitle">
            {isLead
              ? 'Every security incident of your company, with how fast the MSP must acknowledge, contain and resolve it.'
              : 'Incidents you raised or that affect you.'}{' '}
            Got a suspicious e-mail? <Link to="/phishing">Report phishing</Link>.
          </p>
        </div>
        {isLead && (
          <Button variant="primary" onClick={() => setCreating(true)} data-testid="new-incident">
            Report an incident
          </Button>
        )}
      </div>
      {q.error && <QueryError className="mb" title="Couldn’t load the incidents" error={q.error} onRetry={q.refetch} retrying={q.loading} />}
      <IncidentsTable rows={q.data?.securityIncidents} loading={q.loading} failed={!!q.error} pathOf={clientIncidentPath} emptyText="No security incidents." />
      {creating && (
        <NewIncidentDialog
          clientSlug={clientSlug}
          isStaff={false}
          onClose={() => setCreating(false)}
          onCreated={(number) => navigate(clientIncidentPath(number))}
        />
      )}
    </div>
  );
}
