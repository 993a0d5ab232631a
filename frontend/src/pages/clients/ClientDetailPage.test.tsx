import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import type { ViewerFieldsFragment } from '../../graphql/generated';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { ClientDetailPage, clientArchiveUrl } from './ClientDetailPage';

afterEach(() => vi.unstubAllGlobals());

const CLIENT = {
  id: 'C1',
  slug: 'acme',
  name: 'Acme Dental',
  industry: 'HEALTHCARE',
  tier: 'STANDARD',
  status: 'OFFBOARDED',
  timezone: 'Europe/London',
  requireTwoFactor: false,
  createdAt: '2026-01-01T00:00:00Z',
  portalUrl: 'https://acme.portal.example/',
  memberCount: 0,
  contactCount: 0,
  accountManager: null,
  itLeads: [],
  members: [],
};

function renderAs(viewer: ViewerFieldsFragment) {
  const api = mockGraphQL({
    Client: () => ({ client: CLIENT }),
    ClientHistory: () => ({
      client: {
        id: 'C1',
        history: [
          {
            at: '2026-03-01T09:00:00Z',
            kind: 'changed',
            subject: 'Client',
            label: 'Acme Dental',
            actorName: 'Ada Admin',
            changes: [{ field: 'status', before: 'active', after: 'offboarded' }],
          },
        ],
      },
    }),
  });
  render(
    <MemoryRouter initialEntries={['/clients/acme']}>
      <StaticViewerProvider viewer={viewer}>
        <Routes>
          <Route path="/clients/:slug" element={<ClientDetailPage />} />
        </Routes>
      </StaticViewerProvider>
    </MemoryRouter>,
  );
  return api;
}

describe('Client page: data export and history', () => {
  it('an MSP admin can download all of the client’s data and read who offboarded it', async () => {
    renderAs(makeViewer({ mspRole: 'ADMIN' }));
    const link = await screen.findByTestId('client-export');
    expect(link).toHaveAttribute('href', '/exports/clients/acme.zip');
    expect(link).toHaveAttribute('download');
    await userEvent.click(screen.getByRole('button', { name: 'Show history' }));
    expect(await screen.findByText('status: active → offboarded')).toBeInTheDocument();
    expect(screen.getByRole('list', { name: 'Change history' })).toHaveTextContent('Ada Admin');
  });

  it('other staff see the history but get no download link', async () => {
    renderAs(makeViewer({ mspRole: 'TECHNICIAN' }));
    expect(await screen.findByTestId('client-name')).toHaveTextContent('Acme Dental');
    expect(screen.queryByTestId('client-export')).toBeNull();
    expect(screen.getByRole('button', { name: 'Show history' })).toBeInTheDocument();
  });

  it('escapes the slug in the download address', () => {
    expect(clientArchiveUrl('a b')).toBe('/exports/clients/a%20b.zip');
  });
});
