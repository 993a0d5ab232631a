import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { ClientHistoryPanel } from '../../components/HistoryPanel';
import { InvitationsSection, PeopleTable } from '../../components/people';
import { Avatar, Badge, Button, EmptyState, } from '../../components/ui';
import type { ClientDetailFieldsFragment, ClientQuery, ClientQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CLIENT_QUERY } from '../../graphql/operations';
import { MSP_ROLE_LABEL } from '../../lib/enums';
import { formatDate, formatNumber } from '../../lib/format';
import { ticketPath } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { ClientSlaCard } from '../catalog/ClientSlaCard';
import { ClientBillingCard } from '../billing/ClientBillingCard';
import { ComplianceSection } from '../compliance/ComplianceSection';
import { NewTicketDialog } from '../tickets/NewTicketDialog';
import { StatusView } from '../status/StatusView';
import { QueryError } from '../../components/QueryError';
import { ClientLifecycleCard } from './ClientLifecycleCard';
import { DetailSkeleton } from '../../components/CardsSkeleton';
import { ClientTitleRow } from './ClientTitleRow';
import { Card } from '../../components/Card';
import { CLIENT_TABS, ClientAssetTab, ClientTabNav, useClientTab } from '../assets/ClientAssetTabs';
import { ServicesSection } from '../monitoring/ServicesSection';
import { ClientSecurityCard } from '../security/ClientSecurityCard';
import { IngestTokensCard } from '../ingest/IngestTokensCard';

export function ClientDetailPage() {
  const { slug = '' } = useParams();
  const { viewer } = useViewer();
  const q = useQuery<ClientQuery, ClientQueryVariables>(CLIENT_QUERY, { slug });
  const client = q.data?.client;
  const tab = useClientTab();
  const tabLabel = CLIENT_TABS.find(([key]) => key === tab)?.[1];
  useDocumentTitle(client ? `${client.name}${tab !== 'overview' ? ` · ${tabLabel}` : ''}` : 'Client');

  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/clients">Clients</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">{client?.name ?? slug}</span>
      </nav>

      {q.error && !client ? (
        <QueryError title="Couldn’t load this client" error={q.error} onRetry={q.refetch} retrying={q.loading} />
      ) : q.data && !client ? (
        <EmptyState title="Client not found" action={<Link to="/clients" className="btn btn-secondary btn-sm">Back to clients</Link>}>
          There is no client <span className="mono">{slug}</span>, or you don’t have access to it.
        </EmptyState>
      ) : !client ? (
        <DetailSkeleton label="Loading client" titleWidth={260} />
      ) : (
        <>
          <ClientHeader client={client} canExport={viewer?.mspRole === 'ADMIN'} />
          <ClientTabNav current={tab} />
          {tab === 'status' ? (
            <StatusView clientSlug={client.slug} staff />
          ) : tab !== 'overview' ? (
            <ClientAssetTab tab={tab} clientSlug={client.slug} />
          ) : (
          <div className="detail-grid">
            <div className="detail-main">
              <Card headingId="people-heading" title={<>People <span className="count">{client.members.length}</span></>}>
                <PeopleTable members={client.members} />
              </Card>
              {viewer?.isMspStaff && (
                <ServicesSection clientSlug={client.slug} canManage={viewer.mspRole === 'ADMIN' || viewer.mspRole === 'TECHNICIAN'} />
              )}
              <InvitationsSection slug={client.slug} canInvite={viewer?.mspRole === 'ADMIN' || viewer?.mspRole === 'ACCOUNT_MANAGER'} />
              <ComplianceSection clientSlug={client.slug} />
              {(viewer?.mspRole === 'ADMIN' || viewer?.mspRole === 'ACCOUNT_MANAGER') && (
                <ClientBillingCard key={client.slug} slug={client.slug} canEdit={viewer?.mspRole === 'ADMIN'} />
              )}
              {viewer?.isMspStaff && <ClientHistoryPanel key={client.slug} slug={client.slug} />}
            </div>
            <aside className="detail-side">
              {viewer?.mspRole === 'ADMIN' && <ClientLifecycleCard slug={client.slug} onChanged={() => void q.refetch()} />}
              <ClientFacts client={client} />
              <ClientSlaCard clientSlug={client.slug} />
              <ClientSecurityCard clientSlug={client.slug} />
              {viewer?.isMspStaff && (
                <IngestTokensCard clientSlug={client.slug} canManage={viewer.mspRole === 'ADMIN' || viewer.mspRole === 'TECHNICIAN'} />
              )}
              <Card headingId="itleads-heading" title="IT leads">
                {client.itLeads.length === 0 ? (
                  <p className="muted small pad">No IT lead has joined yet.</p>
                ) : (
                  <ul className="people-list">
                    {client.itLeads.map((m) => (
                      <li key={m.id}>
                        <Avatar name={m.fullName || m.email} size={28} />
                        <div>
                          <div className="strong">{m.fullName}</div>
                          <a className="subtle-link small" href={`mailto:${m.email}`}>
                            {m.email}
                          </a>
                        </div>
                      </li>
                    ))}
                  </ul>
                )}
              </Card>
            </aside>
          </div>
          )}
        </>
      )}
    </div>
  );
}

/** MSP admins download all of a client's data (server: msp_portal/views.py, audited). */
export function clientArchiveUrl(slug: string): string {
  return `/exports/clients/${encodeURIComponent(slug)}.zip`;
}

function ClientHeader({ client, canExport }: { client: ClientDetailFieldsFragment; canExport: boolean }) {
  const [raising, setRaising] = useState(false);
  const navigate = useNavigate();
  return (
    <div className="detail-header">
      <ClientTitleRow
        client={client}
        nameTestId="client-name"
        before={<span className="mono muted">{client.slug}</span>}
        after={client.requireTwoFactor && <Badge tone="green">2FA required</Badge>}
      />
      <div className="row gap-sm">
        <Button variant="primary" size="sm" onClick={() => setRaising(true)} data-testid="client-new-ticket">
          New ticket
        </Button>
        <Link className="btn btn-secondary btn-sm" to={`/queue?client=${encodeURIComponent(client.slug)}`} data-testid="client-open-queue">
          Open tickets
        </Link>
        <a className="btn btn-secondary btn-sm" href={client.portalUrl} target="_blank" rel="noreferrer">
          Open portal ↗
        </a>
        {canExport && (
          <a className="btn btn-secondary btn-sm" href={clientArchiveUrl(client.slug)} download data-testid="client-export">
            Download all data
          </a>
        )}
      </div>
      {raising && (
        <NewTicketDialog
          clientSlug={client.slug}
          clientName={client.name}
          onClose={() => setRaising(false)}
          onCreated={(t, slug) => navigate(ticketPath(slug, t.number))}
        />
      )}
    </div>
  );
}

function ClientFacts({ client }: { client: ClientDetailFieldsFragment }) {
  return (
    <Card headingId="facts-heading" title="Details">
      <dl className="facts">
        <dt>Account manager</dt>
        <dd>
          {client.accountManager ? (
            <>
              <div>{client.accountManager.fullName}</div>
              <div className="small muted">
                {MSP_ROLE_LABEL[client.accountManager.mspRole]} ·{' '}
                <a className="subtle-link" href={`mailto:${client.accountManager.email}`}>
                  {client.accountManager.email}
                </a>
              </div>
            </>
          ) : (
            <span className="muted">Unassigned</span>
          )}
        </dd>
        <dt>Portal URL</dt>
        <dd>
          <a href={client.portalUrl} target="_blank" rel="noreferrer" className="mono small break" data-testid="client-portal-url">
            {client.portalUrl}
          </a>
        </dd>
        <dt>Time zone</dt>
        <dd>{client.timezone}</dd>
        <dt>Members</dt>
        <dd>{formatNumber(client.memberCount)}</dd>
        <dt>Contacts</dt>
        <dd>{formatNumber(client.contactCount)}</dd>
        <dt>Two-factor</dt>
        <dd>{client.requireTwoFactor ? 'Required for all users' : 'Optional'}</dd>
        <dt>Created</dt>
        <dd>{formatDate(client.createdAt)}</dd>
      </dl>
    </Card>
  );
}

