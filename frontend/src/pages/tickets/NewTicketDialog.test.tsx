import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { ClientDetailPage } from '../clients/ClientDetailPage';
import { QueuePage } from '../queue/QueuePage';

afterEach(() => vi.unstubAllGlobals());

function Where() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + loc.search}</div>;
}

const CONTACTS = [
  { id: '11', fullName: 'Carla Client', email: 'carla@acme.example', jobTitle: 'Office manager', isBusinessCritical: false },
  { id: '12', fullName: 'Bob Boss', email: 'bob@acme.example', jobTitle: 'CEO', isBusinessCritical: true },
];

function searchContacts(vars: Record<string, unknown>) {
  const q = typeof vars['search'] === 'string' ? vars['search'].toLowerCase() : '';
  return { contacts: CONTACTS.filter((c) => !q || c.fullName.toLowerCase().includes(q) || c.email.includes(q)) };
}

const created = (slug: string, number: number) => ({
  createTicket: { ticket: { number, client: { slug, name: slug } }, errors: [] },
});

function renderAt(path: string, handlers: Parameters<typeof mockGraphQL>[0]) {
  const api = mockGraphQL(handlers);
  render(
    <MemoryRouter initialEntries={[path]}>
      <StaticViewerProvider viewer={makeViewer()}>
        <Routes>
          <Route path="/queue" element={<QueuePage />} />
          <Route path="/clients/:slug" element={<ClientDetailPage />} />
          <Route path="/tickets/:clientSlug/:number" element={<Where />} />
        </Routes>
      </StaticViewerProvider>
    </MemoryRouter>,
  );
  return api;
}

const queueHandlers = {
  Queue: () => ({ queue: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } }),
  ClientOptions: () => ({ clients: { edges: [{ node: { id: 'C1', slug: 'acme', name: 'Acme Dental' } }, { node: { id: 'C2', slug: 'globex', name: 'Globex' } }] } }),
};

describe('Staff raise a ticket', () => {
  it('from the queue: pick the client, search and pick the requester, create, land on the new ticket', async () => {
    const user = userEvent.setup();
    const inputs: unknown[] = [];
    const api = renderAt('/queue', {
      ...queueHandlers,
      Contacts: searchContacts,
      CreateTicket: (v) => (inputs.push(v['input']), created('acme', 43)),
    });
    await user.click(await screen.findByTestId('new-ticket'));
    const dialog = screen.getByTestId('new-ticket-dialog');
    // No client yet: the requester search waits for one.
    expect(within(dialog).getByTestId('requester-search')).toBeDisabled();
    await user.selectOptions(within(dialog).getByTestId('new-ticket-client'), 'acme');
    expect(await within(dialog).findByTestId('requester-option-11')).toHaveTextContent('Carla Client');
    expect(within(dialog).getByTestId('requester-option-12')).toHaveTextContent('Business-critical');
    expect(api.calls.find((c) => c.operationName === 'Contacts')?.variables).toEqual({ clientSlug: 'acme' });

    await user.type(within(dialog).getByTestId('requester-search'), 'bob');
    await waitFor(() => expect(within(dialog).queryByTestId('requester-option-11')).toBeNull());
    expect(api.calls.filter((c) => c.operationName === 'Contacts').at(-1)?.variables).toEqual({ clientSlug: 'acme', search: 'bob' });
    await user.click(within(dialog).getByTestId('requester-option-12'));
    expect(within(dialog).getByTestId('requester-chosen')).toHaveTextContent('Bob Boss');
    expect(dialog).toHaveTextContent('this requester is business-critical, so the urgency counts one level higher');

    await user.type(within(dialog).getByTestId('new-ticket-title'), 'Laptop will not boot');
    await user.selectOptions(within(dialog).getByTestId('new-ticket-impact'), 'MEDIUM');
    await user.selectOptions(within(dialog).getByTestId('new-ticket-channel'), 'EMAIL');
    await user.click(within(dialog).getByTestId('new-ticket-submit'));

    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/tickets/acme/43'));
    expect(inputs[0]).toEqual({
      clientSlug: 'acme',
      requesterId: '12',
      title: 'Laptop will not boot',
      impact: 'MEDIUM',
      urgency: 'MEDIUM',
      channel: 'EMAIL',
      serviceLine: 'SUPPORT',
      idempotencyKey: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
  });

  it('from the queue: starts with the filtered client, checks the form first and shows the server’s requester error', async () => {
    const user = userEvent.setup();
    const api = renderAt('/queue?client=globex', {
      ...queueHandlers,
      Contacts: searchContacts,
      CreateTicket: () => ({ createTicket: { ticket: null, errors: [{ field: 'requesterId', code: 'REQUIRED', message: 'Choose who is asking (a contact of the client).' }] } }),
    });
    await user.click(await screen.findByTestId('new-ticket'));
    const dialog = screen.getByTestId('new-ticket-dialog');
    expect(within(dialog).getByTestId('new-ticket-client')).toHaveValue('globex');
    await user.click(within(dialog).getByTestId('new-ticket-submit'));
    expect(dialog).toHaveTextContent('Choose who is asking.');
    expect(dialog).toHaveTextContent('Give the ticket a short title.');
    expect(api.ops()).not.toContain('CreateTicket');

    await user.click(await within(dialog).findByTestId('requester-option-11'));
    await user.type(within(dialog).getByTestId('new-ticket-title'), 'Printer offline');
    await user.click(within(dialog).getByTestId('new-ticket-submit'));
    expect(await within(dialog).findByText('Choose who is asking (a contact of the client).')).toBeInTheDocument();
    // Changing the requester clears the choice and lists the contacts again.
    await user.click(within(dialog).getByTestId('requester-change'));
    expect(await within(dialog).findByTestId('requester-option-12')).toBeInTheDocument();
  });

  it('from a client’s page: the client is fixed', async () => {
    const user = userEvent.setup();
    const inputs: unknown[] = [];
    renderAt('/clients/acme', {
      Client: () => ({
        client: {
          id: 'C1',
          slug: 'acme',
          name: 'Acme Dental',
          industry: 'HEALTHCARE',
          tier: 'STANDARD',
          status: 'ACTIVE',
          timezone: 'Europe/London',
          requireTwoFactor: false,
          createdAt: '2026-01-01T00:00:00Z',
          portalUrl: 'https://acme.portal.example/',
          memberCount: 0,
          contactCount: 2,
          accountManager: null,
          itLeads: [],
          members: [],
        },
      }),
      Contacts: searchContacts,
      CreateTicket: (v) => (inputs.push(v['input']), created('acme', 44)),
    });
    await user.click(await screen.findByTestId('client-new-ticket'));
    const dialog = screen.getByTestId('new-ticket-dialog');
    expect(dialog).toHaveTextContent('Raise a ticket for Acme Dental on behalf of one of its contacts.');
    expect(within(dialog).queryByTestId('new-ticket-client')).toBeNull();
    await user.click(await within(dialog).findByTestId('requester-option-11'));
    await user.type(within(dialog).getByTestId('new-ticket-title'), 'New starter needs an account');
    await user.click(within(dialog).getByTestId('new-ticket-submit'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/tickets/acme/44'));
    expect(inputs[0]).toMatchObject({ clientSlug: 'acme', requesterId: '11', title: 'New starter needs an account', channel: 'PHONE' });
  });
});
