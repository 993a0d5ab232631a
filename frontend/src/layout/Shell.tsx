import clsx from 'clsx';
import { useId, useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useMatch, useNavigate, useSearchParams } from 'react-router';
import { defaultClientSlug, roleBadge, roleInClient } from '../auth/roles';
import { useViewer } from '../auth/ViewerContext';
import { Logo } from '../components/Logo';
import { Avatar, Badge } from '../components/ui';
import type { LogoutMutation, TopbarClientQuery, TopbarClientQueryVariables } from '../graphql/generated';
import { useMutation, useQuery } from '../graphql/hooks';
import { LOGOUT_MUTATION, TOPBAR_CLIENT_QUERY } from '../graphql/operations';
import { PageClientContext, type PageClient } from './pageClient';
import { catalogNavIcon } from '../pages/catalog/navIcon';
import { downNowNavIcon } from '../pages/monitoring/navIcon';
import './Shell.css';

type NavItem = { to: string; label: string; testId: string; icon: ReactNode };

const icons = {
  queue: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M2.5 4h11M2.5 8h11M2.5 12h7" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
      <circle cx="12.5" cy="12" r="1.2" fill="currentColor" />
    </svg>
  ),
  requests: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M2.5 3.5h11v7h-6l-3 2.5v-2.5h-2z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
      <path d="M5 6.2h6M5 8.2h4" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
    </svg>
  ),
  status: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M1.5 8.5h3l1.8-4 3 8 1.9-4.5h3.3" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  compliance: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M2.5 13.5h11M4 11V8M7 11V5M10 11V7M13 11V3.5" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
    </svg>
  ),
  clients: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M2.5 13.5v-9l5-2.5 5 2.5v9M6 13.5v-3h3v3M5 6.5h1M9 6.5h1M5 9h1M9 9h1" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  ),
  devices: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <rect x="2" y="3" width="12" height="8" rx="1" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path d="M5.5 13.5h5M8 11v2.5" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
    </svg>
  ),
  mfa: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M8 1.8l5 2v4c0 3-2.2 5.3-5 6.4-2.8-1.1-5-3.4-5-6.4v-4z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
      <path d="M5.8 8l1.6 1.6 2.9-3" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  ),
  security: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M8 1.5l5 2v4c0 3.2-2.2 5.7-5 7-2.8-1.3-5-3.8-5-7v-4z" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
      <path d="M8 5.5v3M8 10.5v.1" stroke="currentColor" strokeWidth="1.4" strokeLinecap="round" />
    </svg>
  ),
  phishing: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <path d="M2 4h12v8H2z M2 4l6 4.5L14 4" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" />
    </svg>
  ),
  company: (
    <svg viewBox="0 0 16 16" width="16" height="16" aria-hidden="true">
      <circle cx="6" cy="5.5" r="2.3" fill="none" stroke="currentColor" strokeWidth="1.3" />
      <path d="M1.8 13.2c.5-2.3 2.2-3.5 4.2-3.5s3.7 1.2 4.2 3.5M10.5 3.4a2.2 2.2 0 010 4.2M12 9.9c1.2.5 2 1.6 2.2 3.3" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinecap="round" />
    </svg>
  ),
};

export function Shell() {
  const { viewer, markSignedOut } = useViewer();
  const navigate = useNavigate();
  const [logout, { loading: signingOut }] = useMutation<LogoutMutation>(LOGOUT_MUTATION);
  const companyMatch = useMatch('/company/:slug');
  // Staff: the client the current page is about (client page, ticket, queue filtered by client).
  const clientPageMatch = useMatch('/clients/:slug');
  const ticketMatch = useMatch('/tickets/:clientSlug/:number');
  const queueMatch = useMatch('/queue');
  const securityMatch = useMatch('/security/:slug/*');
  const [searchParams] = useSearchParams();
  // The ticket page loads its client's name with the ticket and hands it over (one request).
  const [pageClient, setPageClient] = useState<PageClient | null>(null);
  const staffClientSlug = clientPageMatch?.params.slug ?? ticketMatch?.params.clientSlug ?? securityMatch?.params.slug ?? (queueMatch ? searchParams.get('client') : null) ?? null;
  if (!viewer) return null;

  const items: NavItem[] = viewer.isMspStaff
    ? [
        { to: '/queue', label: 'Queue', testId: 'nav-queue', icon: icons.queue },
        { to: '/clients', label: 'Clients', testId: 'nav-clients', icon: icons.clients },
        { to: '/down-now', label: 'Down now', testId: 'nav-down-now', icon: downNowNavIcon },
        { to: '/security', label: 'Security', testId: 'nav-security', icon: icons.security },
        ...(viewer.mspRole === 'ADMIN' ? [{ to: '/catalog', label: 'SLA catalog', testId: 'nav-catalog', icon: catalogNavIcon }] : []),
        ...(viewer.mspRole === 'ADMIN' || viewer.mspRole === 'ACCOUNT_MANAGER'
          ? [
              { to: '/billing', label: 'Billing', testId: 'nav-billing', icon: icons.compliance },
              { to: '/outreach', label: 'Outreach', testId: 'nav-outreach', icon: icons.clients },
              { to: '/outreach/campaigns', label: 'Campaigns', testId: 'nav-campaigns', icon: icons.company },
              { to: '/outreach/broadcasts', label: 'Broadcasts', testId: 'nav-broadcasts', icon: icons.requests },
              { to: '/outreach/segments', label: 'Segments', testId: 'nav-segments', icon: icons.compliance },
            ]
          : []),
      ]
    : [
        { to: '/status', label: 'Status', testId: 'nav-status', icon: icons.status },
        { to: '/company', label: 'My company', testId: 'nav-company', icon: icons.company },
        { to: '/requests', label: 'Requests', testId: 'nav-requests', icon: icons.requests },
        { to: '/compliance', label: 'SLA compliance', testId: 'nav-compliance', icon: icons.compliance },
        { to: '/devices', label: 'Devices & sites', testId: 'nav-devices', icon: icons.devices },
        ...(roleInClient(viewer, defaultClientSlug(viewer)) === 'IT_LEAD'
          ? [{ to: '/mfa', label: 'MFA coverage', testId: 'nav-mfa', icon: icons.mfa }]
          : []),
        { to: '/incidents', label: 'Security incidents', testId: 'nav-incidents', icon: icons.security },
        { to: '/phishing', label: 'Report phishing', testId: 'nav-phishing', icon: icons.phishing },
        { to: '/invoices', label: 'Invoices', testId: 'nav-invoices', icon: icons.requests },
        { to: '/news', label: 'News and reviews', testId: 'nav-news', icon: icons.company },
      ];

  const currentSlug = companyMatch?.params.slug ?? defaultClientSlug(viewer);
  const showSwitcher = viewer.memberships.length > 1;

  function switchClient(slug: string) {
    const membership = viewer?.memberships.find((m) => m.client.slug === slug);
    // A client's portal host only serves that client: go to the other portal's own host.
    if (viewer?.currentClient && membership && slug !== viewer.currentClient.slug) {
      window.location.assign(new URL('/company', membership.client.portalUrl).toString());
      return;
    }
    navigate(`/company/${encodeURIComponent(slug)}`);
  }

  async function signOut() {
    await logout();
    // Even if the request failed the user wants out: drop local state either way.
    // Plain /login: the next person to sign in here starts at their own home page.
    markSignedOut();
    navigate('/login', { replace: true });
  }

  return (
    <div className="app-shell">
      <aside className="sidebar" aria-label="Main">
        <div className="sidebar-brand">
          <Logo size={22} />
        </div>
        <nav className="sidebar-nav">
          <div className="nav-section-label">{viewer.isMspStaff ? 'Workspace' : 'Portal'}</div>
          {items.map((item) => (
            <NavLink key={item.to} to={item.to} end={item.to === '/outreach'} className={({ isActive }) => clsx('nav-link', isActive && 'is-active')} data-testid={item.testId}>
              {item.icon}
              <span>{item.label}</span>
            </NavLink>
          ))}
        </nav>
        <div className="sidebar-footer">
          {viewer.otpVerified && (
            <div className="sidebar-note" title="This session passed two-factor authentication">
              <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true">
                <path d="M8 1.5l5 2v4c0 3.2-2.2 5.7-5 7-2.8-1.3-5-3.8-5-7v-4z M5.8 8l1.6 1.6 2.9-3.1" fill="none" stroke="currentColor" strokeWidth="1.3" strokeLinejoin="round" strokeLinecap="round" />
              </svg>
              2FA verified
            </div>
          )}
        </div>
      </aside>
      <div className="main-col">
        <header className="topbar">
          <div className="topbar-left">
            {viewer.isMspStaff && <StaffContext clientSlug={staffClientSlug} pageClient={pageClient} fromPage={!!ticketMatch} />}
            {!showSwitcher && !viewer.isMspStaff && viewer.memberships[0] && (
              <span className="topbar-context">{viewer.memberships[0].client.name}</span>
            )}
            {showSwitcher && (
              <ClientSwitcher
                value={currentSlug}
                options={viewer.memberships.map((m) => ({ slug: m.client.slug, name: m.client.name }))}
                onChange={(slug) => switchClient(slug)}
              />
            )}
          </div>
          <div className="topbar-right">
            <div className="viewer-chip">
              <Avatar name={viewer.fullName || viewer.email} size={26} />
              <div className="viewer-meta">
                <span className="viewer-name" data-testid="viewer-name">
                  {viewer.fullName || viewer.email}
                </span>
                <span className="viewer-email">{viewer.email}</span>
              </div>
              <Badge tone={viewer.isMspStaff ? 'accent' : 'grey'}>
                <span data-testid="viewer-role">{roleBadge(viewer, currentSlug)}</span>
              </Badge>
            </div>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => void signOut()} disabled={signingOut} data-testid="sign-out">
              Sign out
            </button>
          </div>
        </header>
        <main className="content" id="main">
          <PageClientContext.Provider value={setPageClient}>
            <Outlet />
          </PageClientContext.Provider>
        </main>
      </div>
    </div>
  );
}

/**
 * Staff top bar: the client the page is about (linked), else the workspace across their clients.
 * `fromPage`: the page names the client itself (`pageClient`), so no request is sent here.
 */
function StaffContext({ clientSlug, pageClient, fromPage }: { clientSlug: string | null; pageClient: PageClient | null; fromPage: boolean }) {
  const q = useQuery<TopbarClientQuery, TopbarClientQueryVariables>(TOPBAR_CLIENT_QUERY, { slug: clientSlug ?? '' }, { skip: !clientSlug || fromPage });
  if (!clientSlug) {
    return (
      <span className="topbar-context" data-testid="topbar-context">
        {icons.clients}
        MSP workspace <span className="topbar-context-sub">all your clients</span>
      </span>
    );
  }
  const name =
    fromPage && pageClient?.slug === clientSlug ? pageClient.name : !fromPage && q.data?.client?.slug === clientSlug ? q.data.client.name : clientSlug;
  return (
    <span className="topbar-context" data-testid="topbar-context">
      {icons.clients}
      <span className="topbar-context-sub">Client</span>
      <Link to={`/clients/${encodeURIComponent(clientSlug)}`} className="topbar-context-link" data-testid="topbar-client">
        {name}
      </Link>
    </span>
  );
}

function ClientSwitcher({
  value,
  options,
  onChange,
}: {
  value: string | undefined;
  options: { slug: string; name: string }[];
  onChange: (slug: string) => void;
}) {
  const id = useId();
  return (
    <div className="client-switcher">
      <label htmlFor={id} className="sr-only">
        Company
      </label>
      <select id={id} className="select select-sm" value={value ?? ''} onChange={(e) => onChange(e.target.value)} data-testid="client-switcher">
        {options.map((o) => (
          <option key={o.slug} value={o.slug}>
            {o.name}
          </option>
        ))}
      </select>
    </div>
  );
}
