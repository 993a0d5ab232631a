import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { makeViewer, mockGraphQL } from '../test/mockGraphQL';
import { AcceptInvitationPage } from './AcceptInvitationPage';
import { ViewerProvider } from './ViewerContext';

afterEach(() => vi.unstubAllGlobals());

function Where() {
  return <div data-testid="location">{useLocation().pathname}</div>;
}

function renderInvite(token = 'tok-123') {
  render(
    <MemoryRouter initialEntries={[`/invite/${token}`]}>
      <ViewerProvider>
        <Routes>
          <Route path="/invite/:token" element={<AcceptInvitationPage />} />
          <Route path="*" element={<Where />} />
        </Routes>
      </ViewerProvider>
    </MemoryRouter>,
  );
}

describe('AcceptInvitationPage', () => {
  it('names the company, pre-fills the invited name and accepts', async () => {
    const accepted: unknown[] = [];
    const api = mockGraphQL({
      Viewer: () => ({ viewer: null }),
      InvitationPreview: (v) => {
        expect(v).toEqual({ token: 'tok-123' });
        return { invitation: { usable: true, companyName: 'Alpha Health', fullName: 'Nia New' } };
      },
      AcceptInvitation: (v) => {
        accepted.push(v);
        const viewer = makeViewer({ isMspStaff: false, mspRole: null, otpRequired: false, otpVerified: false, fullName: 'Nia New' });
        return { acceptInvitation: { viewer, nextStep: 'SIGNED_IN', errors: [] } };
      },
    });
    const user = userEvent.setup();
    renderInvite();
    expect(await screen.findByRole('heading', { level: 1 })).toHaveTextContent('Join Alpha Health');
    expect(screen.getByText('Create your account for Alpha Health’s IT portal.')).toBeInTheDocument();
    expect(screen.getByTestId('invite-fullname')).toHaveValue('Nia New');
    await user.type(screen.getByTestId('invite-password'), 'a-long-new-passphrase');
    await user.type(screen.getByTestId('invite-password-confirm'), 'a-long-new-passphrase');
    await user.click(screen.getByTestId('invite-submit'));
    await waitFor(() => expect(accepted).toHaveLength(1));
    expect(accepted[0]).toEqual({ input: { token: 'tok-123', fullName: 'Nia New', password: 'a-long-new-passphrase' } });
    expect(api.ops()).toContain('InvitationPreview');
  });

  it('says a bad, expired or used link can’t be used before showing any form', async () => {
    const api = mockGraphQL({
      Viewer: () => ({ viewer: null }),
      InvitationPreview: () => ({ invitation: { usable: false, companyName: null, fullName: null } }),
    });
    renderInvite();
    expect(await screen.findByTestId('invitation-unusable')).toHaveTextContent('invalid, has expired or was already used');
    expect(screen.queryByTestId('invite-password')).toBeNull();
    expect(screen.getByRole('link', { name: 'Go to sign in' })).toHaveAttribute('href', '/login');
    expect(api.ops()).not.toContain('AcceptInvitation');
  });

  it('shows no form while the link is being checked', async () => {
    let release: (() => void) | undefined;
    mockGraphQL({
      Viewer: () => ({ viewer: null }),
      InvitationPreview: () => ({ invitation: { usable: true, companyName: 'Alpha Health', fullName: '' } }),
    });
    const fetchMock = globalThis.fetch as ReturnType<typeof vi.fn>;
    const original = fetchMock.getMockImplementation() as (url: unknown, init?: RequestInit) => Promise<Response>;
    fetchMock.mockImplementation(async (url: unknown, init?: RequestInit) => {
      if (String(init?.body).includes('InvitationPreview')) await new Promise<void>((resolve) => (release = resolve));
      return original(url, init);
    });
    renderInvite();
    expect(await screen.findByLabelText('Checking the invitation')).toBeInTheDocument();
    expect(screen.queryByTestId('invite-password')).toBeNull();
    await waitFor(() => expect(release).toBeDefined());
    release!();
    expect(await screen.findByTestId('invite-fullname')).toHaveValue('');
  });
});
