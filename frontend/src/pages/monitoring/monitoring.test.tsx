import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { DownNowPage } from './DownNowPage';
import { describeMonitor, durationSince, formatInterval, localToIso, parseWhole } from './monitoring';
import { ServicesSection } from './ServicesSection';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('monitoring helpers', () => {
  it('formats intervals and descriptions', () => {
    expect(formatInterval(300)).toBe('every 5 min');
    expect(formatInterval(7200)).toBe('every 2 h');
    expect(formatInterval(45)).toBe('every 45 s');
    expect(describeMonitor({ kind: 'HEARTBEAT', target: '', intervalSeconds: 3600, heartbeatGraceSeconds: 120 })).toBe('expects a ping every 1 h (+2 min grace)');
    expect(describeMonitor({ kind: 'TCP', target: 'vpn.example.com:443', intervalSeconds: 60, heartbeatGraceSeconds: 60 })).toBe('vpn.example.com:443 · every 1 min');
  });

  it('parses numbers and times strictly', () => {
    expect(parseWhole('')).toBeNull();
    expect(parseWhole(' 42 ')).toBe(42);
    expect(parseWhole('4.5')).toBeNaN();
    expect(parseWhole('-1')).toBeNaN();
    expect(localToIso('')).toBeNull();
    expect(localToIso('not a date')).toBeNull();
    const now = new Date('2026-12-03T12:00:00Z');
    expect(durationSince('2026-12-03T11:15:00Z', now)).toBe('45 min');
    expect(durationSince('2026-12-03T09:00:00Z', now)).toBe('3 h 0 min');
    expect(durationSince('2026-11-30T12:00:00Z', now)).toBe('3 days');
  });
});

const MONITOR = {
  id: '7',
  serviceId: '1',
  name: 'Outlook on the web',
  key: 'outlook-on-the-web',
  kind: 'HTTP',
  target: 'https://outlook.example.com/',
  intervalSeconds: 300,
  timeoutSeconds: 10,
  expectedStatus: null,
  keyword: '',
  certWarningDays: 14,
  heartbeatGraceSeconds: 60,
  failuresToDown: 3,
  successesToUp: 2,
  urgency: 'HIGH',
  isPaused: false,
  state: 'DOWN',
  stateSince: '2026-12-03T10:00:00Z',
  lastResultAt: '2026-12-03T10:10:00Z',
  lastLatencyMs: null,
  lastMessage: 'HTTP 503 (expected 2xx or 3xx).',
  certExpiresAt: null,
  pingUrl: null,
};

const SERVICE = {
  id: '1',
  name: 'Microsoft 365 mail',
  category: 'COLLABORATION',
  description: '',
  isBusinessCritical: true,
  promisedAvailability: 99.9,
  resolveTicketOnRecovery: true,
  state: 'DOWN',
  monitors: [MONITOR],
  openOutages: [{ id: '3', monitorId: '7', startedAt: '2026-12-03T10:00:00Z', ticketNumber: 42 }],
};

function renderSection() {
  const api = mockGraphQL({
    ClientServices: () => ({ clientServices: [SERVICE], maintenanceWindows: [] }),
    CreateMonitor: () => ({ createMonitor: { monitor: null, errors: [{ field: 'target', code: 'INVALID', message: 'Give host:port, e.g. vpn.example.com:443 or 10.0.0.5:3389.' }] } }),
    SetMonitorPaused: () => ({ setMonitorPaused: { monitor: { id: '7', isPaused: true, state: 'PAUSED' }, errors: [] } }),
  });
  render(
    <MemoryRouter>
      <StaticViewerProvider viewer={makeViewer()}>
        <ServicesSection clientSlug="acme" canManage />
      </StaticViewerProvider>
    </MemoryRouter>,
  );
  return api;
}

describe('ServicesSection', () => {
  it('shows services with their state, outage ticket and monitors', async () => {
    renderSection();
    const item = await screen.findByTestId('service-item');
    expect(within(item).getByTestId('service-state')).toHaveTextContent('Down');
    expect(within(item).getByRole('link', { name: 'ticket #42' })).toHaveAttribute('href', '/tickets/acme/42');
    expect(within(item).getByTestId('monitor-row')).toHaveTextContent('HTTP 503');
  });

  it('shows the server’s field error on the monitor form', async () => {
    const api = renderSection();
    await userEvent.click(await screen.findByTestId('add-monitor'));
    const dialog = screen.getByTestId('monitor-dialog');
    await userEvent.type(within(dialog).getByLabelText('Name'), 'VPN');
    await userEvent.selectOptions(within(dialog).getByLabelText('Check'), 'TCP');
    await userEvent.type(within(dialog).getByLabelText('Host and port'), 'vpn.example.com');
    await userEvent.click(within(dialog).getByTestId('save-monitor'));
    expect(await within(dialog).findByText(/Give host:port/)).toBeInTheDocument();
    const sent = api.calls.find((c) => c.operationName === 'CreateMonitor');
    expect(sent?.variables).toMatchObject({ clientSlug: 'acme', serviceId: '1', input: { name: 'VPN', kind: 'TCP', target: 'vpn.example.com', intervalSeconds: 300, timeoutSeconds: 10 } });
  });

  it('pauses a monitor', async () => {
    const api = renderSection();
    await userEvent.click(await screen.findByTestId('toggle-pause'));
    expect(api.calls.find((c) => c.operationName === 'SetMonitorPaused')?.variables).toEqual({ clientSlug: 'acme', id: '7', paused: true });
  });
});

describe('DownNowPage', () => {
  it('lists what is down across clients with links', async () => {
    mockGraphQL({
      DownNow: () => ({
        downNow: [
          {
            id: '1',
            clientSlug: 'acme',
            clientName: 'ACME',
            serviceName: 'VPN',
            monitorName: 'Tunnel',
            kind: 'PUSH',
            state: 'DOWN',
            stateSince: '2026-12-03T10:00:00Z',
            lastResultAt: null,
            lastMessage: 'Tunnel down',
            ticketNumber: 9,
            isBusinessCritical: true,
            inMaintenanceUntil: null,
          },
        ],
      }),
    });
    render(
      <MemoryRouter>
        <StaticViewerProvider viewer={makeViewer()}>
          <DownNowPage />
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    const row = await screen.findByTestId('down-now-row');
    expect(row).toHaveTextContent('VPN');
    expect(within(row).getByRole('link', { name: 'ACME' })).toHaveAttribute('href', '/clients/acme');
    expect(within(row).getByRole('link', { name: '#9' })).toHaveAttribute('href', '/tickets/acme/9');
    expect(screen.getByRole('heading', { name: '1 down · 0 degraded' })).toBeInTheDocument();
  });

  it('says when everything is up', async () => {
    mockGraphQL({ DownNow: () => ({ downNow: [] }) });
    render(
      <MemoryRouter>
        <StaticViewerProvider viewer={makeViewer()}>
          <DownNowPage />
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    expect(await screen.findByText('Everything is up')).toBeInTheDocument();
  });
});
