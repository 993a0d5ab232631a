import clsx from 'clsx';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Button, EmptyState } from '../../components/ui';
import type {
  PhishingCampaignsQuery,
  PhishingCampaignsQueryVariables,
  PhishingCampaignStatus,
  SecurityIncidentsQuery,
  SecurityIncidentsQueryVariables,
  TopbarClientQuery,
  TopbarClientQueryVariables,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { PHISHING_CAMPAIGNS_QUERY, SECURITY_INCIDENTS_QUERY, TOPBAR_CLIENT_QUERY } from '../../graphql/operations';
import { formatRelative } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { IncidentsTable } from './IncidentsTable';
import { NewIncidentDialog } from './NewIncidentDialog';
import { ResponseTargetsCard } from './ResponseTargetsCard';
import { CampaignStatusPill } from './SecurityPills';
import { staffCampaignPath, staffIncidentPath } from './security';
import '../tickets/tickets.css';
import './security.css';

/** Staff: one client's security — its incidents, phishing reports by campaign, response targets. */
export function StaffClientSecurityPage() {
  const { slug = '' } = useParams();
  const { viewer } = useViewer();
  const navigate = useNavigate();
  const client = useQuery<TopbarClientQuery, TopbarClientQueryVariables>(TOPBAR_CLIENT_QUERY, { slug });
  const name = client.data?.client?.name ?? slug;
  useDocumentTitle(`Security · ${name}`);
  const [openOnly, setOpenOnly] = useState(true);
  const [campaignStatus, setCampaignStatus] = useState<PhishingCampaignStatus | null>('NEW');
  const incidents = useQuery<SecurityIncidentsQuery, SecurityIncidentsQueryVariables>(SECURITY_INCIDENTS_QUERY, { clientSlug: slug, openOnly }, { pollInterval: 30_000 });
  const campaigns = useQuery<PhishingCampaignsQuery, PhishingCampaignsQueryVariables>(PHISHING_CAMPAIGNS_QUERY, { clientSlug: slug, ...(campaignStatus ? { status: campaignStatus } : {}) });
  const [creating, setCreating] = useState(false);
  const canEditTargets = viewer?.mspRole === 'ADMIN' || viewer?.mspRole === 'ACCOUNT_MANAGER';

  if (client.data && !client.data.client) {
    return (
      <div className="page">
        <EmptyState title="Client not found" action={<Link to="/security" className="btn btn-secondary btn-sm">Back to security</Link>} />
      </div>
    );
  }

  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/security">Security</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{name}</span>
      </nav>
      <div className="page-header">
        <div>
          <h1 className="page-title">Security · {name}</h1>
          <p className="page-subtitle">
            <Link to={`/clients/${encodeURIComponent(slug)}`}>Client page</Link>
          </p>
        </div>
        <Button variant="primary" onClick={() => setCreating(true)} data-testid="new-incident">
          New incident
        </Button>
      </div>

      <div className="stack">
        <Card
          headingId="client-incidents-heading"
          title="Incidents"
          aside={
            <div className="segmented" role="group" aria-label="Show incidents">
              <button type="button" className={clsx(openOnly && 'is-active')} aria-pressed={openOnly} onClick={() => setOpenOnly(true)}>
                Open
              </button>
              <button type="button" className={clsx(!openOnly && 'is-active')} aria-pressed={!openOnly} onClick={() => setOpenOnly(false)}>
                All
              </button>
            </div>
          }
        >
          {incidents.error && <QueryError title="Couldn’t load the incidents" error={incidents.error} onRetry={incidents.refetch} retrying={incidents.loading} />}
          <IncidentsTable rows={incidents.data?.securityIncidents} loading={incidents.loading} failed={!!incidents.error} pathOf={(n) => staffIncidentPath(slug, n)} showAssignee emptyText={openOnly ? 'No open incidents.' : 'No incidents.'} />
        </Card>

        <Card
          headingId="client-phishing-heading"
          title="Phishing reports"
          testId="client-phishing"
          aside={
            <div className="segmented" role="group" aria-label="Show phishing reports">
              <button type="button" className={clsx(campaignStatus === 'NEW' && 'is-active')} aria-pressed={campaignStatus === 'NEW'} onClick={() => setCampaignStatus('NEW')}>
                Awaiting triage
              </button>
              <button type="button" className={clsx(campaignStatus === null && 'is-active')} aria-pressed={campaignStatus === null} onClick={() => setCampaignStatus(null)}>
                All
              </button>
            </div>
          }
        >
          {campaigns.error && <QueryError title="Couldn’t load the reports" error={campaigns.error} onRetry={campaigns.refetch} retrying={campaigns.loading} />}
          {campaigns.data && campaigns.data.phishingCampaigns.length === 0 ? (
            <p className="pad small muted">{campaignStatus === 'NEW' ? 'Nothing awaits triage.' : 'No phishing reports yet.'}</p>
          ) : (
            <ul className="message-list" data-testid="campaign-list">
              {(campaigns.data?.phishingCampaigns ?? []).map((c) => (
                <li key={c.id}>
                  <Link to={staffCampaignPath(slug, c.id)} className="strong">
                    {c.subject || '(no subject)'}
                  </Link>{' '}
                  <CampaignStatusPill status={c.status} />
                  <div className="small muted">
                    {c.senderDomain || 'unknown sender'} · {c.reportCount} {c.reportCount === 1 ? 'report' : 'reports'} · last {formatRelative(c.lastReportedAt)}
                    {c.incidentNumber && <> · SEC-{c.incidentNumber}</>}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </Card>

        <ResponseTargetsCard clientSlug={slug} canEdit={canEditTargets} />
      </div>
      {creating && <NewIncidentDialog clientSlug={slug} isStaff onClose={() => setCreating(false)} onCreated={(n) => navigate(staffIncidentPath(slug, n))} />}
    </div>
  );
}
