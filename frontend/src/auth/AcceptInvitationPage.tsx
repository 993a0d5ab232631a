import { useReducer, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Button, TextField } from '../components/ui';
import type { AcceptInvitationMutation, AcceptInvitationMutationVariables } from '../graphql/generated';
import { useMutation } from '../graphql/hooks';
import { ACCEPT_INVITATION_MUTATION } from '../graphql/operations';
import { authErrorMessage, splitErrors } from './authErrors';
import { AuthLayout } from './AuthLayout';
import { SecondFactorSteps, STEP_TITLES } from './AuthFlow';
import { initialLoginState, loginReducer } from './loginMachine';
import { useViewer } from './ViewerContext';
import { useDocumentTitle } from '../lib/useDocumentTitle';

const MIN_PASSWORD = 8;

export function AcceptInvitationPage() {
  useDocumentTitle('Accept invitation');
  const { token = '' } = useParams();
  const [state, dispatch] = useReducer(loginReducer, initialLoginState);

  if (state.step !== 'credentials') {
    const { title, subtitle } = STEP_TITLES[state.step];
    return (
      <AuthLayout title={title} subtitle={subtitle} wide={state.step === 'otpEnrol'}>
        <SecondFactorSteps state={state} dispatch={dispatch} />
      </AuthLayout>
    );
  }
  return (
    <AuthLayout title="Accept your invitation" subtitle="Create your account to access your company’s portal.">
      <InvitationForm token={token} onNextStep={(nextStep) => dispatch({ type: 'NEXT_STEP', nextStep })} />
    </AuthLayout>
  );
}

function InvitationForm({ token, onNextStep }: { token: string; onNextStep: (s: AcceptInvitationMutation['acceptInvitation']['nextStep']) => void }) {
  const { setViewer } = useViewer();
  const [fullName, setFullName] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [invalidInvitation, setInvalidInvitation] = useState(false);
  const [accept, { loading, error }] = useMutation<AcceptInvitationMutation, AcceptInvitationMutationVariables>(
    ACCEPT_INVITATION_MUTATION,
  );

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const fe: Record<string, string> = {};
    if (!fullName.trim()) fe['fullName'] = 'Enter your full name.';
    if (!password) fe['password'] = 'Choose a password.';
    else if (password.length < MIN_PASSWORD) fe['password'] = `Use at least ${MIN_PASSWORD} characters.`;
    if (password && confirm !== password) fe['confirm'] = 'The passwords don’t match.';
    setFieldErrors(fe);
    setGeneral([]);
    if (Object.keys(fe).length) return;

    const data = await accept({ input: { token, fullName: fullName.trim(), password } });
    if (!data) return;
    const p = data.acceptInvitation;
    if (p.errors.length > 0) {
      setInvalidInvitation(p.errors.some((x) => x.code === 'INVALID_INVITATION'));
      const weak = p.errors.filter((x) => x.code === 'WEAK_PASSWORD' && !x.field).map((x) => ({ ...x, field: 'password' }));
      const rest = p.errors.filter((x) => !(x.code === 'WEAK_PASSWORD' && !x.field));
      const { fields, general: g } = splitErrors([...weak, ...rest], ['fullName', 'password', 'token'], authErrorMessage);
      if (fields['token']) g.unshift(fields['token']);
      setFieldErrors(fields);
      setGeneral(g);
      return;
    }
    if (p.viewer) setViewer(p.viewer);
    onNextStep(p.nextStep ?? 'SIGNED_IN');
  }

  if (invalidInvitation) {
    return (
      <div className="stack">
        <Alert title="This invitation can’t be used">
          The link is invalid, has expired or was already used. Ask whoever invited you to send a new invitation.
        </Alert>
        <Link className="btn btn-secondary btn-block" to="/login">
          Go to sign in
        </Link>
      </div>
    );
  }

  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      {general.length > 0 && <Alert>{general.join(' ')}</Alert>}
      {error && <Alert>{error.message}</Alert>}
      <TextField
        label="Full name"
        autoComplete="name"
        value={fullName}
        onChange={(e) => setFullName(e.target.value)}
        error={fieldErrors['fullName']}
        data-testid="invite-fullname"
      />
      <TextField
        label="Password"
        type="password"
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={fieldErrors['password']}
        hint={`At least ${MIN_PASSWORD} characters. Already have an account? Enter your current password.`}
        data-testid="invite-password"
      />
      <TextField
        label="Confirm password"
        type="password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
        error={fieldErrors['confirm']}
        data-testid="invite-password-confirm"
      />
      <Button type="submit" variant="primary" loading={loading} className="btn-block" data-testid="invite-submit">
        Create account
      </Button>
      <p className="muted small center">
        Already have an account? <Link to="/login">Sign in</Link>
      </p>
    </form>
  );
}
