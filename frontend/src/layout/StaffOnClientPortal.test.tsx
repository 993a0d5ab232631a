import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes } from 'react-router';
import type { ReactNode } from 'react';
import { useViewer, ViewerProvider } from '../auth/ViewerContext';
import type { ViewerFieldsFragment } from '../graphql/generated';
import { makeViewer, mockGraphQL } from '../test/mockGraphQL';
import { RequireViewer } from './guards';

afterEach(() => vi.unstubAllGlobals());

/** Like App: routes render once the first viewer answer is in. */
function Loaded({ children }: { children: ReactNode }) {
  const { loading } = useViewer();
  return loading ? null : <>{children}</>;
}

function renderAt(viewer: ViewerFieldsFragment | null, handlers: Parameters<typeof mockGraphQL>[0] = {}) {
  let current = viewer;
  const api = mockGraphQL({
    Viewer: () => ({ viewer: current }),
    Logout: () => {
      current = null;
      return { logout: { ok: true } };
    },
    ...handlers,
  });
  render(
    <MemoryRouter initialEntries={['/queue']}>
      <ViewerProvider>
        <Loaded>
          <Routes>
            <Route
              path="/queue"
              element={
                <RequireViewer>
                  <div data-testid="staff-screen">Queue</div>
                </RequireViewer>
              }
            />
            <Route path="/login" element={<div data-testid="login-page">Sign in</div>} />
          </Routes>
        </Loaded>
      </ViewerProvider>
    </MemoryRouter>,
  );
  return api;
}

describe('Staff on a client’s portal host', () => {
  it('get a page that links to the client in the MSP workspace instead of a broken staff screen', async () => {
    const api = renderAt(
      makeViewer({
        onClientPortal: true,
        mspWorkspaceUrl: 'https://msp.example/',
        currentClient: { slug: 'alpha', name: 'Alpha Health', portalUrl: 'https://alpha.portal.example/' },
      }),
    );
    expect(await screen.findByTestId('staff-on-client-portal')).toHaveTextContent('Staff work in the MSP workspace');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Alpha Health’s portal');
    const link = screen.getByTestId('workspace-link');
    expect(link).toHaveAttribute('href', 'https://msp.example/clients/alpha');
    expect(link).toHaveTextContent('Open Alpha Health in the MSP workspace');
    expect(screen.queryByTestId('staff-screen')).toBeNull();
    expect(api.ops()).toEqual(['Viewer']); // no staff query is even tried
  });

  it('for a client they do not reach, link to the workspace home; and they can sign out', async () => {
    const user = userEvent.setup();
    renderAt(makeViewer({ onClientPortal: true, mspWorkspaceUrl: 'https://msp.example/', currentClient: null }));
    expect(await screen.findByTestId('workspace-link')).toHaveAttribute('href', 'https://msp.example/');
    await user.click(screen.getByTestId('staff-portal-sign-out'));
    await waitFor(() => expect(screen.getByTestId('login-page')).toBeInTheDocument());
  });

  it('on the MSP host staff get their screens as before', async () => {
    renderAt(makeViewer({ onClientPortal: false, mspWorkspaceUrl: 'https://msp.example/' }));
    expect(await screen.findByTestId('staff-screen')).toBeInTheDocument();
  });
});
