import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation, useNavigate } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { ClientsPage } from './ClientsPage';
import { EMPTY_FILTERS, PAGE_SIZE, filtersToParams, filtersToVariables, parseFilters, type ClientFilters } from './filters';

describe('parseFilters / filtersToParams', () => {
  it('round-trips every filter through the query string', () => {
    const f: ClientFilters = { search: 'acme dental', industry: 'HEALTHCARE', tier: 'PREMIUM', status: 'ACTIVE', accountManagerId: 'U3RhZmY6Mg==' };
    const params = filtersToParams(f);
    expect(params.toString()).toBe('q=acme+dental&industry=HEALTHCARE&tier=PREMIUM&status=ACTIVE&am=U3RhZmY6Mg%3D%3D');
    expect(parseFilters(params)).toEqual(f);
  });

  it('omits empty filters and keeps unrelated parameters', () => {
    const params = filtersToParams({ ...EMPTY_FILTERS, tier: 'STANDARD' }, new URLSearchParams('q=old&tab=people'));
    expect(params.toString()).toBe('tab=people&tier=STANDARD');
  });

  it('ignores unknown enum values and trims the search', () => {
    expect(parseFilters(new URLSearchParams('q=%20%20acme%20&industry=SPACE&tier=gold&status=active&am='))).toEqual({
      ...EMPTY_FILTERS,
      search: 'acme',
    });
  });

  it('builds query variables with only the active filters', () => {
    expect(filtersToVariables(EMPTY_FILTERS)).toEqual({ first: PAGE_SIZE });
    expect(filtersToVariables({ ...EMPTY_FILTERS, search: 'x', status: 'SUSPENDED' }, 'cursor1')).toEqual({
      first: 25,
      after: 'cursor1',
      search: 'x',
      status: 'SUSPENDED',
    });
  });
});

// --------------------------------------------------------------- page ⇄ URL

function Where() {
  const loc = useLocation();
  return <div data-testid="location">{loc.search}</div>;
}

let navigateRef: ReturnType<typeof useNavigate> | null = null;
function GrabNavigate() {
  navigateRef = useNavigate();
  return null;
}

const client = (slug: string) => ({
  id: `C-${slug}`,
  slug,
  name: slug.toUpperCase(),
  industry: 'LEGAL',
  tier: 'STANDARD',
  status: 'ACTIVE',
  createdAt: '2024-05-01T10:00:00Z',
  memberCount: 3,
  accountManager: null,
});

function renderPage(initial: string) {
  const api = mockGraphQL({
    Clients: (vars) => ({
      clients: {
        totalCount: 1,
        pageInfo: { hasNextPage: false, endCursor: null },
        edges: [{ cursor: 'c1', node: client(String(vars['search'] ?? 'acme')) }],
      },
    }),
    AccountManagers: () => ({
      accountManagers: [{ id: 'AM1', fullName: 'Alex Manager', email: 'alex@msp.example', mspRole: 'ACCOUNT_MANAGER' }],
    }),
  });
  render(
    <MemoryRouter initialEntries={[initial]}>
      <StaticViewerProvider viewer={makeViewer()}>
        <Routes>
          <Route
            path="/clients"
            element={
              <>
                <ClientsPage />
                <Where />
                <GrabNavigate />
              </>
            }
          />
        </Routes>
      </StaticViewerProvider>
    </MemoryRouter>,
  );
  const clientsCalls = () => api.calls.filter((c) => c.operationName === 'Clients').map((c) => c.variables);
  return { api, clientsCalls };
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('ClientsPage filters ⇄ URL', () => {
  it('initialises the controls and the query from the URL', async () => {
    const { clientsCalls } = renderPage('/clients?q=acme&tier=PREMIUM&status=ONBOARDING&am=AM1');
    expect(await screen.findByTestId('client-row-acme')).toBeInTheDocument();
    expect(screen.getByTestId('clients-search')).toHaveValue('acme');
    expect(screen.getByTestId('filter-tier')).toHaveValue('PREMIUM');
    expect(screen.getByTestId('filter-status')).toHaveValue('ONBOARDING');
    await waitFor(() => expect(screen.getByTestId('filter-account-manager')).toHaveValue('AM1'));
    expect(clientsCalls()[0]).toEqual({ first: 25, search: 'acme', tier: 'PREMIUM', status: 'ONBOARDING', accountManagerId: 'AM1' });
  });

  it('changing a filter updates the URL and refetches', async () => {
    const user = userEvent.setup();
    const { clientsCalls } = renderPage('/clients');
    await screen.findByTestId('client-row-acme');
    await user.selectOptions(screen.getByTestId('filter-industry'), 'HEALTHCARE');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('?industry=HEALTHCARE'));
    await waitFor(() => expect(clientsCalls().at(-1)).toEqual({ first: 25, industry: 'HEALTHCARE' }));
    await user.selectOptions(screen.getByTestId('filter-industry'), '');
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^$/));
  });

  it('debounces the search box before writing it to the URL', async () => {
    const user = userEvent.setup();
    const { clientsCalls } = renderPage('/clients');
    await screen.findByTestId('client-row-acme');
    await user.type(screen.getByTestId('clients-search'), 'glob');
    // Not yet: typing is debounced.
    expect(screen.getByTestId('location')).toHaveTextContent(/^$/);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('?q=glob'));
    await screen.findByTestId('client-row-glob');
    // One request for the initial load, one for the final search term — none per keystroke.
    expect(clientsCalls().map((v) => v['search'] ?? null)).toEqual([null, 'glob']);
  });

  it('follows the URL when it changes from outside (back/forward)', async () => {
    renderPage('/clients?q=acme');
    await screen.findByTestId('client-row-acme');
    act(() => navigateRef?.('/clients?q=zeta&tier=ESSENTIAL'));
    await waitFor(() => expect(screen.getByTestId('clients-search')).toHaveValue('zeta'));
    expect(screen.getByTestId('filter-tier')).toHaveValue('ESSENTIAL');
    expect(await screen.findByTestId('client-row-zeta')).toBeInTheDocument();
  });
});
