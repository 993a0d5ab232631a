import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter, Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { homePath } from '../../auth/roles';
import type { ViewerFieldsFragment } from '../../graphql/generated';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { MfaTrend, mfaSegments } from './MfaTrend';
import { Pyramid } from './Pyramid';
import { StatusPage } from './StatusPage';
import { ClientDetailPage } from '../clients/ClientDetailPage';
import { NewRequestDialog } from '../requests/NewRequestDialog';
import { dayAfter, evidenceLink, formatPercent, servicesSummary, uptimeTone, type HierarchyLayerData, type StatusPageData } from './status';
import { UptimeBars } from './UptimeBars';
import { workLink } from './StatusView';

afterEach(() => vi.unstubAllGlobals());

const LAYERS: HierarchyLayerData[] = [
  { key: 'connectivity', label: 'Connectivity', ownState: 'RED', state: 'RED', reasons: [{ text: 'VPN is down.', state: 'RED', evidence: 'SERVICES' }] },
  {
    key: 'security',
    label: 'Security',
    ownState: 'GREEN',
    state: 'AMBER',
    reasons: [
      { text: 'Rests on Connectivity, which is not green.', state: 'AMBER', evidence: 'HIERARCHY' },
      { text: 'MFA covers 98 of 100 accounts.', state: 'GREEN', evidence: 'MFA' },
    ],
  },
  { key: 'software', label: 'Software', ownState: 'AMBER', state: 'AMBER', reasons: [{ text: '3 devices overdue.', state: 'AMBER', evidence: 'DEVICES' }] },
  { key: 'operating_metrics', label: 'Operating metrics', ownState: 'GREEN', state: 'AMBER', reasons: [{ text: 'SLA met 97 %.', state: 'GREEN', evidence: 'SLA' }] },
  { key: 'innovation', label: 'Innovation', ownState: 'NO_DATA', state: 'NO_DATA', reasons: [{ text: 'No improvement work agreed yet.', state: 'NO_DATA', evidence: 'IMPROVEMENTS' }] },
];

function inRouter(node: React.ReactNode) {
  return render(<MemoryRouter>{node}</MemoryRouter>);
}

describe('Pyramid', () => {
  it('draws innovation on top and connectivity at the base, each state in words, not colour only', () => {
    inRouter(<Pyramid layers={LAYERS} audience={{ staff: false }} />);
    const items = within(screen.getByTestId('pyramid')).getAllByRole('listitem').filter((li) => li.dataset.layer);
    expect(items.map((li) => li.dataset.layer)).toEqual(['innovation', 'operating_metrics', 'software', 'security', 'connectivity']);
    const base = items[4]!;
    expect(base).toHaveTextContent('Connectivity');
    expect(base).toHaveTextContent('At risk');
    expect(items[0]).toHaveTextContent('No data');
    // A green layer above a weak one is shown amber, and says what it would be on its own.
    expect(items[3]).toHaveTextContent('Needs attention');
    expect(items[3]).toHaveTextContent('on its own: healthy');
  });

  it('lists the reasons with links to the evidence, for client users and for staff', async () => {
    inRouter(<Pyramid layers={LAYERS} audience={{ staff: false }} />);
    await userEvent.click(screen.getAllByText('Why')[3]!);
    expect(screen.getByRole('link', { name: 'See MFA coverage' })).toHaveAttribute('href', '/status#status-mfa');
    expect(screen.getByRole('link', { name: 'See the layer below' })).toHaveAttribute('href', '/status#status-hierarchy');
  });

  it('maps evidence to routes per audience', () => {
    expect(evidenceLink('SLA', { staff: false })).toBe('/compliance');
    expect(evidenceLink('TICKETS', { staff: false })).toBe('/requests');
    expect(evidenceLink('SECURITY_INCIDENTS', { staff: false })).toBe('/incidents');
    expect(evidenceLink('SECURITY_INCIDENTS', { staff: true, clientSlug: 'acme' })).toBe('/security/acme');
    expect(evidenceLink('SLA', { staff: true, clientSlug: 'acme' })).toBe('/clients/acme#compliance-heading');
    expect(evidenceLink('IMPROVEMENTS', { staff: true, clientSlug: 'acme' })).toBe('/queue?client=acme');
    expect(evidenceLink('DEVICES', { staff: true, clientSlug: 'a b' })).toBe('/clients/a%20b?tab=status#status-devices');
  });
});

describe('UptimeBars', () => {
  it('draws one bar per day, toned against the promise, and names the bad days in its text alternative', () => {
    render(<UptimeBars name="VPN" daily={[100, 99.95, 99.5, 80, null]} from="2026-11-29" promised={99.9} />);
    const svg = screen.getByRole('img');
    const bars = svg.querySelectorAll('rect');
    expect(Array.from(bars).map((b) => b.getAttribute('data-tone'))).toEqual(['up', 'up', 'short', 'down', 'none']);
    expect(Array.from(bars).map((b) => b.getAttribute('data-day'))).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03']);
    expect(svg).toHaveAccessibleName(/VPN: 2 of 4 measured days below the promised 99\.9 %: 1 Dec 99\.5 %, 2 Dec 80 %/);
  });

  it('says when nothing was measured', () => {
    render(<UptimeBars name="CRM" daily={[null, null]} from="2026-12-01" promised={99.9} />);
    expect(screen.getByRole('img')).toHaveAccessibleName('CRM: no uptime measured in the last 2 days.');
  });

  it('tones and day arithmetic', () => {
    expect(uptimeTone(99.9, 99.9)).toBe('up');
    expect(uptimeTone(99.89, 99.9)).toBe('short');
    expect(uptimeTone(94.9, 99.9)).toBe('down');
    expect(uptimeTone(null, 99.9)).toBe('none');
    expect(dayAfter('2026-02-27', 2)).toBe('2026-03-01');
    expect(formatPercent(99.95, 3)).toBe('99.95 %');
    expect(formatPercent(99.9, 3)).toBe('99.9 %');
    expect(formatPercent(100)).toBe('100 %');
    expect(formatPercent(null)).toBe('—');
  });
});

describe('MfaTrend', () => {
  it('breaks the line where a day has no snapshot and describes the period', () => {
    const points = [
      { day: '2026-12-01', percent: 80 },
      { day: '2026-12-02', percent: 85 },
      { day: '2026-12-04', percent: 90 },
      { day: '2026-12-05', percent: null },
      { day: '2026-12-06', percent: 96 },
    ];
    expect(mfaSegments(points).map((s) => s.map((p) => p.day))).toEqual([['2026-12-01', '2026-12-02'], ['2026-12-04'], ['2026-12-06']]);
    render(<MfaTrend points={points} />);
    const chart = screen.getByTestId('mfa-trend');
    expect(chart.querySelectorAll('polyline')).toHaveLength(1);
    expect(chart.querySelectorAll('circle')).toHaveLength(4);
    expect(chart).toHaveAccessibleName('MFA coverage per day');
    expect(chart).toHaveAccessibleDescription('From 1 Dec to 6 Dec: now 96 %, lowest 80 % on 1 Dec; target 95 %.');
  });

  it('says so when there is no snapshot yet', () => {
    render(<MfaTrend points={[]} />);
    expect(screen.getByText(/No daily figures yet/)).toBeInTheDocument();
  });
});

const SERVICES: StatusPageData['services'] = [
  { name: 'VPN', state: 'DOWN', since: '2026-12-03T08:00:00Z', availabilityPercent: 99.2, promisedPercent: 99.9, dailyUptime: [100, 90], layer: 'CONNECTIVITY', isBusinessCritical: true, maintenanceUntil: null },
  { name: 'Microsoft 365', state: 'UP', since: null, availabilityPercent: 100, promisedPercent: 99.9, dailyUptime: [100, 100], layer: 'COLLABORATION', isBusinessCritical: false, maintenanceUntil: null },
];

function status(overrides: Partial<StatusPageData> = {}): StatusPageData {
  return {
    full: true,
    generatedAt: new Date().toISOString(),
    monthStart: '2026-12-01',
    uptimeFrom: '2026-12-02',
    services: SERVICES,
    incidents: [
      { kind: 'OUTAGE', title: 'VPN is down (tunnel)', severity: 'P1', status: 'down', startedAt: '2026-12-03T08:00:00Z', reference: 42 },
      { kind: 'SECURITY', title: 'Phishing wave', severity: 'high', status: 'new', startedAt: '2026-12-03T07:00:00Z', reference: 7 },
    ],
    openSecurityIncidents: 1,
    openMajorSecurityIncidents: 1,
    mfaCovered: 98,
    mfaTotal: 100,
    mfaPercent: 98,
    mfaHistory: [{ day: '2026-12-02', percent: 97 }, { day: '2026-12-03', percent: 98 }],
    slaMonthMet: 19,
    slaMonthBreached: 1,
    slaMonthPercent: 95,
    devices: { active: 10, managed: 10, protected: 9, protectionOutdated: 0, protectionMissing: 1, protectionUnknown: 0, patchCurrent: 8, patchPending: 1, patchOverdue: 1, patchUnknown: 0 },
    work: [
      { kind: 'TICKET', number: 42, reference: '#42', title: 'VPN is down (tunnel)', priority: 'P1', status: 'in_progress', serviceLine: 'INFRASTRUCTURE', assigneeName: 'Tom Tech', nextDeadlineAt: null, breachState: 'NONE', updatedAt: '2026-12-03T08:10:00Z' },
    ],
    workTotal: 1,
    ticketsOpenedLast30Days: 12,
    ticketsOpenedPrevious30Days: 10,
    improvements: { proposed: 1, active: 1, stalled: 0, completedRecently: 2 },
    hierarchy: LAYERS,
    broadcasts: [],
    ...overrides,
  };
}

const LEAD = makeViewer({
  isMspStaff: false,
  mspRole: null,
  memberships: [{ role: 'IT_LEAD', client: { slug: 'acme', name: 'Acme', portalUrl: 'https://acme.example/' } }],
});
const MEMBER: ViewerFieldsFragment = { ...LEAD, memberships: [{ role: 'MEMBER', client: { slug: 'acme', name: 'Acme', portalUrl: 'https://acme.example/' } }] };

function renderPage(viewer: ViewerFieldsFragment, data: StatusPageData) {
  const api = mockGraphQL({ StatusPage: () => ({ statusPage: data }) });
  render(
    <StaticViewerProvider viewer={viewer}>
      <MemoryRouter initialEntries={['/status']}>
        <Routes>
          <Route path="/status" element={<StatusPage />} />
        </Routes>
      </MemoryRouter>
    </StaticViewerProvider>,
  );
  return api;
}

describe('StatusPage', () => {
  it('is the IT lead’s home; members keep My company', () => {
    expect(homePath(LEAD)).toBe('/status');
    expect(homePath(MEMBER)).toBe('/company');
  });

  it('shows the IT lead everything in one request', async () => {
    const api = renderPage(LEAD, status());
    expect(await screen.findByTestId('status-banner')).toHaveTextContent('1 of 2 services down');
    expect(screen.getAllByTestId('service-row').map((r) => r.dataset.state)).toEqual(['DOWN', 'UP']);
    expect(screen.getAllByRole('link', { name: 'VPN is down (tunnel)' })[0]).toHaveAttribute('href', '/requests/42');
    expect(screen.getByText('SEC-7')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Phishing wave' })).toHaveAttribute('href', '/incidents/7');
    expect(screen.getByTestId('status-kpis')).toHaveTextContent('MFA coverage98 %');
    expect(screen.getByTestId('status-kpis')).toHaveTextContent('SLA met this month95 % (19 met, 1 breached)');
    expect(screen.getByTestId('pyramid')).toBeInTheDocument();
    expect(screen.getByTestId('mfa-trend')).toBeInTheDocument();
    expect(screen.getAllByTestId('uptime-bars')).toHaveLength(2);
    expect(api.ops()).toEqual(['StatusPage']);
    expect(api.calls[0]!.variables).toEqual({ clientSlug: 'acme' });
  });

  it('shows a member the services and outages only', async () => {
    renderPage(
      MEMBER,
      status({
        full: false,
        incidents: [{ kind: 'OUTAGE', title: 'VPN is down (tunnel)', severity: 'P1', status: 'down', startedAt: '2026-12-03T08:00:00Z', reference: null }],
        hierarchy: null,
        devices: null,
        work: [],
        mfaHistory: [],
      }),
    );
    expect(await screen.findByTestId('status-reduced-note')).toBeInTheDocument();
    expect(screen.queryByTestId('pyramid')).not.toBeInTheDocument();
    expect(screen.queryByTestId('status-kpis')).not.toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'VPN is down (tunnel)' })).not.toBeInTheDocument();
    expect(screen.getByTestId('incident-row')).toHaveTextContent('VPN is down (tunnel)');
  });

  it('shows the MSP’s broadcasts addressed to the client, to members too', async () => {
    renderPage(
      MEMBER,
      status({
        full: false,
        hierarchy: null,
        devices: null,
        work: [],
        mfaHistory: [],
        broadcasts: [
          { id: 'B1', kind: 'HOWTO', title: 'Reset your VPN', bodyHtml: '<p>Open the <b>app</b></p>', publishedAt: '2026-12-03T08:00:00Z' },
        ],
      }),
    );
    const card = await screen.findByTestId('status-broadcasts');
    expect(card).toHaveTextContent('Reset your VPN');
    expect(card).toHaveTextContent('How-to');
    expect(card.querySelector('b')).toHaveTextContent('app');
  });

  it('summarises services for the banner', () => {
    expect(servicesSummary([]).tone).toBe('none');
    expect(servicesSummary(SERVICES.slice(1))).toEqual({ tone: 'ok', text: 'All services are up' });
    expect(servicesSummary([{ ...SERVICES[1]!, state: 'MAINTENANCE' }]).tone).toBe('warn');
  });
});

describe('Staff: the client page’s Status tab', () => {
  it('shows the client’s full status page with staff links, in one status request', async () => {
    const api = mockGraphQL({
      Client: () => ({
        client: {
          id: 'C1', slug: 'acme', name: 'Acme Dental', industry: 'HEALTHCARE', tier: 'STANDARD', status: 'ACTIVE',
          timezone: 'Europe/London', requireTwoFactor: false, createdAt: '2026-01-01T00:00:00Z',
          portalUrl: 'https://acme.portal.example/', memberCount: 0, contactCount: 0, accountManager: null, itLeads: [], members: [],
        },
      }),
      StatusPage: () => ({ statusPage: status() }),
    });
    render(
      <MemoryRouter initialEntries={['/clients/acme?tab=status']}>
        <StaticViewerProvider viewer={makeViewer({ mspRole: 'TECHNICIAN' })}>
          <Routes>
            <Route path="/clients/:slug" element={<ClientDetailPage />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    expect(await screen.findByTestId('status-page')).toHaveAttribute('data-full', 'true');
    expect(screen.getByTestId('client-tab-status')).toHaveAttribute('aria-current', 'page');
    expect(screen.getAllByRole('link', { name: 'VPN is down (tunnel)' })[0]).toHaveAttribute('href', '/tickets/acme/42');
    expect(screen.getByRole('link', { name: 'Phishing wave' })).toHaveAttribute('href', '/security/acme/incidents/7');
    expect(api.ops().filter((op) => op === 'StatusPage')).toHaveLength(1);
    expect(api.calls.find((c) => c.operationName === 'StatusPage')!.variables).toEqual({ clientSlug: 'acme' });
  });
});

describe('Work links', () => {
  it('opens tickets, incidents and (for staff) phishing triage', () => {
    const client = { staff: false };
    const staff = { staff: true, clientSlug: 'acme' };
    expect(workLink('TICKET', 4, client)).toBe('/requests/4');
    expect(workLink('SEC_INCIDENT', 3, client)).toBe('/incidents/3');
    expect(workLink('PHISHING', 7, client)).toBeNull();
    expect(workLink('TICKET', 4, staff)).toBe('/tickets/acme/4');
    expect(workLink('SEC_INCIDENT', 3, staff)).toBe('/security/acme/incidents/3');
    expect(workLink('PHISHING', 7, staff)).toBe('/security/acme/phishing/7');
  });
});

describe('Improvement work (the innovation layer’s data)', () => {
  it('a client user marks a new request as an improvement: it is sent with the Improvement category', async () => {
    const user = userEvent.setup();
    const sent: unknown[] = [];
    mockGraphQL({
      CreateTicket: (v) => {
        sent.push(v);
        return { createTicket: { ticket: { number: 11 }, errors: [] } };
      },
    });
    const onCreated = vi.fn();
    render(<NewRequestDialog clientSlug="acme" onClose={() => undefined} onCreated={onCreated} />);
    await user.type(screen.getByTestId('request-title'), 'Pilot passwordless sign-in');
    await user.click(screen.getByRole('checkbox', { name: /An improvement, not a problem/ }));
    await user.click(screen.getByTestId('request-submit'));
    await vi.waitFor(() => expect(onCreated).toHaveBeenCalled());
    expect(sent).toEqual([{ input: expect.objectContaining({ title: 'Pilot passwordless sign-in', category: 'Improvement' }) }]);
  });
});
