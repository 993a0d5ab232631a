import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mockGraphQL } from '../test/mockGraphQL';
import { ClientHistoryPanel, TicketHistoryPanel } from './HistoryPanel';

afterEach(() => vi.unstubAllGlobals());

const ENTRIES = [
  {
    at: '2026-03-10T12:05:00Z',
    kind: 'changed',
    subject: 'Ticket',
    label: '#7 Printer jams',
    actorName: 'Tom Tech',
    changes: [
      { field: 'status', before: 'new', after: 'in_progress' },
      { field: 'assignee', before: null, after: 'Tom Tech' },
    ],
  },
  {
    at: '2026-03-10T12:00:00Z',
    kind: 'created',
    subject: 'Ticket',
    label: '#7 Printer jams',
    actorName: '',
    changes: [{ field: 'title', before: null, after: 'Printer jams' }],
  },
];

describe('TicketHistoryPanel', () => {
  it('loads nothing until opened, then lists who changed what', async () => {
    const api = mockGraphQL({ TicketHistory: () => ({ ticket: { number: 7, history: ENTRIES } }) });
    render(<TicketHistoryPanel number={7} clientSlug="alpha" />);
    expect(api.ops()).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Show history' }));
    const list = await screen.findByRole('list', { name: 'Change history' });
    expect(api.calls[0]?.variables).toEqual({ number: 7, clientSlug: 'alpha' });
    const [changed, created] = within(list).getAllByRole('listitem').filter((li) => li.classList.contains('history-entry'));
    expect(changed).toHaveTextContent('Ticket #7 Printer jams changed');
    expect(changed).toHaveTextContent('Tom Tech');
    expect(changed).toHaveTextContent('status: new → in_progress');
    expect(changed).toHaveTextContent('assignee: — → Tom Tech');
    expect(created).toHaveTextContent('title: Printer jams');
    expect(created).toHaveTextContent('system'); // no signed-in person made it
    expect(screen.queryByRole('button', { name: 'Show history' })).not.toBeInTheDocument();
  });
});

describe('ClientHistoryPanel', () => {
  it('says when nothing was recorded, and shows a load error', async () => {
    mockGraphQL({ ClientHistory: () => ({ client: { id: 'C1', history: [] } }) });
    const { unmount } = render(<ClientHistoryPanel slug="alpha" />);
    await userEvent.click(screen.getByRole('button', { name: 'Show history' }));
    expect(await screen.findByText('No recorded changes.')).toBeInTheDocument();
    unmount();
    mockGraphQL({ ClientHistory: () => ({ __errors: [{ message: 'You do not have permission to do that.' }] }) });
    render(<ClientHistoryPanel slug="alpha" />);
    await userEvent.click(screen.getByRole('button', { name: 'Show history' }));
    expect(await screen.findByText('Couldn’t load the history')).toBeInTheDocument();
  });
});
