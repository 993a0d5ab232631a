import { render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes } from 'react-router';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { CompanyPage } from './CompanyPage';

afterEach(() => vi.unstubAllGlobals());

describe('CompanyPage on another company’s portal host', () => {
  it('links to her own portals instead of looping on “Company not found”', async () => {
    const api = mockGraphQL({});
    const viewer = makeViewer({
      isMspStaff: false,
      mspRole: null,
      onClientPortal: true,
      currentClient: null,
      memberships: [
        { role: 'MEMBER', client: { slug: 'alpha', name: 'Alpha Health', portalUrl: 'https://alpha.portal.example/' } },
        { role: 'IT_LEAD', client: { slug: 'bravo', name: 'Bravo Legal', portalUrl: 'https://bravo.portal.example/' } },
      ],
    });
    render(
      <MemoryRouter initialEntries={['/company']}>
        <StaticViewerProvider viewer={viewer}>
          <Routes>
            <Route path="/company" element={<CompanyPage />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    expect(await screen.findByText('This isn’t your company’s portal')).toBeInTheDocument();
    const links = within(screen.getByTestId('own-portals')).getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://alpha.portal.example/company',
      'https://bravo.portal.example/company',
    ]);
    expect(api.ops()).toEqual([]); // no query that can only fail
  });

  it('on her own company’s host with its portal suspended, shows why instead', async () => {
    const here = window.location.origin + '/';
    mockGraphQL({
      Client: () => ({
        __errors: [{ message: "Alpha Health's portal is suspended. Contact your MSP if this is unexpected.", extensions: { code: 'CLIENT_INACTIVE' } }],
      }),
    });
    const viewer = makeViewer({
      isMspStaff: false,
      mspRole: null,
      onClientPortal: true,
      currentClient: null,
      memberships: [{ role: 'MEMBER', client: { slug: 'alpha', name: 'Alpha Health', portalUrl: here } }],
    });
    render(
      <MemoryRouter initialEntries={['/company']}>
        <StaticViewerProvider viewer={viewer}>
          <Routes>
            <Route path="/company" element={<CompanyPage />} />
          </Routes>
        </StaticViewerProvider>
      </MemoryRouter>,
    );
    expect(await screen.findByText(/Alpha Health's portal is suspended/)).toBeInTheDocument();
    expect(screen.queryByText('This isn’t your company’s portal')).toBeNull();
  });
});
