import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import type { PhishingReportFieldsFragment } from '../../graphql/generated';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { QueuePage } from '../queue/QueuePage';
import { IncidentPage } from './IncidentPage';
import { PhishingReportView } from './PhishingReportView';
import { ReportPhishingPage } from './ReportPhishingPage';
import { timelineText, verdictTone, workItemPath } from './security';

afterEach(() => {
  vi.unstubAllGlobals();
});

function Where() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname}</div>;
}

describe('security helpers', () => {
  it('route queue rows by kind', () => {
    const client = { slug: 'acme' };
    expect(workItemPath({ kind: 'TICKET', number: 4, client })).toBe('/tickets/acme/4');
    expect(workItemPath({ kind: 'SEC_INCIDENT', number: 4, client })).toBe('/security/acme/incidents/4');
    expect(workItemPath({ kind: 'PHISHING', number: 9, client })).toBe('/security/acme/phishing/9');
  });

  it('colour authentication results by meaning, with unknown results never green', () => {
    expect(verdictTone('pass')).toBe('green');
    expect(verdictTone('fail')).toBe('red');
    expect(verdictTone('softfail')).toBe('red');
    expect(verdictTone('neutral')).toBe('amber');
    expect(verdictTone('')).toBe('grey');
  });

  it('words timeline entries', () => {
    expect(timelineText('status', { from: 'new', to: 'contained' })).toBe('changed the status from new to contained');
    expect(timelineText('phishing', { reporter: 'Amy' })).toBe('linked a new phishing report by Amy');
  });
});

const REPORT: PhishingReportFieldsFragment = {
  id: '1',
  campaignId: '1',
  status: 'NEW',
  incidentNumber: null,
  reporterName: 'Amy Member',
  comment: '',
  createdAt: '2026-11-24T10:00:00Z',
  rawSize: 1234,
  subject: 'Verify your account',
  fromAddress: 'security@bank.example',
  fromDisplay: 'Acme Bank',
  replyTo: 'collect@evil.example',
  returnPath: 'bounce@evil.example',
  dateHeader: 'Mon, 23 Nov 2026 07:58:00 +0100',
  sentAt: '2026-11-23T06:58:00Z',
  messageId: '<abc@evil.example>',
  receivedChain: ['from mx.evil.example by mx.alpha.test'],
  authentication: { spf: 'fail', dkim: 'none', dmarc: 'fail', headers: [] },
  links: [{ defangedUrl: 'hxxps[://]evil[.]example/x', host: 'evil.example', text: 'https://bank.example/', textShowsOtherHost: true }],
  attachments: [{ filename: 'invoice.pdf', contentType: 'application/pdf', sizeBytes: 2048, sha256: 'ab'.repeat(32) }],
  textExcerpt: 'Please verify <b>now</b>',
  parseProblems: [],
};

describe('PhishingReportView', () => {
  it('shows links defanged as text, never as anchors, and never renders the message', () => {
    const { container } = render(
      <MemoryRouter>
        <PhishingReportView report={REPORT} />
      </MemoryRouter>,
    );
    const links = screen.getByTestId('report-links');
    expect(links).toHaveTextContent('hxxps[://]evil[.]example/x');
    expect(links).toHaveTextContent('the text names another address than the link goes to');
    expect(container.querySelectorAll('a')).toHaveLength(0);
    // The excerpt is text: markup in it is shown, not interpreted.
    expect(container.querySelector('b')).toBeNull();
    expect(screen.getByText('Please verify <b>now</b>')).toBeInTheDocument();
    expect(screen.getByTestId('auth-spf')).toHaveTextContent('SPF fail');
    expect(screen.getByTestId('auth-dkim')).toHaveTextContent('DKIM none');
    expect(screen.getByTestId('report-attachments')).toHaveTextContent(`SHA-256 ${'ab'.repeat(32)}`);
  });
});

describe('ReportPhishingPage', () => {
  const member = makeViewer({
    isMspStaff: false,
    mspRole: null,
    memberships: [{ role: 'MEMBER', client: { id: 'C1', slug: 'alpha', name: 'Alpha', portalUrl: 'http://alpha.localhost/' } }],
    currentClient: { id: 'C1', slug: 'alpha', name: 'Alpha' },
  } as never);

  it('sends pasted source with a submission key and shows the parsed result', async () => {
    const api = mockGraphQL({
      PhishingReports: () => ({ phishingReports: [] }),
      ReportPhishing: () => ({ reportPhishing: { report: REPORT, errors: [] } }),
    });
    render(
      <MemoryRouter>
        <StaticViewerProvider viewer={member}>
          <ReportPhishingPage />
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    const user = userEvent.setup();
    await user.click(screen.getByTestId('phish-mode-paste'));
    await user.click(screen.getByTestId('phish-submit'));
    expect(screen.getByText('Paste the message’s full source, headers included.')).toBeInTheDocument();
    await user.type(screen.getByTestId('phish-source'), 'From: a@b.example{enter}Subject: hi{enter}{enter}body');
    await user.click(screen.getByTestId('phish-submit'));
    await screen.findByText('Thank you — your report reached our security team');
    const sent = api.calls.find((c) => c.operationName === 'ReportPhishing')!;
    const input = sent.variables['input'] as Record<string, string>;
    expect(input['source']).toContain('Subject: hi');
    expect(input['idempotencyKey']).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getByTestId('report-links')).toHaveTextContent('hxxps[://]evil[.]example/x');
  });

  it('shows the server’s typed error on the field', async () => {
    mockGraphQL({
      PhishingReports: () => ({ phishingReports: [] }),
      ReportPhishing: () => ({
        reportPhishing: { report: null, errors: [{ field: 'source', code: 'NOT_A_MESSAGE', message: 'This doesn’t look like an e-mail message.' }] },
      }),
    });
    render(
      <MemoryRouter>
        <StaticViewerProvider viewer={member}>
          <ReportPhishingPage />
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    const user = userEvent.setup();
    await user.click(screen.getByTestId('phish-mode-paste'));
    await user.type(screen.getByTestId('phish-source'), 'hello');
    await user.click(screen.getByTestId('phish-submit'));
    expect(await screen.findByText('This doesn’t look like an e-mail message.')).toBeInTheDocument();
  });
});

const INCIDENT = {
  number: 3,
  reference: 'SEC-3',
  title: 'Ransomware note',
  description: 'Found on FS-01',
  kind: 'MALWARE',
  severity: 'CRITICAL',
  status: 'NEW',
  createdAt: '2026-11-24T09:00:00Z',
  updatedAt: '2026-11-24T09:00:00Z',
  acknowledgedAt: null,
  containedAt: null,
  resolvedAt: null,
  closedAt: null,
  viewerMayManage: true,
  slaProblem: null,
  assignee: null,
  affectedUsers: [{ contactId: '5', fullName: 'Amy Member', email: 'amy@alpha.test' }],
  affectedDevices: [{ deviceId: '9', name: 'FS-01' }],
  campaigns: [],
  slaClocks: [
    {
      name: 'acknowledge',
      state: 'RUNNING',
      targetMinutes: 15,
      usedMinutes: 5,
      remainingMinutes: 10,
      overdueMinutes: 0,
      dueAt: '2099-11-24T09:15:00Z',
      startedAt: '2026-11-24T09:00:00Z',
      stoppedAt: null,
      explainSteps: [],
      explain: '{}',
    },
  ],
  timeline: [{ id: '1', kind: 'created', at: '2026-11-24T09:00:00Z', actorName: 'Tom Tech', actorIsStaff: true, isInternal: false, body: '', detail: '{}' }],
};

describe('IncidentPage', () => {
  it('shows the clocks with security names and acknowledges through the status dialog', async () => {
    const api = mockGraphQL({
      SecurityIncident: () => ({ securityIncident: INCIDENT }),
      AssignableStaff: () => ({ assignableStaff: [] }),
      ChangeSecurityIncidentStatus: () => ({
        changeSecurityIncidentStatus: {
          incident: { ...INCIDENT, status: 'ACKNOWLEDGED', updatedAt: '2026-11-24T09:05:00Z' },
          errors: [],
        },
      }),
    });
    render(
      <MemoryRouter initialEntries={['/security/alpha/incidents/3']}>
        <StaticViewerProvider viewer={makeViewer()}>
          <Routes>
            <Route path="/security/:clientSlug/incidents/:number" element={<IncidentPage />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    expect(await screen.findByTestId('incident-title')).toHaveTextContent('SEC-3 Ransomware note');
    expect(within(screen.getByTestId('sla-panel')).getByText('Acknowledge')).toBeInTheDocument();
    expect(screen.getByTestId('incident-affected-devices')).toHaveTextContent('FS-01');
    const user = userEvent.setup();
    await user.click(screen.getByTestId('incident-to-acknowledged'));
    await user.click(screen.getByTestId('incident-status-confirm'));
    await waitFor(() => expect(screen.getByTestId('incident-status')).toHaveTextContent('Acknowledged'));
    const call = api.calls.find((c) => c.operationName === 'ChangeSecurityIncidentStatus')!;
    expect(call.variables).toMatchObject({ number: 3, clientSlug: 'alpha', status: 'ACKNOWLEDGED' });
  });
});

describe('queue rows of security work', () => {
  it('link incidents to the incident page and show their own status', async () => {
    mockGraphQL({
      Queue: () => ({
        queue: {
          totalCount: 1,
          pageInfo: { hasNextPage: false, endCursor: null },
          edges: [
            {
              cursor: 'a',
              node: {
                id: 'W1',
                number: 3,
                title: 'Ransomware note',
                nextDeadlineAt: null,
                nextDeadlineClock: null,
                createdAt: '2026-11-24T09:00:00Z',
                updatedAt: '2026-11-24T09:00:00Z',
                priority: 'P1',
                status: 'IN_PROGRESS',
                statusLabel: 'Contained',
                reference: 'SEC-3',
                kind: 'SEC_INCIDENT',
                serviceLine: 'SECURITY',
                breachState: 'NONE',
                client: { slug: 'alpha', name: 'Alpha' },
                assignee: null,
              },
            },
          ],
        },
      }),
      ClientOptions: () => ({ clients: { edges: [] } }),
    });
    render(
      <MemoryRouter initialEntries={['/queue']}>
        <StaticViewerProvider viewer={makeViewer()}>
          <Routes>
            <Route path="/queue" element={<QueuePage />} />
            <Route path="/security/:clientSlug/incidents/:number" element={<Where />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    const row = await screen.findByTestId('queue-row-sec_incident-alpha-3');
    expect(row).toHaveTextContent('SEC-3 Ransomware note');
    expect(row).toHaveTextContent('Contained');
    await userEvent.setup().click(within(row).getByText('Ransomware note'));
    expect(await screen.findByTestId('location')).toHaveTextContent('/security/alpha/incidents/3');
  });
});
