import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import type { TicketFieldsFragment, ViewerFieldsFragment } from '../../graphql/generated';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { staffGlobalId, staffPk } from './ticketActions';
import { TicketPage } from './TicketPage';

afterEach(() => vi.unstubAllGlobals());

const TESS = { id: staffGlobalId('U1'), fullName: 'Tess Tech', email: 'tess@msp.example', mspRole: 'TECHNICIAN' as const };
const ADA = { id: staffGlobalId(9), fullName: 'Ada Admin', email: 'ada@msp.example', mspRole: 'ADMIN' as const };
const TOM = { id: staffGlobalId(7), fullName: 'Tom Tech', email: 'tom@msp.example', mspRole: 'TECHNICIAN' as const };

function ticket(over: Partial<TicketFieldsFragment> = {}): TicketFieldsFragment {
  return {
    number: 42,
    title: 'VPN drops every hour',
    description: 'Since Monday the VPN disconnects.',
    category: '',
    createdAt: '2026-03-10T09:00:00Z',
    updatedAt: '2026-03-10T10:00:00Z',
    resolvedAt: null,
    priority: 'P2',
    status: 'OPEN',
    serviceLine: 'INFRASTRUCTURE',
    channel: 'PORTAL',
    impact: 'HIGH',
    urgency: 'MEDIUM',
    priorityReason: JSON.stringify({ impact: 'high', urgency: 'medium', effective_urgency: 'medium', business_critical_requester: false, source: 'default matrix' }),
    requester: { fullName: 'Carla Client', email: 'carla@acme.example' },
    assignee: null,
    client: { slug: 'acme', name: 'Acme Dental' },
    slaClocks: [
      {
        name: 'first_response',
        state: 'MET',
        targetMinutes: 60,
        usedMinutes: 25,
        remainingMinutes: 35,
        overdueMinutes: 0,
        dueAt: '2026-03-10T10:00:00Z',
        startedAt: '2026-03-10T09:00:00Z',
        stoppedAt: '2026-03-10T09:25:00Z',
        explainSteps: ['Policy Standard, P2: first response within 1 h 0 min.', 'Answered after 0 h 25 min.'],
        explain: JSON.stringify({ policy: 'Standard', priority: 'P2', calendar: { summary: 'Office (Europe/London): Mon–Fri 09:00–17:00' }, excluded_segments: [] }),
      },
      {
        name: 'first_resolution',
        state: 'PAUSED',
        targetMinutes: 480,
        usedMinutes: 90,
        remainingMinutes: 390,
        overdueMinutes: 0,
        dueAt: null,
        startedAt: '2026-03-10T09:00:00Z',
        stoppedAt: null,
        explainSteps: ['Paused while waiting on the client.'],
        explain: JSON.stringify({
          policy: 'Standard',
          excluded_segments: [{ kind: 'pause', reason: 'waiting on client', started_at: '2026-03-10T10:30:00Z', ended_at: null, business_minutes: 45 }],
        }),
      },
    ],
    timeline: [
      { id: 'a1', kind: 'created', at: '2026-03-10T09:00:00Z', actorName: 'Carla Client', actorIsStaff: false, isInternal: false, body: null, detail: '{"priority": "P2"}', attachments: [] },
      {
        id: 'a2',
        kind: 'reply',
        at: '2026-03-10T09:25:00Z',
        actorName: 'Tess Tech',
        actorIsStaff: true,
        isInternal: false,
        body: 'Looking into it.',
        detail: '{"comment_id": 1}',
        attachments: [
          { id: '7', filename: 'vpn-log.txt', contentType: 'text/plain', sizeBytes: 14_200, url: '/attachments/acme/7' },
          { id: '8', filename: 'screenshot.png', contentType: 'image/png', sizeBytes: 2_400_000, url: '/attachments/acme/8' },
        ],
      },
      { id: 'a3', kind: 'note', at: '2026-03-10T09:30:00Z', actorName: 'Tess Tech', actorIsStaff: true, isInternal: true, body: 'Firewall firmware is old.', detail: '{"comment_id": 2}', attachments: [] },
      { id: 'a4', kind: 'assigned', at: '2026-03-10T09:31:00Z', actorName: 'Tess Tech', actorIsStaff: true, isInternal: false, body: null, detail: `{"assignee_id": ${staffPk(ADA.id)}}`, attachments: [] },
      { id: 'a5', kind: 'status', at: '2026-03-10T10:30:00Z', actorName: 'Tess Tech', actorIsStaff: true, isInternal: false, body: null, detail: '{"from": "open", "to": "waiting_on_client"}', attachments: [] },
    ],
    slaProblem: null,
    timeEntries: [{ id: 't1', minutes: 30, rawMinutes: 25, billable: true, note: 'Checked logs', workDate: '2026-03-10', technician: TESS }],
    billableMinutes: 30,
    totalMinutes: 30,
    closedAt: null,
    clientMayReopenUntil: null,
    followUpOf: null,
    followUps: [],
    ...over,
  };
}

type Handlers = Parameters<typeof mockGraphQL>[0];

/**
 * The page sends one `TicketPage` request; tests still describe its parts by the fields it
 * selects (`Ticket`, `TicketSlaPolicy`, `AssignableStaff`), and any part's error fails it.
 */
function renderTicket(path: string, viewer: ViewerFieldsFragment, handlers: Handlers = {}, t = ticket()) {
  const {
    Ticket = () => ({ ticket: t }),
    TicketSlaPolicy = () => ({ clientSla: null }),
    AssignableStaff = () => ({ assignableStaff: [ADA, TESS, TOM] }),
    ...rest
  } = handlers;
  const api = mockGraphQL({
    TicketPage: (v) => {
      const parts = [Ticket(v), TicketSlaPolicy(v)];
      if (v['isStaff']) parts.push(AssignableStaff(v), { client: { id: 'C1', slug: v['clientSlug'], name: 'Acme Dental' } });
      const failed = parts.find((p) => !!p && typeof p === 'object' && '__errors' in p);
      return failed ?? Object.assign({}, ...parts);
    },
    ...rest,
  });
  render(
    <MemoryRouter initialEntries={[path]}>
      <StaticViewerProvider viewer={viewer}>
        <Routes>
          <Route path="/tickets/:clientSlug/:number" element={<TicketPage />} />
          <Route path="/requests/:number" element={<TicketPage />} />
        </Routes>
      </StaticViewerProvider>
    </MemoryRouter>,
  );
  return api;
}

const staff = makeViewer();
const clientUser = makeViewer({
  id: 'U50',
  email: 'carla@acme.example',
  fullName: 'Carla Client',
  isMspStaff: false,
  mspRole: null,
  currentClient: { slug: 'acme', name: 'Acme Dental', portalUrl: 'https://acme.portal.example/' },
  memberships: [{ role: 'MEMBER', client: { slug: 'acme', name: 'Acme Dental', portalUrl: 'https://acme.portal.example/' } }],
});

const payload = (name: string, t: TicketFieldsFragment | null, errors: unknown[] = []) => ({ [name]: { ticket: t, errors } });

describe('TicketPage (staff)', () => {
  it('on a closed ticket staff may only add internal notes, and are told to reopen to reply', async () => {
    const user = userEvent.setup();
    const notes: Record<string, unknown>[] = [];
    renderTicket('/tickets/acme/42', staff, {
      AddInternalNote: (v) => (notes.push(v), payload('addInternalNote', ticket({ status: 'CLOSED', updatedAt: '2026-03-12T00:00:00Z' }))),
    }, ticket({ status: 'CLOSED' }));
    expect(await screen.findByTestId('closed-notice')).toHaveTextContent('reopen it first');
    expect(screen.queryByTestId('reply-internal')).toBeNull();
    expect(screen.queryByTestId('ticket-follow-up')).toBeNull();
    await user.type(screen.getByTestId('reply-body'), 'Post-mortem filed');
    await user.click(screen.getByTestId('reply-submit'));
    await waitFor(() => expect(notes).toHaveLength(1));
    expect(notes[0]).toMatchObject({ number: 42, clientSlug: 'acme', body: 'Post-mortem filed' });
  });

  it('shows the header, timeline with internal notes marked, SLA panel and time totals', async () => {
    const api = renderTicket('/tickets/acme/42', staff);
    expect(await screen.findByTestId('ticket-title')).toHaveTextContent('#42 VPN drops every hour');
    expect(api.calls.find((c) => c.operationName === 'TicketPage')?.variables).toEqual({ number: 42, clientSlug: 'acme', isStaff: true });
    // One request for the page: no separate policy, assignee or top-bar requests.
    expect(api.ops().filter((op) => op !== 'TicketPage')).toEqual([]);

    const timeline = screen.getByTestId('timeline');
    const note = within(timeline).getByText('Firewall firmware is old.').closest('li')!;
    expect(note).toHaveClass('is-internal');
    expect(within(note).getByTestId('internal-badge')).toHaveTextContent('Internal');
    const reply = within(timeline).getByText('Looking into it.').closest('li')!;
    expect(within(reply).queryByTestId('internal-badge')).toBeNull();
    expect(timeline).toHaveTextContent('changed the status from Open to Waiting on client');
    await waitFor(() => expect(timeline).toHaveTextContent('assigned the ticket to Ada Admin'));

    const sla = screen.getByTestId('sla-panel');
    expect(within(sla).getByTestId('sla-clock-first_response')).toHaveTextContent('Met');
    expect(within(sla).getByTestId('sla-clock-first_resolution')).toHaveTextContent('Paused');
    expect(within(sla).getByTestId('sla-clock-first_resolution')).toHaveTextContent('6h 30m'); // remaining 390 min

    expect(screen.getByTestId('time-totals')).toHaveTextContent('Billable 30m · Total 30m');
  });

  it('Explain tells the clock’s story in plain words; the engine’s steps only behind "Show calculation"', async () => {
    const user = userEvent.setup();
    renderTicket('/tickets/acme/42', staff);
    const clock = within(await screen.findByTestId('sla-panel')).getByTestId('sla-clock-first_resolution');
    const explain = within(clock).getByTestId('sla-explain');
    expect(explain).not.toHaveAttribute('open');
    await user.click(within(explain).getByText('Explain'));
    expect(explain).toHaveAttribute('open');
    const story = within(explain).getByTestId('sla-story');
    expect(story).toHaveTextContent('Under the Standard SLA, a ticket should get a resolution within 8h of business time.');
    expect(story).toHaveTextContent(/Paused while waiting on client since .*: 45m of business time so far doesn’t count/);
    expect(explain).not.toHaveTextContent('Paused while waiting on the client.'); // the engine's step
    await user.click(within(explain).getByTestId('sla-show-calculation'));
    const calc = within(explain).getByTestId('sla-calculation');
    expect(calc).toHaveTextContent('Paused while waiting on the client.');
    const segments = within(calc).getByTestId('sla-segments');
    // In the narrow side panel the table wraps and scrolls inside a keyboard-reachable region.
    const scroller = within(calc).getByRole('region', { name: 'Time that didn’t count' });
    expect(scroller).toContainElement(segments);
    expect(scroller).toHaveClass('table-scroll');
    expect(scroller).toHaveAttribute('tabindex', '0');
    expect(segments.querySelectorAll('td.nowrap')).toHaveLength(0);
    expect(segments).toHaveTextContent('waiting on client');
    expect(segments).toHaveTextContent('ongoing');
    expect(segments).toHaveTextContent('45m');
    expect(within(explain).getByTestId('sla-show-calculation')).toHaveAttribute('aria-expanded', 'true');
  });

  it('a stopped clock shows its outcome; a running one tells wall-clock and business time apart', async () => {
    const dueIn = new Date(Date.now() + 2 * 86400_000).toISOString();
    const clocks = [
      ticket().slaClocks[0]!, // MET: 25 of 60 minutes used
      {
        ...ticket().slaClocks[0]!,
        name: 'next_update',
        state: 'BREACHED' as const,
        usedMinutes: 80,
        remainingMinutes: 0,
        overdueMinutes: 20,
        stoppedAt: '2026-03-10T10:30:00Z',
      },
      { ...ticket().slaClocks[1]!, name: 'resolution', state: 'RUNNING' as const, usedMinutes: 240, remainingMinutes: 240, dueAt: dueIn },
    ];
    renderTicket('/tickets/acme/42', staff, {}, ticket({ slaClocks: clocks }));
    const panel = await screen.findByTestId('sla-panel');

    const met = within(panel).getByTestId('sla-clock-first_response');
    expect(within(met).getByTestId('sla-outcome')).toHaveTextContent('Met with 35m of business time to spare');
    expect(met).toHaveTextContent('25m used of a 1h target');
    expect(met).toHaveTextContent('Was due');
    expect(met).not.toHaveTextContent('Remaining');
    expect(within(met).queryByTestId('sla-countdown')).toBeNull();

    const breached = within(panel).getByTestId('sla-clock-next_update');
    expect(within(breached).getByTestId('sla-outcome')).toHaveTextContent('Breached by 20m of business time');
    expect(breached).toHaveTextContent('1h 20m used of a 1h target');

    const running = within(panel).getByTestId('sla-clock-resolution');
    expect(within(running).getByTestId('sla-countdown')).toHaveTextContent(/^\s*· (1d 23h|2d 00h) left$/);
    expect(within(running).getByTestId('sla-budget')).toHaveTextContent('4h of business time left (4h used of a 8h target)');
    expect(running).toHaveTextContent('The countdown is real time until the due time; business time only passes during business hours.');
  });

  it('client users get the plain explanation without the calculation', async () => {
    const user = userEvent.setup();
    renderTicket('/requests/42', clientUser, {}, ticket({ timeEntries: [], billableMinutes: null, totalMinutes: null }));
    const clock = within(await screen.findByTestId('sla-panel')).getByTestId('sla-clock-first_response');
    await user.click(within(clock).getByText('Explain'));
    const explain = within(clock).getByTestId('sla-explain');
    expect(within(explain).getByTestId('sla-story')).toHaveTextContent('Under the Standard SLA, a P2 ticket should get a first response within 1h of business time.');
    expect(explain).toHaveTextContent('Met: the clock stopped');
    expect(explain).toHaveTextContent('with 35m of business time to spare.');
    expect(within(explain).queryByTestId('sla-show-calculation')).toBeNull();
    expect(explain).not.toHaveTextContent('Policy Standard, P2: first response within 1 h 0 min.');
  });

  it('colours a running clock by the share of its budget used, not by how near the deadline is', async () => {
    const soon = new Date(Date.now() + 59 * 60_000).toISOString();
    const running = (usedMinutes: number, explainPolicy = 'Standard') => ({
      ...ticket().slaClocks[0]!,
      state: 'RUNNING' as const,
      usedMinutes,
      remainingMinutes: 60 - usedMinutes,
      dueAt: soon,
      stoppedAt: null,
      explain: JSON.stringify({ policy: explainPolicy, priority: 'P2', excluded_segments: [] }),
    });
    const policy = { id: 'P1', name: 'Standard', warningThresholds: [0.5, 0.9] };
    const api = renderTicket('/tickets/acme/42', staff, { TicketSlaPolicy: () => ({ clientSla: { policy } }) }, ticket({ slaClocks: [running(0)] }));
    const clock = within(await screen.findByTestId('sla-panel')).getByTestId('sla-clock-first_response');
    // A P2 due within the hour with nothing used is on track: green, not amber.
    expect(clock).toHaveAttribute('data-risk', 'green');
    expect(within(clock).getByTestId('sla-countdown')).not.toHaveClass('is-warning');
    await waitFor(() => expect(api.calls.find((c) => c.operationName === 'TicketPage')?.variables).toMatchObject({ clientSlug: 'acme' }));
    cleanup();

    // The policy warns at 50 %: 30 of 60 minutes used is amber.
    renderTicket('/tickets/acme/42', staff, { TicketSlaPolicy: () => ({ clientSla: { policy } }) }, ticket({ slaClocks: [running(30)] }));
    const half = within(await screen.findByTestId('sla-panel')).getByTestId('sla-clock-first_response');
    await waitFor(() => expect(half).toHaveAttribute('data-risk', 'amber'));
    expect(within(half).getByTestId('sla-countdown')).toHaveClass('is-warning');
    expect(half.querySelector('.pill[data-state]')).toHaveClass('pill-amber');
    cleanup();

    // Another policy than the client's current one (or none at hand): 75 %.
    renderTicket('/tickets/acme/42', staff, { TicketSlaPolicy: () => ({ clientSla: { policy } }) }, ticket({ slaClocks: [running(30, 'Legacy')] }));
    const legacy = within(await screen.findByTestId('sla-panel')).getByTestId('sla-clock-first_response');
    expect(legacy).toHaveAttribute('data-risk', 'green');
    cleanup();
    renderTicket('/tickets/acme/42', staff, {}, ticket({ slaClocks: [running(45)] }));
    expect(within(await screen.findByTestId('sla-panel')).getByTestId('sla-clock-first_response')).toHaveAttribute('data-risk', 'amber');
  });

  it('lists a message’s attachments under it as download links with their size', async () => {
    renderTicket('/tickets/acme/42', staff);
    const timeline = await screen.findByTestId('timeline');
    const reply = within(timeline).getByText('Looking into it.').closest('li')!;
    const files = within(reply).getAllByTestId('timeline-attachment');
    expect(files.map((f) => f.textContent)).toEqual(['vpn-log.txt14 KB', 'screenshot.png2.4 MB']);
    const link = within(reply).getByRole('link', { name: /vpn-log\.txt/ });
    expect(link).toHaveAttribute('href', '/attachments/acme/7');
    expect(link).toHaveAttribute('download', 'vpn-log.txt');
    // Messages without files have no list.
    const note = within(timeline).getByText('Firewall firmware is old.').closest('li')!;
    expect(within(note).queryByTestId('timeline-attachments')).toBeNull();
  });

  it('a message with only files shows them without “(no text)”; a link that is not a same-origin path is not followed', async () => {
    const base = ticket();
    const onlyFiles = {
      ...base.timeline[1]!,
      id: 'a9',
      body: '',
      attachments: [
        { id: '9', filename: 'invoice.pdf', contentType: 'application/pdf', sizeBytes: 512, url: '/attachments/acme/9' },
        { id: '10', filename: 'odd.pdf', contentType: 'application/pdf', sizeBytes: 1_000, url: 'https://evil.example/odd.pdf' },
      ],
    };
    renderTicket('/tickets/acme/42', staff, {}, ticket({ timeline: [onlyFiles] }));
    const entry = (await screen.findByTestId('timeline')).querySelector('li')!;
    expect(entry).not.toHaveTextContent('(no text)');
    expect(within(entry).getByRole('link', { name: /invoice\.pdf/ })).toHaveTextContent('512 B');
    expect(within(entry).queryByRole('link', { name: /odd\.pdf/ })).toBeNull();
    expect(within(entry).getByText('odd.pdf')).toBeInTheDocument();
  });

  it('tells staff when the SLA clocks can’t be computed instead of claiming there is no SLA', async () => {
    renderTicket('/tickets/acme/42', staff, {}, ticket({ slaClocks: [], slaProblem: 'The SLA clocks of this ticket can’t be computed under its policy.' }));
    const sla = await screen.findByTestId('sla-panel');
    expect(sla).toHaveTextContent('SLA clocks can’t be computed');
    expect(sla).toHaveTextContent('can’t be computed under its policy');
    expect(sla).not.toHaveTextContent('No SLA applies');
  });

  it('explains the priority', async () => {
    const user = userEvent.setup();
    renderTicket('/tickets/acme/42', staff);
    await user.hover(await screen.findByTestId('ticket-priority'));
    expect(screen.getByTestId('priority-reason')).toHaveTextContent('Impact high × urgency medium');
    expect(screen.getByTestId('priority-reason')).toHaveTextContent('P2 from the default matrix.');
  });

  it('changes status, assigns (from the client’s assignable staff) and re-triages', async () => {
    const user = userEvent.setup();
    const seen: Record<string, unknown>[] = [];
    renderTicket('/tickets/acme/42', staff, {
      ChangeTicketStatus: (v) => (seen.push(v), payload('changeTicketStatus', ticket({ status: v['status'] as 'IN_PROGRESS', updatedAt: '2026-03-10T11:00:00Z' }))),
      AssignTicket: (v) => (seen.push(v), payload('assignTicket', ticket({ assignee: TESS, updatedAt: '2026-03-10T11:01:00Z' }))),
      TriageTicket: (v) => (seen.push(v), payload('triageTicket', ticket({ impact: 'HIGH', urgency: 'HIGH', priority: 'P1', updatedAt: '2026-03-10T11:02:00Z' }))),
    });
    const status = await screen.findByTestId('ticket-status');
    expect(within(status).getAllByRole('option').map((o) => o.getAttribute('value'))).toEqual(['OPEN', 'IN_PROGRESS', 'WAITING_ON_CLIENT', 'WAITING_ON_VENDOR', 'RESOLVED']);
    await user.selectOptions(status, 'IN_PROGRESS');
    await waitFor(() => expect(screen.getByTestId('ticket-status-pill')).toHaveTextContent('In progress'));
    expect(seen[0]).toEqual({ number: 42, clientSlug: 'acme', status: 'IN_PROGRESS' });

    const assign = screen.getByTestId('ticket-assign');
    await waitFor(() => expect(within(assign).getByText('Tom Tech')).toBeInTheDocument());
    const names = within(assign).getAllByRole('option').map((o) => o.textContent);
    expect(names).toEqual(['Unassigned', 'Ada Admin', 'Tess Tech (me)', 'Tom Tech']);
    await user.click(screen.getByTestId('ticket-assign-me'));
    await waitFor(() => expect(screen.getByTestId('ticket-assignee')).toHaveTextContent('Tess Tech'));
    expect(seen[1]).toEqual({ number: 42, clientSlug: 'acme', assigneeId: TESS.id });

    expect(screen.getByTestId('ticket-triage')).toBeDisabled();
    await user.selectOptions(screen.getByTestId('ticket-urgency'), 'HIGH');
    await user.click(screen.getByTestId('ticket-triage'));
    await waitFor(() => expect(screen.getByTestId('ticket-priority')).toHaveTextContent('P1'));
    expect(seen[2]).toEqual({ number: 42, clientSlug: 'acme', impact: 'HIGH', urgency: 'HIGH' });
  });

  it('offers exactly the client’s assignable staff; no "Assign to me" for someone who can’t take it', async () => {
    const manager = makeViewer({ id: 'U5', fullName: 'Alex Manager', email: 'am@msp.example', mspRole: 'ACCOUNT_MANAGER' });
    const formerTech = { id: staffGlobalId(3), fullName: 'Former Tech', email: 'ft@msp.example', mspRole: 'TECHNICIAN' as const };
    const api = renderTicket('/tickets/acme/42', manager, {}, ticket({ assignee: formerTech }));
    const assign = await screen.findByTestId('ticket-assign');
    await waitFor(() => expect(within(assign).getByText('Tom Tech')).toBeInTheDocument());
    expect(api.calls.find((c) => c.operationName === 'TicketPage')?.variables).toEqual({ number: 42, clientSlug: 'acme', isStaff: true });
    // The current assignee stays visible even if they no longer reach the client.
    expect(within(assign).getAllByRole('option').map((o) => o.textContent)).toEqual(['Unassigned', 'Former Tech', 'Ada Admin', 'Tess Tech', 'Tom Tech']);
    expect(assign).toHaveValue(formerTech.id);
    expect(screen.queryByTestId('ticket-assign-me')).toBeNull();
    expect(api.ops()).not.toContain('QueueAssignees');
    expect(api.ops()).not.toContain('AccountManagers');
  });

  it('says so when the page can’t be loaded (one request for ticket and assignee choices), and retries', async () => {
    const user = userEvent.setup();
    let fail = true;
    const api = renderTicket('/tickets/acme/42', staff, {
      AssignableStaff: () => (fail ? { __errors: [{ message: 'Server error' }] } : { assignableStaff: [ADA, TESS] }),
    });
    expect(await screen.findByText('Couldn’t load this ticket')).toBeInTheDocument();
    fail = false;
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(within(screen.getByTestId('ticket-assign')).getByText('Ada Admin')).toBeInTheDocument());
    expect(screen.getByTestId('ticket-assign-me')).toBeInTheDocument();
    expect(api.ops()).toEqual(['TicketPage', 'TicketPage']);
  });

  it('shows a refused transition next to the status select', async () => {
    const user = userEvent.setup();
    renderTicket('/tickets/acme/42', staff, {
      ChangeTicketStatus: () => payload('changeTicketStatus', null, [{ field: 'status', code: 'INVALID_TRANSITION', message: 'A ticket cannot go from open to resolved here.' }]),
    });
    await user.selectOptions(await screen.findByTestId('ticket-status'), 'RESOLVED');
    expect(await screen.findByText('A ticket cannot go from open to resolved here.')).toBeInTheDocument();
    expect(screen.getByTestId('ticket-status-pill')).toHaveTextContent('Open');
  });

  it('sends an internal note with an attachment as base64, and shows the server’s attachment errors', async () => {
    const user = userEvent.setup();
    const notes: Record<string, unknown>[] = [];
    let refuse = true;
    renderTicket('/tickets/acme/42', staff, {
      AddInternalNote: (v) => {
        notes.push(v);
        if (refuse)
          return payload('addInternalNote', null, [{ field: 'attachments', code: 'UNSUPPORTED_TYPE', message: 'dump.txt: files of type text/plain are not accepted.' }]);
        return payload('addInternalNote', ticket({ updatedAt: '2026-03-10T12:00:00Z' }));
      },
    });
    await user.click(await screen.findByTestId('reply-internal'));
    expect(screen.getByTestId('reply-submit')).toHaveTextContent('Add internal note');
    await user.type(screen.getByTestId('reply-body'), 'See the attached dump');
    await user.upload(screen.getByTestId('reply-file'), new File(['hello'], 'dump.txt', { type: 'text/plain' }));
    expect(await screen.findByTestId('reply-attachments')).toHaveTextContent('dump.txt');
    await user.click(screen.getByTestId('reply-submit'));
    expect(await screen.findByTestId('reply-attachments-error')).toHaveTextContent('dump.txt: files of type text/plain are not accepted.');
    expect(notes[0]).toEqual({
      number: 42,
      clientSlug: 'acme',
      body: 'See the attached dump',
      attachments: [{ filename: 'dump.txt', contentType: 'text/plain', dataBase64: 'aGVsbG8=' }],
      idempotencyKey: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    // The text and the file are kept for another try.
    expect(screen.getByTestId('reply-body')).toHaveValue('See the attached dump');
    refuse = false;
    await user.click(screen.getByTestId('reply-submit'));
    expect(await screen.findByTestId('reply-sent')).toHaveTextContent('Internal note added.');
    // The retry of the same note is the same submission: the same key.
    expect(notes[1]?.['idempotencyKey']).toBe(notes[0]?.['idempotencyKey']);
    expect(screen.getByTestId('reply-body')).toHaveValue('');
    expect(screen.queryByTestId('reply-attachments')).toBeNull();
  });

  it('refuses a file over the size limit before uploading anything', async () => {
    const user = userEvent.setup();
    const api = renderTicket('/tickets/acme/42', staff);
    await screen.findByTestId('reply-body');
    const big = new File(['x'], 'huge.zip', { type: 'application/zip' });
    Object.defineProperty(big, 'size', { value: 10_000_001 });
    await user.upload(screen.getByTestId('reply-file'), big);
    expect(await screen.findByTestId('reply-attachments-error')).toHaveTextContent('huge.zip is 10 MB; files can be at most 10 MB.');
    expect(screen.queryByTestId('reply-attachments')).toBeNull();
    expect(api.ops()).not.toContain('ReplyToTicket');
  });

  it('explains a body the server refused as too large, with the attachments’ total size', async () => {
    const user = userEvent.setup();
    renderTicket('/tickets/acme/42', staff, {
      ReplyToTicket: () => ({ __errors: [{ message: 'Request body exceeded settings.DATA_UPLOAD_MAX_MEMORY_SIZE.' }] }),
    });
    await user.type(await screen.findByTestId('reply-body'), 'Screenshot');
    await user.upload(screen.getByTestId('reply-file'), new File(['x'.repeat(2_000)], 'screen.png', { type: 'image/png' }));
    await user.click(screen.getByTestId('reply-submit'));
    expect(await screen.findByText(/The request was too large for the server\. Send fewer or smaller attachments \(now 1 file, 2 KB in total\)\./)).toBeInTheDocument();
    expect(screen.getByTestId('reply-attachments')).toHaveTextContent('screen.png');
  });

  it('logs time', async () => {
    const user = userEvent.setup();
    const logged: Record<string, unknown>[] = [];
    renderTicket('/tickets/acme/42', staff, {
      LogTime: (v) => (logged.push(v), payload('logTime', ticket({ billableMinutes: 30, totalMinutes: 45, updatedAt: '2026-03-10T12:00:00Z' }))),
    });
    await user.type(await screen.findByTestId('time-minutes'), '10');
    await user.type(screen.getByTestId('time-note'), 'Phone call');
    await user.click(screen.getByTestId('time-billable'));
    await user.click(screen.getByTestId('time-submit'));
    await waitFor(() => expect(screen.getByTestId('time-totals')).toHaveTextContent('Billable 30m · Total 45m'));
    expect(logged[0]).toMatchObject({ number: 42, clientSlug: 'acme', minutes: 10, billable: false, note: 'Phone call' });
    expect(logged[0]?.['workDate']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(screen.getByTestId('time-date-display')).toHaveTextContent(/\(today\)$/);
    expect(screen.getByTestId('time-minutes')).toHaveValue(null);
  });
});

describe('TicketPage time log date', () => {
  it('shows the chosen day in the page’s format next to the native date input', async () => {
    renderTicket('/tickets/acme/42', staff);
    const input = await screen.findByTestId('time-date');
    const fmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
    const now = new Date();
    expect(screen.getByTestId('time-date-display')).toHaveTextContent(`${fmt.format(new Date(now.getFullYear(), now.getMonth(), now.getDate()))} (today)`);
    fireEvent.change(input, { target: { value: '2026-03-09' } });
    expect(screen.getByTestId('time-date-display')).toHaveTextContent(fmt.format(new Date(2026, 2, 9)));
    expect(screen.getByTestId('time-date-display')).not.toHaveTextContent('today');
    // The entries' days use the same format.
    expect(screen.getByTestId('time-log')).toHaveTextContent(`${fmt.format(new Date(2026, 2, 10))} · Tess Tech`);
  });
});

describe('TicketPage (client user)', () => {
  it('on the portal host: no clientSlug, no staff controls, can reply', async () => {
    const user = userEvent.setup();
    const replies: Record<string, unknown>[] = [];
    const api = renderTicket('/requests/42', clientUser, {
      ReplyToTicket: (v) => (replies.push(v), payload('replyToTicket', ticket({ updatedAt: '2026-03-10T12:00:00Z' }))),
    }, ticket({ timeEntries: [], billableMinutes: null, totalMinutes: null, timeline: ticket().timeline.filter((e) => !e.isInternal) }));
    await screen.findByTestId('ticket-title');
    expect(api.calls.find((c) => c.operationName === 'TicketPage')?.variables).toEqual({ number: 42, isStaff: false });
    expect(api.ops()).toEqual(['TicketPage']);
    expect(screen.queryByTestId('ticket-status')).toBeNull();
    expect(screen.queryByTestId('reply-internal')).toBeNull();
    expect(screen.queryByTestId('time-log')).toBeNull();
    expect(screen.queryByTestId('ticket-close')).toBeNull();
    await user.type(screen.getByTestId('reply-body'), 'Still happening');
    await user.click(screen.getByTestId('reply-submit'));
    await screen.findByTestId('reply-sent');
    expect(replies[0]).toEqual({ number: 42, body: 'Still happening', idempotencyKey: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    // The same words sent again later are a new reply: a new submission, a new key.
    await user.type(screen.getByTestId('reply-body'), 'Still happening');
    await user.click(screen.getByTestId('reply-submit'));
    await waitFor(() => expect(replies).toHaveLength(2));
    expect(replies[1]?.['idempotencyKey']).not.toBe(replies[0]?.['idempotencyKey']);
  });

  it('can close or reopen a resolved request', async () => {
    const user = userEvent.setup();
    const changes: Record<string, unknown>[] = [];
    renderTicket('/requests/42', clientUser, {
      ChangeTicketStatus: (v) => (changes.push(v), payload('changeTicketStatus', ticket({ status: 'CLOSED', updatedAt: '2026-03-11T00:00:00Z' }))),
    }, ticket({ status: 'RESOLVED', resolvedAt: '2026-03-10T15:00:00Z', clientMayReopenUntil: '2026-03-17T15:00:00Z' }));
    expect(await screen.findByTestId('ticket-reopen')).toBeInTheDocument();
    await user.click(screen.getByTestId('ticket-close'));
    await waitFor(() => expect(screen.getByTestId('ticket-status-pill')).toHaveTextContent('Closed'));
    expect(changes[0]).toEqual({ number: 42, status: 'CLOSED' });
    expect(screen.queryByTestId('ticket-close')).toBeNull();
  });

  it('a closed request offers a linked new request instead of a reply box', async () => {
    const user = userEvent.setup();
    const created: Record<string, unknown>[] = [];
    const closed = ticket({ status: 'CLOSED', resolvedAt: '2026-03-10T15:00:00Z', closedAt: '2026-03-11T09:00:00Z' });
    renderTicket('/requests/42', clientUser, {
      CreateTicket: (v) => {
        created.push(v);
        return { createTicket: { ticket: ticket({ number: 43, title: 'Follow-up: VPN drops every hour', status: 'NEW', followUpOf: { number: 42, title: 'VPN drops every hour', status: 'CLOSED' } }), errors: [] } };
      },
    }, closed);
    expect(await screen.findByTestId('closed-notice')).toHaveTextContent('This request is closed.');
    expect(screen.queryByTestId('reply-form')).toBeNull();
    await user.click(screen.getByTestId('ticket-follow-up'));
    const dialog = await screen.findByTestId('new-request-dialog');
    expect(dialog).toHaveTextContent('This request will be linked to #42 “VPN drops every hour”');
    expect(screen.getByTestId('request-title')).toHaveValue('Follow-up: VPN drops every hour');
    await user.click(screen.getByTestId('request-submit'));
    await waitFor(() => expect(created).toHaveLength(1));
    expect(created[0]).toEqual({
      input: {
        title: 'Follow-up: VPN drops every hour',
        impact: 'LOW',
        urgency: 'MEDIUM',
        relatedTicketNumber: 42,
        idempotencyKey: expect.stringMatching(/^[A-Za-z0-9_-]{16,100}$/),
      },
    });
    await waitFor(() => expect(screen.queryByTestId('new-request-dialog')).toBeNull());
  });

  it('after the reopen window a resolved request offers a linked new request, not a reopen', async () => {
    renderTicket('/requests/42', clientUser, {}, ticket({ status: 'RESOLVED', resolvedAt: '2026-03-10T15:00:00Z', clientMayReopenUntil: null }));
    expect(await screen.findByTestId('resolved-prompt')).toHaveTextContent('resolved too long ago to reopen');
    expect(screen.queryByTestId('ticket-reopen')).toBeNull();
    expect(screen.getByTestId('ticket-follow-up')).toHaveTextContent('New request about this');
  });

  it('shows the follow-up links in the header and on the timeline', async () => {
    const linked = ticket({
      followUpOf: { number: 40, title: 'VPN flaky', status: 'CLOSED' },
      followUps: [{ number: 45, title: 'VPN again', status: 'NEW' }],
      timeline: [
        { id: 'a1', kind: 'created', at: '2026-03-10T09:00:00Z', actorName: 'Carla Client', actorIsStaff: false, isInternal: false, body: null, detail: '{"priority": "P2", "follow_up_of": 40}', attachments: [] },
        { id: 'a2', kind: 'follow_up', at: '2026-03-12T09:00:00Z', actorName: 'Carla Client', actorIsStaff: false, isInternal: false, body: null, detail: '{"number": 45}', attachments: [] },
      ],
    });
    renderTicket('/requests/42', clientUser, {}, linked);
    expect(await screen.findByTestId('follow-up-of')).toHaveAttribute('href', '/requests/40');
    expect(screen.getByTestId('follow-up')).toHaveAttribute('href', '/requests/45');
    const timeline = screen.getByTestId('timeline');
    expect(timeline).toHaveTextContent('opened the ticket as P2 as a follow-up of #40');
    expect(timeline).toHaveTextContent('raised #45 as a follow-up of this request');
  });

  it('says so when the ticket does not exist', async () => {
    renderTicket('/requests/999', clientUser, { Ticket: () => ({ ticket: null }) });
    expect(await screen.findByText('Ticket not found')).toBeInTheDocument();
  });
});
