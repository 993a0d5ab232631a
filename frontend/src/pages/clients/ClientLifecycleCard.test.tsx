import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import type { ClientLifecycleQuery, ClientStatus } from '../../graphql/generated';
import { mockGraphQL } from '../../test/mockGraphQL';
import { ClientLifecycleCard } from './ClientLifecycleCard';

afterEach(() => vi.unstubAllGlobals());

type LifecycleClient = NonNullable<ClientLifecycleQuery['client']>;

function lifecycle(status: ClientStatus, over: Partial<LifecycleClient> = {}): LifecycleClient {
  const next: Record<ClientStatus, ClientStatus[]> = {
    ONBOARDING: ['ACTIVE', 'SUSPENDED', 'OFFBOARDED'],
    ACTIVE: ['SUSPENDED', 'OFFBOARDED'],
    SUSPENDED: ['ACTIVE', 'OFFBOARDED'],
    OFFBOARDED: [],
  };
  return { id: 'C1', slug: 'alpha', name: 'Alpha Health', status, allowedStatuses: next[status], deletionBlockers: [], ...over };
}

function Where() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + ' ' + JSON.stringify(loc.state)}</div>;
}

function renderCard(handlers: Parameters<typeof mockGraphQL>[0], onChanged = vi.fn()) {
  const api = mockGraphQL(handlers);
  render(
    <MemoryRouter initialEntries={['/clients/alpha']}>
      <Routes>
        <Route path="/clients/alpha" element={<ClientLifecycleCard slug="alpha" onChanged={onChanged} />} />
        <Route path="/clients" element={<Where />} />
      </Routes>
    </MemoryRouter>,
  );
  return { api, onChanged };
}

describe('ClientLifecycleCard', () => {
  it('suspends an active client after a confirmation that says what happens, then reactivates it', async () => {
    let current = lifecycle('ACTIVE', { deletionBlockers: ['3 tickets'] });
    const changes: unknown[] = [];
    const { onChanged } = renderCard({
      ClientLifecycle: () => ({ client: current }),
      ChangeClientStatus: (v) => {
        changes.push(v);
        current = lifecycle(v['status'] as ClientStatus, { deletionBlockers: ['3 tickets'] });
        return { changeClientStatus: { client: current, errors: [] } };
      },
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('lifecycle-suspended'));
    const dialog = screen.getByTestId('lifecycle-dialog');
    expect(dialog).toHaveTextContent('Suspend Alpha Health?');
    expect(dialog).toHaveTextContent('can’t sign in');
    expect(dialog).toHaveTextContent('leave the technician queue');
    await user.click(within(dialog).getByTestId('lifecycle-confirm'));
    await waitFor(() => expect(screen.queryByTestId('lifecycle-dialog')).toBeNull());
    expect(changes).toEqual([{ clientSlug: 'alpha', status: 'SUSPENDED' }]);
    expect(onChanged).toHaveBeenCalledTimes(1);
    expect(await screen.findByTestId('lifecycle-meaning')).toHaveTextContent('until it is reactivated');
    expect(screen.getByTestId('lifecycle-active')).toHaveTextContent('Reactivate');
  });

  it('cancelling changes nothing', async () => {
    const { api } = renderCard({ ClientLifecycle: () => ({ client: lifecycle('ONBOARDING') }) });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('lifecycle-active'));
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByTestId('lifecycle-dialog')).toBeNull();
    expect(api.ops()).not.toContain('ChangeClientStatus');
  });

  it('shows a refused change in the dialog', async () => {
    renderCard({
      ClientLifecycle: () => ({ client: lifecycle('ACTIVE') }),
      ChangeClientStatus: () => ({
        changeClientStatus: { client: null, errors: [{ field: 'status', code: 'INVALID_TRANSITION', message: 'A client that is offboarded cannot become active.' }] },
      }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('lifecycle-offboarded'));
    await user.click(screen.getByTestId('lifecycle-confirm'));
    expect(await within(screen.getByTestId('lifecycle-dialog')).findByRole('alert')).toHaveTextContent('cannot become active');
  });

  it('an offboarded client offers no more moves', async () => {
    renderCard({ ClientLifecycle: () => ({ client: lifecycle('OFFBOARDED', { deletionBlockers: ['1 ticket'] }) }) });
    expect(await screen.findByTestId('lifecycle-meaning')).toHaveTextContent('read-only');
    expect(screen.queryByRole('button', { name: /activate|suspend|offboard/i })).toBeNull();
  });

  it('a client holding data cannot be deleted and the card says what it holds', async () => {
    renderCard({ ClientLifecycle: () => ({ client: lifecycle('ACTIVE', { deletionBlockers: ['2 tickets', '1 contact who is not a portal member'] }) }) });
    expect(await screen.findByTestId('delete-blocked')).toHaveTextContent(
      'Can’t be deleted: it holds 2 tickets, 1 contact who is not a portal member. Suspend or offboard it instead.',
    );
    expect(screen.queryByTestId('client-delete')).toBeNull();
  });

  it('deletes an empty client only after its address is typed again, then goes back to the list', async () => {
    const deletes: unknown[] = [];
    renderCard({
      ClientLifecycle: () => ({ client: lifecycle('ONBOARDING') }),
      DeleteClient: (v) => (deletes.push(v), { deleteClient: { deletedSlug: 'alpha', errors: [] } }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-delete'));
    const confirm = screen.getByTestId('delete-confirm');
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId('delete-confirm-slug'), 'alph');
    expect(confirm).toBeDisabled();
    await user.type(screen.getByTestId('delete-confirm-slug'), 'a');
    expect(confirm).toBeEnabled();
    await user.click(confirm);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/clients {"deleted":"Alpha Health"}'));
    expect(deletes).toEqual([{ clientSlug: 'alpha', confirmSlug: 'alpha' }]);
  });

  it('shows the server’s refusal when the client gained data meanwhile', async () => {
    renderCard({
      ClientLifecycle: () => ({ client: lifecycle('ACTIVE') }),
      DeleteClient: () => ({
        deleteClient: {
          deletedSlug: null,
          errors: [{ field: 'clientSlug', code: 'CLIENT_HAS_DATA', message: 'Alpha Health holds 1 ticket, so it cannot be deleted.' }],
        },
      }),
    });
    const user = userEvent.setup();
    await user.click(await screen.findByTestId('client-delete'));
    await user.type(screen.getByTestId('delete-confirm-slug'), 'alpha');
    await user.click(screen.getByTestId('delete-confirm'));
    expect(await within(screen.getByTestId('delete-dialog')).findByRole('alert')).toHaveTextContent('holds 1 ticket');
    expect(screen.queryByTestId('location')).toBeNull();
  });
});
