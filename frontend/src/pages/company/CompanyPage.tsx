import { Link, useParams } from 'react-router';
import { roleInClient } from '../../auth/roles';
import { useViewer } from '../../auth/ViewerContext';
import { InvitationsSection, PeopleTable, RoleBadge } from '../../components/people';
import { Alert, Avatar, EmptyState, Skeleton, TierBadge } from '../../components/ui';
import type { ClientQuery, ClientQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CLIENT_QUERY } from '../../graphql/operations';
import { formatNumber } from '../../lib/format';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { QueryError } from '../../components/QueryError';
import { ClientTitleRow } from '../clients/ClientTitleRow';
import { Card } from '../../components/Card';
import { MonitoringConnectionCard } from '../ingest/MonitoringConnectionCard';
import './company.css';

export function CompanyPage() {
  const { slug: routeSlug } = useParams();
  const { viewer } = useViewer();
  // On a client's own portal host the server knows the client: send no slug.
  // Elsewhere (or after using the switcher) name the client explicitly.
  const slug = routeSlug ?? (viewer?.currentClient ? undefined : viewer?.memberships[0]?.client.slug);
  const noCompany = !routeSlug && !viewer?.currentClient && !viewer?.memberships.length;
  // Signed in on another company's portal host (a session from before sign-in there was
  // refused): this host serves only its own company, so send her to her own portal(s).
  // (Her own company's host whose portal is suspended is not "elsewhere": the query says why.)
  const elsewhere =
    !!viewer?.onClientPortal &&
    !viewer.currentClient &&
    !noCompany &&
    !viewer.memberships.some((m) => new URL(m.client.portalUrl).origin === window.location.origin);
  const q = useQuery<ClientQuery, ClientQueryVariables>(CLIENT_QUERY, slug ? { slug } : {}, { skip: noCompany || elsewhere });
  const client = q.data?.client;
  useDocumentTitle(client?.name ?? 'My company');

  if (noCompany) {
    return (
      <div className="page">
        <EmptyState title="You’re not part of a company yet">
          Ask your company’s IT lead or your MSP to invite you.
        </EmptyState>
      </div>
    );
  }

  if (elsewhere && viewer) {
    return (
      <div className="page">
        <EmptyState title="This isn’t your company’s portal">
          <p>This address belongs to another company. Open your own portal:</p>
          <ul className="portal-list" data-testid="own-portals">
            {viewer.memberships.map((m) => (
              <li key={m.client.slug}>
                <a className="btn btn-secondary btn-sm" href={new URL('/company', m.client.portalUrl).toString()}>
                  {m.client.name}
                </a>
              </li>
            ))}
          </ul>
        </EmptyState>
      </div>
    );
  }

  if (q.error && !client) {
    return (
      <div className="page">
        <QueryError title="Couldn’t load your company" error={q.error} onRetry={q.refetch} retrying={q.loading} />
      </div>
    );
  }
  if (q.data && !client) {
    return (
      <div className="page">
        <EmptyState title="Company not found" action={<Link to="/company" className="btn btn-secondary btn-sm">Go to my company</Link>}>
          This company doesn’t exist or you’re not a member of it.
        </EmptyState>
      </div>
    );
  }
  if (!client || !viewer) {
    return (
      <div className="page stack" aria-busy="true">
        <Skeleton width={240} height={24} />
        <Skeleton width={320} />
        <div className="card pad stack-sm">
          <Skeleton width="70%" />
          <Skeleton width="50%" />
        </div>
      </div>
    );
  }

  const myRole = roleInClient(viewer, client.slug);
  const isItLead = myRole === 'IT_LEAD';

  return (
    <div className="page">
      <div className="detail-header">
        <ClientTitleRow
          client={client}
          nameTestId="company-name"
          after={
            myRole && (
              <span className="muted small">
                You are <RoleBadge role={myRole} />
              </span>
            )
          }
        />
      </div>

      {client.requireTwoFactor && (
        <Alert tone="info" title="Two-factor authentication is required" className="mb">
          {client.name} requires everyone to sign in with an authenticator app.{' '}
          {viewer.otpEnrolled ? 'Your account is protected.' : 'You’ll be asked to set it up when you next sign in.'}
        </Alert>
      )}

      <div className="detail-grid">
        <div className="detail-main">
          <Card headingId="people-heading" title={<>People <span className="count">{client.members.length}</span></>}>
            <PeopleTable members={client.members} />
          </Card>
          {isItLead && <InvitationsSection slug={client.slug} canInvite passSlug={!!slug} />}
        </div>
        <aside className="detail-side">
          <Card headingId="am-heading" title="Your account manager">
            {client.accountManager ? (
              <div className="pad am-card" data-testid="account-manager">
                <Avatar name={client.accountManager.fullName} size={36} />
                <div>
                  <div className="strong">{client.accountManager.fullName}</div>
                  <a className="subtle-link small" href={`mailto:${client.accountManager.email}`}>
                    {client.accountManager.email}
                  </a>
                </div>
              </div>
            ) : (
              <p className="muted small pad">Your MSP hasn’t assigned an account manager yet.</p>
            )}
          </Card>
          {isItLead && <MonitoringConnectionCard clientSlug={client.slug} />}
          <Card headingId="company-facts-heading" title="Company">
            <dl className="facts">
              <dt>Service tier</dt>
              <dd>
                <TierBadge tier={client.tier} />
              </dd>
              <dt>Time zone</dt>
              <dd>{client.timezone}</dd>
              <dt>Members</dt>
              <dd>{formatNumber(client.memberCount)}</dd>
              <dt>Two-factor</dt>
              <dd>{client.requireTwoFactor ? 'Required for everyone' : 'Optional'}</dd>
              <dt>Portal</dt>
              <dd>
                <a href={client.portalUrl} className="mono small break">
                  {client.portalUrl}
                </a>
              </dd>
            </dl>
          </Card>
        </aside>
      </div>
    </div>
  );
}
