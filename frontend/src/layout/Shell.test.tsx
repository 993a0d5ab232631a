import type { ReactNode } from 'react';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { useViewer, ViewerProvider } from '../auth/ViewerContext';
import { SESSION_PROBLEM_EVENT } from '../graphql/client';
import type { ViewerFieldsFragment } from '../graphql/generated';
import { makeViewer, mockGraphQL } from '../test/mockGraphQL';
import { RequireViewer } from './guards';
import { usePublishPageClient } from './pageClient';
import { Shell } from './Shell';

afterEach(() => vi.unstubAllGlobals());

function Where() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + loc.search}</div>;
}

/** A ticket page stand-in: it names its client for the top bar, as TicketPage does with its data. */
function TicketStub() {
  usePublishPageClient({ slug: 'acme', name: 'Acme Dental (from the page)' });
  return <div data-testid="page">a ticket</div>;
}

/** Like <App>: routes render once the first viewer answer is in. */
function Booted({ children }: { children: ReactNode }) {
  const { loading } = useViewer();
  return loading ? null : <>{children}</>;
}

function renderApp(initial: string) {
  return render(
    <MemoryRouter initialEntries={[initial]}>
      <ViewerProvider>
        <Booted>
          <Routes>
            <Route path="/login" element={<Where />} />
            <Route
              element={
                <RequireViewer>
                  <Shell />
                </RequireViewer>
              }
            >
              <Route path="/tickets/:clientSlug/:number" element={<TicketStub />} />
              <Route path="*" element={<div data-testid="page">a private page</div>} />
            </Route>
          </Routes>
        </Booted>
      </ViewerProvider>
    </MemoryRouter>,
  );
}

describe('Shell sign out', () => {
  it('goes to plain /login (no ?next= back to the previous person’s page)', async () => {
    let viewer: ViewerFieldsFragment | null = makeViewer();
    const api = mockGraphQL({
      Viewer: () => ({ viewer }),
      Logout: () => {
        viewer = null;
        return { logout: { ok: true } };
      },
    });
    const user = userEvent.setup();
    renderApp('/tickets/acme/42?tab=time');
    await screen.findByTestId('page');
    await user.click(screen.getByTestId('sign-out'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/login$/));
    expect(api.ops()).toContain('Logout');
    // And it stays there: once every request made so far has been answered and React has
    // rendered the results, nothing has re-added ?next= (no sleeping: wait for the work itself).
    await act(async () => {
      await Promise.allSettled(api.fetchMock.mock.results.map((r) => r.value));
    });
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/login$/);
  });

  it('still goes to plain /login when the sign-out request fails', async () => {
    mockGraphQL({
      Viewer: () => ({ viewer: makeViewer() }),
      Logout: () => ({ __errors: [{ message: 'Server error' }] }),
    });
    const user = userEvent.setup();
    renderApp('/clients/acme');
    await screen.findByTestId('page');
    await user.click(screen.getByTestId('sign-out'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/login$/));
  });

  it('a session that ends on its own still comes back to the page after signing in (?next=)', async () => {
    let viewer: ViewerFieldsFragment | null = makeViewer();
    mockGraphQL({ Viewer: () => ({ viewer }) });
    renderApp('/clients/acme');
    await screen.findByTestId('page');
    viewer = null;
    window.dispatchEvent(new CustomEvent(SESSION_PROBLEM_EVENT));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/login?next=%2Fclients%2Facme'));
  });
});

describe('Staff top bar context', () => {
  const names: Record<string, string> = { acme: 'Acme Dental', globex: 'Globex' };
  const handlers = {
    Viewer: () => ({ viewer: makeViewer() }),
    TopbarClient: (v: Record<string, unknown>) => ({ client: { id: `C-${String(v['slug'])}`, slug: v['slug'], name: names[String(v['slug'])] } }),
  };

  it('names the client a ticket belongs to, linked to the client’s page, from the ticket page’s own request', async () => {
    const api = mockGraphQL(handlers);
    renderApp('/tickets/acme/42');
    const link = await screen.findByTestId('topbar-client');
    await waitFor(() => expect(link).toHaveTextContent('Acme Dental (from the page)'));
    expect(link).toHaveAttribute('href', '/clients/acme');
    expect(api.ops()).not.toContain('TopbarClient');
  });

  it('asks for the client’s name itself on a client page', async () => {
    const api = mockGraphQL(handlers);
    renderApp('/clients/acme');
    await waitFor(() => expect(screen.getByTestId('topbar-client')).toHaveTextContent('Acme Dental'));
    expect(api.calls.find((c) => c.operationName === 'TopbarClient')?.variables).toEqual({ slug: 'acme' });
  });

  it('names the client the queue is filtered by, and the workspace otherwise', async () => {
    mockGraphQL(handlers);
    renderApp('/queue?client=globex');
    await waitFor(() => expect(screen.getByTestId('topbar-client')).toHaveTextContent('Globex'));
    cleanup();
    mockGraphQL(handlers);
    renderApp('/queue');
    expect(await screen.findByTestId('topbar-context')).toHaveTextContent('MSP workspace all your clients');
    expect(screen.queryByTestId('topbar-client')).toBeNull();
  });

  it('client users keep their company name (no staff context)', async () => {
    const company = { slug: 'acme', name: 'Acme Dental', portalUrl: 'https://acme.portal.example/' };
    mockGraphQL({ Viewer: () => ({ viewer: makeViewer({ isMspStaff: false, mspRole: null, memberships: [{ role: 'MEMBER', client: company }], currentClient: company }) }) });
    renderApp('/requests');
    await screen.findByTestId('page');
    expect(screen.queryByTestId('topbar-context')).toBeNull();
    expect(document.querySelector('.topbar-left')).toHaveTextContent('Acme Dental');
  });
});

