import { act, cleanup, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation, useNavigate } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import {
  EMPTY_QUEUE_FILTERS,
  QUEUE_PAGE_SIZE,
  parseQueueFilters,
  patchQueueFilters,
  queueFiltersToParams,
  queueFiltersToVariables,
  type QueueFilters,
} from './filters';
import { QueuePage } from './QueuePage';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('queue filters ⇄ URL', () => {
  it('round-trips every filter', () => {
    const f: QueueFilters = { mine: true, unassigned: false, clientSlug: 'acme', priority: 'P1', serviceLine: 'SECURITY', breachingSoon: false, breached: true };
    const params = queueFiltersToParams(f);
    expect(params.toString()).toBe('mine=1&client=acme&priority=P1&line=SECURITY&breached=1');
    expect(parseQueueFilters(params)).toEqual(f);
  });

  it('omits empty filters, keeps unrelated params, ignores junk', () => {
    expect(queueFiltersToParams({ ...EMPTY_QUEUE_FILTERS, unassigned: true }, new URLSearchParams('mine=1&tab=x')).toString()).toBe('tab=x&unassigned=1');
    expect(parseQueueFilters(new URLSearchParams('mine=0&priority=P9&line=space&client=%20&soon=true'))).toEqual({ ...EMPTY_QUEUE_FILTERS, breachingSoon: true });
  });

  it('keeps exclusive pairs exclusive (mine/unassigned, breached/breaching soon)', () => {
    expect(parseQueueFilters(new URLSearchParams('mine=1&unassigned=1&breached=1&soon=1'))).toMatchObject({ mine: true, unassigned: false, breached: true, breachingSoon: false });
    const mine = patchQueueFilters(EMPTY_QUEUE_FILTERS, { mine: true });
    expect(patchQueueFilters(mine, { unassigned: true })).toMatchObject({ mine: false, unassigned: true });
    expect(patchQueueFilters({ ...EMPTY_QUEUE_FILTERS, breached: true }, { breachingSoon: true })).toMatchObject({ breached: false, breachingSoon: true });
    // Turning one off leaves the other alone.
    expect(patchQueueFilters(mine, { breached: false })).toMatchObject({ mine: true });
  });

  it('sends only active filters', () => {
    expect(queueFiltersToVariables(EMPTY_QUEUE_FILTERS)).toEqual({ first: QUEUE_PAGE_SIZE });
    expect(queueFiltersToVariables({ ...EMPTY_QUEUE_FILTERS, unassigned: true, priority: 'P2' })).toEqual({ first: 100, unassigned: true, priority: 'P2' });
  });
});

// ------------------------------------------------------------------ page

const NOW = Date.parse('2026-03-10T12:00:00Z');

function item(slug: string, number: number, over: Record<string, unknown> = {}) {
  return {
    id: `W-${slug}-${number}`,
    number,
    title: `Ticket ${number} of ${slug}`,
    nextDeadlineAt: new Date(NOW + 2 * 3600_000 + 5 * 60_000).toISOString(),
    nextDeadlineClock: 'first_response',
    createdAt: '2026-03-10T09:00:00Z',
    updatedAt: '2026-03-10T11:00:00Z',
    priority: 'P2',
    status: 'NEW',
    statusLabel: 'New',
    reference: `#${number}`,
    kind: 'TICKET',
    serviceLine: 'SUPPORT',
    breachState: 'ON_TRACK',
    client: { slug, name: slug.toUpperCase() },
    assignee: null,
    ...over,
  };
}

function Where() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + loc.search}</div>;
}
let navigateRef: ReturnType<typeof useNavigate> | null = null;
function GrabNavigate() {
  navigateRef = useNavigate();
  return null;
}

function renderQueue(
  initial = '/queue',
  items = [item('acme', 7), item('acme', 3, { breachState: 'BREACHED', nextDeadlineAt: new Date(NOW - 90 * 60_000).toISOString() }), item('globex', 12, { breachState: 'PAUSED', nextDeadlineAt: null })],
  total: { totalCount: number; totalCountIsCapped: boolean } = { totalCount: items.length, totalCountIsCapped: false },
) {
  const api = mockGraphQL({
    Queue: () => ({
      queue: { ...total, edges: items.map((node) => ({ node })) },
    }),
    ClientOptions: () => ({
      clients: { edges: [{ node: { id: 'C1', slug: 'acme', name: 'ACME' } }, { node: { id: 'C2', slug: 'globex', name: 'GLOBEX' } }] },
    }),
  });
  render(
    <MemoryRouter initialEntries={[initial]}>
      <StaticViewerProvider viewer={makeViewer()}>
        <Routes>
          <Route
            path="/queue"
            element={
              <>
                <QueuePage />
                <Where />
                <GrabNavigate />
              </>
            }
          />
          <Route path="/tickets/:clientSlug/:number" element={<Where />} />
        </Routes>
      </StaticViewerProvider>
    </MemoryRouter>,
  );
  const queueCalls = () => api.calls.filter((c) => c.operationName === 'Queue').map((c) => c.variables);
  return { api, queueCalls };
}

describe('QueuePage', () => {
  it('asks for the client filter’s options once per viewer while they are fresh, the queue on every visit', async () => {
    const first = renderQueue();
    await screen.findByTestId('queue-row-acme-7');
    cleanup();
    const again = renderQueue();
    await screen.findByTestId('queue-row-acme-7');
    await waitFor(() => expect(screen.getByTestId('queue-filter-client')).toHaveTextContent('GLOBEX'));
    expect(first.api.ops().filter((op) => op === 'ClientOptions')).toHaveLength(1);
    expect(again.api.ops()).toEqual(['Queue']);
  });

  it('shows a capped total as "at least" (10,000+), exact totals as they are', async () => {
    renderQueue('/queue', undefined, { totalCount: 10_000, totalCountIsCapped: true });
    expect(await screen.findByTestId('queue-total')).toHaveTextContent('10,000+ open items');
    expect(screen.getByText(/most urgent of 10,000\+\./)).toBeInTheDocument();
    cleanup();
    renderQueue('/queue', undefined, { totalCount: 10_000, totalCountIsCapped: false });
    expect(await screen.findByTestId('queue-total')).toHaveTextContent(/^10,000 open items$/);
  });

  it('initialises chips and selects from the URL and queries with them', async () => {
    const { queueCalls } = renderQueue('/queue?mine=1&priority=P1&client=acme&breached=1');
    await screen.findByTestId('queue-row-acme-7');
    expect(screen.getByTestId('queue-filter-mine')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('queue-filter-breached')).toHaveAttribute('aria-pressed', 'true');
    expect(screen.getByTestId('queue-filter-unassigned')).toHaveAttribute('aria-pressed', 'false');
    expect(screen.getByTestId('queue-filter-priority')).toHaveValue('P1');
    await waitFor(() => expect(screen.getByTestId('queue-filter-client')).toHaveValue('acme'));
    expect(queueCalls()[0]).toEqual({ first: 100, mine: true, clientSlug: 'acme', priority: 'P1', breached: true });
  });

  it('toggling chips writes the URL and refetches; exclusive chips switch each other off', async () => {
    const user = userEvent.setup();
    const { queueCalls } = renderQueue();
    await screen.findByTestId('queue-row-acme-7');
    await user.click(screen.getByTestId('queue-filter-mine'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/queue?mine=1'));
    await waitFor(() => expect(queueCalls().at(-1)).toEqual({ first: 100, mine: true }));
    await user.click(screen.getByTestId('queue-filter-unassigned'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/queue\?unassigned=1$/));
    expect(screen.getByTestId('queue-filter-mine')).toHaveAttribute('aria-pressed', 'false');
    await user.selectOptions(screen.getByTestId('queue-filter-service-line'), 'SECURITY');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/queue?unassigned=1&line=SECURITY'));
    await user.click(screen.getByTestId('queue-clear-filters'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/queue$/));
    await waitFor(() => expect(queueCalls().at(-1)).toEqual({ first: 100 }));
  });

  it('follows the URL on back/forward', async () => {
    renderQueue('/queue');
    await screen.findByTestId('queue-row-acme-7');
    act(() => navigateRef?.('/queue?soon=1'));
    await waitFor(() => expect(screen.getByTestId('queue-filter-breaching-soon')).toHaveAttribute('aria-pressed', 'true'));
  });

  it('shows each row’s SLA: live countdown and risk colour, paused, breached', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true, now: NOW });
    renderQueue();
    const row = await screen.findByTestId('queue-row-acme-7');
    const sla = within(row).getByTestId('sla-countdown');
    expect(sla).toHaveAttribute('data-state', 'ON_TRACK');
    expect(sla).toHaveClass('sla-green');
    expect(sla).toHaveTextContent(/2h 0[45]m left/);
    expect(sla).toHaveTextContent('First response');
    const breached = within(screen.getByTestId('queue-row-acme-3')).getByTestId('sla-countdown');
    expect(breached).toHaveClass('sla-red');
    expect(breached).toHaveTextContent(/1h 30m overdue/);
    const paused = within(screen.getByTestId('queue-row-globex-12')).getByTestId('sla-countdown');
    expect(paused).toHaveClass('sla-grey');
    expect(paused).toHaveTextContent('paused');
    expect(within(row).getByRole('link')).toHaveAttribute('href', '/tickets/acme/7');
  });

  it('the countdown ticks every second', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false, now: NOW });
    renderQueue('/queue', [item('acme', 1, { nextDeadlineAt: new Date(NOW + 61_000).toISOString() })]);
    await vi.waitFor(() => expect(screen.getByTestId('queue-row-acme-1')).toBeInTheDocument());
    const sla = () => within(screen.getByTestId('queue-row-acme-1')).getByTestId('sla-countdown');
    const before = sla().textContent;
    await act(async () => {
      await vi.advanceTimersByTimeAsync(3000);
    });
    expect(sla().textContent).not.toBe(before);
    expect(sla()).toHaveTextContent(/5[0-9]s left|1m 0[0-1]s left/);
  });

  it('j/k move the selection, Enter opens, / focuses the client filter', async () => {
    const user = userEvent.setup();
    renderQueue();
    await screen.findByTestId('queue-row-acme-7');
    await user.keyboard('j');
    expect(screen.getByTestId('queue-row-acme-7')).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('j');
    expect(screen.getByTestId('queue-row-acme-3')).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByTestId('queue-row-acme-7')).toHaveAttribute('aria-selected', 'false');
    await user.keyboard('k');
    expect(screen.getByTestId('queue-row-acme-7')).toHaveAttribute('aria-selected', 'true');
    await user.keyboard('/');
    expect(screen.getByTestId('queue-filter-client')).toHaveFocus();
    // Typing in a field doesn't move the selection.
    await user.keyboard('j');
    expect(screen.getByTestId('queue-row-acme-7')).toHaveAttribute('aria-selected', 'true');
    screen.getByTestId('queue-filter-client').blur();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/tickets/acme/7'));
  });

  it('polls every 30 s without overlapping requests', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: false, now: NOW });
    const { queueCalls } = renderQueue();
    await vi.waitFor(() => expect(queueCalls()).toHaveLength(1));
    await act(async () => {
      await vi.advanceTimersByTimeAsync(29_000);
    });
    expect(queueCalls()).toHaveLength(1);
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1_500);
    });
    expect(queueCalls()).toHaveLength(2);
  });
});
