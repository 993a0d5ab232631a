import { useEffect, useReducer, useState, type FormEvent } from 'react';
import { Navigate, useSearchParams } from 'react-router';
import { Alert, Button, TextField } from '../components/ui';
import type { AuthErrorCode, LoginMutation, LoginMutationVariables } from '../graphql/generated';
import { useMutation } from '../graphql/hooks';
import { LOGIN_MUTATION } from '../graphql/operations';
import { authErrorMessage, splitErrors } from './authErrors';
import { AuthLayout } from './AuthLayout';
import { SecondFactorSteps, STEP_TITLES, SwitchAccount } from './AuthFlow';
import { loginReducer, stateForViewer, type LoginEvent } from './loginMachine';
import { homePath, safeNext } from './roles';
import { useViewer } from './ViewerContext';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import './portalRefusal.css';

export function LoginPage() {
  useDocumentTitle('Sign in');
  const { viewer } = useViewer();
  const [params] = useSearchParams();
  const next = params.get('next');
  // Someone with a half-finished session (password ok, 2FA pending) resumes at the 2FA step.
  const [state, dispatch] = useReducer(loginReducer, viewer, (v) => {
    const s = stateForViewer(v);
    return s.step === 'done' ? { step: 'credentials' as const } : s;
  });

  // The session may turn out to be half signed in after the first render (viewer arrived late).
  const pending = viewer && viewer.otpRequired && !viewer.otpVerified ? (viewer.otpEnrolled ? 'OTP_VERIFY' : 'OTP_ENROL') : null;
  useEffect(() => {
    if (state.step === 'credentials' && pending) dispatch({ type: 'NEXT_STEP', nextStep: pending });
  }, [state.step, pending]);

  // Already fully signed in and not in the middle of the flow: go home.
  if (state.step === 'credentials' && viewer && !(viewer.otpRequired && !viewer.otpVerified)) {
    return <Navigate to={safeNext(next) ?? homePath(viewer)} replace />;
  }

  const { title, subtitle } = STEP_TITLES[state.step];
  return (
    <AuthLayout
      title={title}
      subtitle={subtitle}
      wide={state.step === 'otpEnrol'}
      footer={
        state.step === 'otpVerify' || state.step === 'otpEnrol' ? (
          <SwitchAccount onReset={() => dispatch({ type: 'RESET' })} />
        ) : (
          <span>Trouble signing in? Contact your MSP’s service desk.</span>
        )
      }
    >
      {state.step === 'credentials' ? (
        <CredentialsForm dispatch={dispatch} />
      ) : (
        <SecondFactorSteps state={state} dispatch={dispatch} next={next} />
      )}
    </AuthLayout>
  );
}

/** Codes for a right password at the wrong portal: the server names where to go instead. */
const PORTAL_REFUSALS: readonly AuthErrorCode[] = ['WRONG_PORTAL', 'STAFF_ON_CLIENT_PORTAL', 'CLIENT_INACTIVE'];

type Refusal = { message: string; portals: LoginMutation['login']['portals'] };

/** "This isn't your portal": the message and a link to each place she may sign in instead. */
function PortalRefusal({ refusal }: { refusal: Refusal }) {
  const { message, portals } = refusal;
  return (
    <div className="stack portal-refusal" data-testid="portal-refusal">
      <Alert tone="warning" title="Sign in somewhere else">
        {message}
      </Alert>
      {portals.length === 1 && portals[0] ? (
        <a className="btn btn-primary btn-block" href={portals[0].url} data-testid="portal-link">
          Go to {portals[0].name}
        </a>
      ) : portals.length > 1 ? (
        <nav aria-label="Your portals">
          <p className="small muted">Choose where to sign in:</p>
          <ul className="portal-choices">
            {portals.map((p) => (
              <li key={p.url}>
                <a className="btn btn-secondary btn-block" href={p.url} data-testid="portal-link">
                  {p.name}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      ) : null}
    </div>
  );
}

function CredentialsForm({ dispatch }: { dispatch: (e: LoginEvent) => void }) {
  const { setViewer } = useViewer();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [login, { loading, error }] = useMutation<LoginMutation, LoginMutationVariables>(LOGIN_MUTATION);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const fe: Record<string, string> = {};
    if (!email.trim()) fe['email'] = 'Enter your email address.';
    if (!password) fe['password'] = 'Enter your password.';
    setFieldErrors(fe);
    setGeneral([]);
    setRefusal(null);
    if (Object.keys(fe).length) return;

    const data = await login({ input: { email: email.trim(), password } });
    if (!data) return; // transport error shown below
    const p = data.login;
    const wrongPortal = p.errors.find((x) => PORTAL_REFUSALS.includes(x.code));
    if (wrongPortal) {
      setRefusal({ message: wrongPortal.message, portals: p.portals });
      setPassword('');
      return;
    }
    if (p.errors.length > 0) {
      // Credential errors are deliberately shown as one general message (don't hint which part was wrong).
      const { fields, general: g } = splitErrors(
        p.errors.filter((x) => x.code !== 'INVALID_CREDENTIALS' && x.code !== 'LOCKED_OUT'),
        ['email', 'password'],
        authErrorMessage,
      );
      const top = p.errors.filter((x) => x.code === 'INVALID_CREDENTIALS' || x.code === 'LOCKED_OUT').map(authErrorMessage);
      setFieldErrors(fields);
      setGeneral([...new Set([...top, ...g])]);
      setPassword('');
      return;
    }
    if (p.viewer) setViewer(p.viewer);
    dispatch({ type: 'NEXT_STEP', nextStep: p.nextStep ?? (p.viewer ? 'SIGNED_IN' : null) });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      {refusal && <PortalRefusal refusal={refusal} />}
      {general.length > 0 && <Alert>{general.join(' ')}</Alert>}
      {error && <Alert>{error.message}</Alert>}
      <TextField
        label="Email"
        type="email"
        autoComplete="username"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={fieldErrors['email']}
        // A page with one job and nothing to read before the form: start in its first field.
        // eslint-disable-next-line jsx-a11y/no-autofocus
        autoFocus
        data-testid="login-email"
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldErrors['password']}
        data-testid="login-password"
      />
      <Button type="submit" variant="primary" loading={loading} className="btn-block" data-testid="login-submit">
        Sign in
      </Button>
    </form>
  );
}
