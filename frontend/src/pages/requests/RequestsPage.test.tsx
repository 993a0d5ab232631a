import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { RequestsPage, sortRequests, type RequestRow } from './RequestsPage';

afterEach(() => vi.unstubAllGlobals());

const row = (number: number, status: RequestRow['status'], over: Partial<RequestRow> = {}): RequestRow => ({
  number,
  title: `Request ${number}`,
  status,
  priority: 'P3',
  requesterName: 'Carla Client',
  createdAt: '2026-03-01T09:00:00Z',
  updatedAt: '2026-03-02T09:00:00Z',
  nextDeadlineAt: null,
  nextDeadlineClock: null,
  breachState: 'NONE',
  ...over,
});

const viewer = makeViewer({
  isMspStaff: false,
  mspRole: null,
  currentClient: null,
  memberships: [{ role: 'IT_LEAD', client: { slug: 'acme', name: 'Acme', portalUrl: 'https://acme.portal.example/' } }],
});

function Where() {
  return <div data-testid="location">{useLocation().pathname}</div>;
}

describe('sortRequests', () => {
  it('puts open requests first, newest first within each group', () => {
    const sorted = sortRequests([row(1, 'OPEN'), row(5, 'CLOSED'), row(3, 'RESOLVED'), row(4, 'NEW'), row(2, 'WAITING_ON_CLIENT')]);
    expect(sorted.map((r) => r.number)).toEqual([4, 2, 1, 5, 3]);
  });
});

describe('RequestsPage', () => {
  it('lists requests with their SLA and creates a new one, then opens it', async () => {
    const user = userEvent.setup();
    const api = mockGraphQL({
      Tickets: () => ({
        tickets: [
          row(8, 'RESOLVED'),
          row(9, 'OPEN', { breachState: 'WARNING', nextDeadlineAt: new Date(Date.now() + 20 * 60_000).toISOString(), nextDeadlineClock: 'first_resolution' }),
        ],
      }),
      CreateTicket: (v) => {
        expect(v).toEqual({
          input: { clientSlug: 'acme', title: 'Printer jammed', description: 'Floor 2', impact: 'MEDIUM', urgency: 'HIGH', idempotencyKey: expect.any(String) },
        });
        return { createTicket: { ticket: { number: 10 }, errors: [] } };
      },
    });
    render(
      <MemoryRouter initialEntries={['/requests']}>
        <StaticViewerProvider viewer={viewer}>
          <Routes>
            <Route path="/requests" element={<RequestsPage />} />
            <Route path="/requests/:number" element={<Where />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    const table = await screen.findByTestId('requests-table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveAttribute('data-testid', 'request-row-9');
    const sla = within(rows[0]!).getByTestId('sla-countdown');
    expect(sla).toHaveClass('sla-amber');
    expect(sla).toHaveTextContent('First resolution');
    expect(screen.getByTestId('requests-total')).toHaveTextContent('1 open · 2 in total');
    // Not on the client's own host: the first membership names the client.
    expect(api.calls[0]?.variables).toEqual({ clientSlug: 'acme' });

    await user.click(screen.getByTestId('requests-open-only'));
    expect(within(table).queryByTestId('request-row-8')).toBeNull();

    await user.click(screen.getByTestId('new-request'));
    await user.click(screen.getByTestId('request-submit'));
    expect(await screen.findByText('Give the request a short title.')).toBeInTheDocument();
    await user.type(screen.getByTestId('request-title'), 'Printer jammed');
    await user.type(screen.getByTestId('request-description'), 'Floor 2');
    await user.selectOptions(screen.getByTestId('request-impact'), 'MEDIUM');
    await user.selectOptions(screen.getByTestId('request-urgency'), 'HIGH');
    expect(screen.getByTestId('new-request-dialog')).toHaveTextContent('Work has stopped, or it gets worse quickly.');
    await user.click(screen.getByTestId('request-submit'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/requests/10'));
  });

  it('shows field errors from the server', async () => {
    const user = userEvent.setup();
    mockGraphQL({
      Tickets: () => ({ tickets: [] }),
      CreateTicket: () => ({
        createTicket: { ticket: null, errors: [{ field: 'title', code: 'INVALID', message: 'Keep the title under 200 characters.' }, { field: null, code: 'INVALID', message: 'Your contact record is not set up yet; try again shortly.' }] },
      }),
    });
    render(
      <MemoryRouter initialEntries={['/requests']}>
        <StaticViewerProvider viewer={viewer}>
          <RequestsPage />
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    expect(await screen.findByText('No requests yet')).toBeInTheDocument();
    await user.click(screen.getByTestId('new-request'));
    await user.type(screen.getByTestId('request-title'), 'x');
    await user.click(screen.getByTestId('request-submit'));
    expect(await screen.findByText('Keep the title under 200 characters.')).toBeInTheDocument();
    expect(screen.getByTestId('request-title')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Your contact record is not set up yet; try again shortly.')).toBeInTheDocument();
  });

  it('sends a request again after a lost answer with the same key, so it is raised once', async () => {
    const user = userEvent.setup();
    const sent: Record<string, unknown>[] = [];
    mockGraphQL({
      Tickets: () => ({ tickets: [] }),
      CreateTicket: (v) => {
        sent.push(v['input'] as Record<string, unknown>);
        // The first answer never arrives in usable form (a proxy error page, a dropped connection).
        if (sent.length === 1) return { __errors: [{ message: 'Bad gateway' }] };
        return { createTicket: { ticket: { number: 11 }, errors: [] } };
      },
    });
    render(
      <MemoryRouter initialEntries={['/requests']}>
        <StaticViewerProvider viewer={viewer}>
          <Routes>
            <Route path="/requests" element={<RequestsPage />} />
            <Route path="/requests/:number" element={<Where />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    await user.click(await screen.findByTestId('new-request'));
    await user.type(screen.getByTestId('request-title'), 'Printer jammed');
    await user.click(screen.getByTestId('request-submit'));
    await waitFor(() => expect(sent).toHaveLength(1));
    await user.click(screen.getByTestId('request-submit'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/requests/11'));
    expect(sent[0]?.['idempotencyKey']).toMatch(/^[0-9a-f-]{36}$/);
    expect(sent[1]?.['idempotencyKey']).toBe(sent[0]?.['idempotencyKey']);
  });
});
