import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import type { ViewerFieldsFragment } from '../graphql/generated';
import { makeViewer, mockGraphQL } from '../test/mockGraphQL';
import { LoginPage } from './LoginPage';
import { ViewerProvider } from './ViewerContext';

function Where() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + loc.search}</div>;
}

function renderLogin(initial = '/login') {
  return render(
    <MemoryRouter initialEntries={[initial]}>
      <ViewerProvider>
        <Routes>
          <Route path="/login" element={<LoginPage />} />
          <Route path="*" element={<Where />} />
        </Routes>
      </ViewerProvider>
    </MemoryRouter>,
  );
}

const authErrorsNone = { errors: [] as unknown[] };

afterEach(() => {
  vi.unstubAllGlobals();
});

async function signIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByTestId('login-email'), 'tess@msp.example');
  await user.type(screen.getByTestId('login-password'), 'correct horse');
  await user.click(screen.getByTestId('login-submit'));
}

describe('LoginPage flow', () => {
  it('SIGNED_IN goes straight to the role home (technician → /queue)', async () => {
    let viewer: ViewerFieldsFragment | null = null;
    const api = mockGraphQL({
      Viewer: () => ({ viewer }),
      Login: (vars) => {
        expect(vars).toEqual({ input: { email: 'tess@msp.example', password: 'correct horse' } });
        viewer = makeViewer();
        return { login: { nextStep: 'SIGNED_IN', viewer, ...authErrorsNone } };
      },
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/queue'));
    expect(api.ops()).toEqual(['Viewer', 'Login', 'Viewer']);
  });

  it('client users land on /company, and ?next= is honoured when safe', async () => {
    const v = makeViewer({ isMspStaff: false, mspRole: null, otpRequired: false, otpVerified: false });
    let viewer: ViewerFieldsFragment | null = null;
    mockGraphQL({
      Viewer: () => ({ viewer }),
      Login: () => {
        viewer = v;
        return { login: { nextStep: 'SIGNED_IN', viewer: v, errors: [] } };
      },
    });
    const user = userEvent.setup();
    renderLogin('/login?next=%2F%2Fevil.example');
    await signIn(user);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/company'));
  });

  it('shows a clear message for wrong credentials and for lock-outs', async () => {
    let attempt = 0;
    mockGraphQL({
      Viewer: () => ({ viewer: null }),
      Login: () => {
        attempt++;
        const code = attempt === 1 ? 'INVALID_CREDENTIALS' : 'LOCKED_OUT';
        return { login: { nextStep: null, viewer: null, errors: [{ field: null, message: 'server text', code }] } };
      },
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);
    expect(await screen.findByText('Email or password is wrong.')).toBeInTheDocument();
    expect(screen.getByTestId('login-password')).toHaveValue('');
    await user.type(screen.getByTestId('login-password'), 'again');
    await user.click(screen.getByTestId('login-submit'));
    expect(await screen.findByText(/Too many failed attempts.*contact your MSP/)).toBeInTheDocument();
  });

  it('OTP_VERIFY asks for a code, shows INVALID_TOKEN, then signs in', async () => {
    const pending = makeViewer({ otpVerified: false });
    let viewer: ViewerFieldsFragment | null = null;
    const tokens: unknown[] = [];
    mockGraphQL({
      Viewer: () => ({ viewer }),
      Login: () => {
        viewer = pending;
        return { login: { nextStep: 'OTP_VERIFY', viewer: pending, errors: [] } };
      },
      VerifyOtp: ({ token }) => {
        tokens.push(token);
        if (token === '000000') return { verifyOtp: { viewer: null, errors: [{ field: 'token', message: 'bad', code: 'INVALID_TOKEN' }] } };
        viewer = makeViewer();
        return { verifyOtp: { viewer, errors: [] } };
      },
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);

    const code = await screen.findByTestId('otp-code');
    await user.type(code, '000 000');
    await user.click(screen.getByTestId('otp-submit'));
    expect(await screen.findByText(/That code is not valid/)).toBeInTheDocument();

    await user.type(screen.getByTestId('otp-code'), '123456');
    await user.click(screen.getByTestId('otp-submit'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/queue'));
    expect(tokens).toEqual(['000000', '123456']);
  });

  it('accepts a backup code on the verify step', async () => {
    let viewer: ViewerFieldsFragment | null = makeViewer({ otpVerified: false });
    const api = mockGraphQL({
      Viewer: () => ({ viewer }),
      VerifyOtp: ({ token }) => {
        expect(token).toBe('abcd-efgh');
        viewer = makeViewer();
        return { verifyOtp: { viewer, errors: [] } };
      },
    });
    const user = userEvent.setup();
    renderLogin(); // existing half-signed-in session resumes at the 2FA step
    await user.click(await screen.findByRole('button', { name: /use a backup code/i }));
    await user.type(screen.getByTestId('otp-code'), 'abcd-efgh');
    await user.click(screen.getByTestId('otp-submit'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/queue'));
    expect(api.ops()).not.toContain('Login');
  });

  it('OTP_ENROL: starts enrolment once, shows QR + secret, confirms, shows backup codes once', async () => {
    const pending = makeViewer({ otpVerified: false, otpEnrolled: false });
    let viewer: ViewerFieldsFragment | null = null;
    const api = mockGraphQL({
      Viewer: () => ({ viewer }),
      Login: () => {
        viewer = pending;
        return { login: { nextStep: 'OTP_ENROL', viewer: pending, errors: [] } };
      },
      StartOtpEnrolment: () => ({
        startOtpEnrolment: {
          otpauthUri: 'otpauth://totp/Portal:tess?secret=JBSWY3DPEHPK3PXP',
          qrCodeSvg: '<svg data-testid="qr" xmlns="http://www.w3.org/2000/svg"></svg>',
          secret: 'JBSWY3DPEHPK3PXP',
          errors: [],
        },
      }),
      ConfirmOtpEnrolment: ({ token }) => {
        expect(token).toBe('654321');
        viewer = makeViewer();
        return { confirmOtpEnrolment: { viewer, backupCodes: ['1111-aaaa', '2222-bbbb'], errors: [] } };
      },
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);

    expect(await screen.findByTestId('otp-secret')).toHaveTextContent('JBSW Y3DP EHPK 3PXP');
    expect(screen.getByTestId('qr')).toBeInTheDocument();
    await user.type(screen.getByTestId('otp-code'), '654321');
    await user.click(screen.getByTestId('enrol-submit'));

    expect(await screen.findByText('1111-aaaa')).toBeInTheDocument();
    expect(screen.getByText('2222-bbbb')).toBeInTheDocument();
    expect(screen.queryByTestId('location')).toBeNull();
    await user.click(screen.getByTestId('backup-codes-done'));
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/queue'));
    expect(api.ops().filter((o) => o === 'StartOtpEnrolment')).toHaveLength(1);
  });

  it('"Sign in with a different account" drops the previous person’s ?next=', async () => {
    let viewer: ViewerFieldsFragment | null = makeViewer({ otpVerified: false });
    mockGraphQL({
      Viewer: () => ({ viewer }),
      Logout: () => {
        viewer = null;
        return { logout: { ok: true } };
      },
      Login: () => {
        viewer = makeViewer({ id: 'U2', email: 'carla@acme.example', isMspStaff: false, mspRole: null, otpRequired: false, otpVerified: false });
        return { login: { nextStep: 'SIGNED_IN', viewer, errors: [] } };
      },
    });
    const user = userEvent.setup();
    renderLogin('/login?next=%2Fclients%2Facme');
    await user.click(await screen.findByRole('button', { name: /different account/i }));
    await screen.findByTestId('login-email');
    await signIn(user);
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent(/^\/company$/));
  });

  it('shows transport errors (e.g. server down) on the sign-in form', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async (_u: unknown, init?: RequestInit) => {
        if (String(init?.body).includes('query Viewer')) return new Response(JSON.stringify({ data: { viewer: null } }));
        return new Response('oops', { status: 502 });
      }),
    );
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);
    expect(await screen.findByText(/server is unavailable right now \(HTTP 502\)/)).toBeInTheDocument();
  });
});

describe('LoginPage at the wrong portal', () => {
  const refused = (code: string, message: string, portals: { name: string; url: string }[]) => ({
    login: { nextStep: null, viewer: null, portals, errors: [{ field: null, message, code }] },
  });

  it('sends a client user to her own portal instead of signing her in here', async () => {
    const api = mockGraphQL({
      Viewer: () => ({ viewer: null }),
      Login: () => refused('WRONG_PORTAL', "Your account isn't part of Bravo Legal's portal. Sign in at your own company's portal instead.", [
        { name: 'Alpha Health', url: 'https://alpha.portal.example/' },
      ]),
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);
    const refusal = await screen.findByTestId('portal-refusal');
    expect(refusal).toHaveTextContent("Your account isn't part of Bravo Legal's portal.");
    expect(screen.getByTestId('portal-link')).toHaveAttribute('href', 'https://alpha.portal.example/');
    expect(screen.getByTestId('portal-link')).toHaveTextContent('Go to Alpha Health');
    expect(screen.getByTestId('login-password')).toHaveValue('');
    expect(screen.queryByTestId('location')).toBeNull(); // stayed on the sign-in page
    expect(api.ops()).toEqual(['Viewer', 'Login']); // no reload loop
  });

  it('lets someone in several companies choose', async () => {
    mockGraphQL({
      Viewer: () => ({ viewer: null }),
      Login: () => refused('WRONG_PORTAL', "Your account isn't part of Charlie Retail's portal.", [
        { name: 'Alpha Health', url: 'https://alpha.portal.example/' },
        { name: 'Bravo Legal', url: 'https://bravo.portal.example/' },
      ]),
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);
    const choices = within(await screen.findByRole('navigation', { name: 'Your portals' })).getAllByTestId('portal-link');
    expect(choices.map((a) => [a.textContent, a.getAttribute('href')])).toEqual([
      ['Alpha Health', 'https://alpha.portal.example/'],
      ['Bravo Legal', 'https://bravo.portal.example/'],
    ]);
  });

  it('sends staff to the client in the MSP workspace', async () => {
    mockGraphQL({
      Viewer: () => ({ viewer: null }),
      Login: () => refused('STAFF_ON_CLIENT_PORTAL', "This is Alpha Health's portal, for its own people. MSP staff sign in at the MSP workspace.", [
        { name: 'Alpha Health in the MSP workspace', url: 'https://msp.example/clients/alpha' },
      ]),
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);
    expect(await screen.findByTestId('portal-link')).toHaveAttribute('href', 'https://msp.example/clients/alpha');
    expect(screen.getByTestId('portal-refusal')).toHaveTextContent('MSP staff sign in at the MSP workspace.');
  });

  it("says plainly when her company's portal is suspended", async () => {
    mockGraphQL({
      Viewer: () => ({ viewer: null }),
      Login: () => refused('CLIENT_INACTIVE', "Alpha Health's portal is suspended, so you can't sign in to it. Contact your MSP if this is unexpected.", []),
    });
    const user = userEvent.setup();
    renderLogin();
    await signIn(user);
    expect(await screen.findByTestId('portal-refusal')).toHaveTextContent("Alpha Health's portal is suspended");
    expect(screen.queryByTestId('portal-link')).toBeNull();
  });
});
