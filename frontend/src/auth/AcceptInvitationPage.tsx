import { useReducer, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { Alert, Button, Skeleton, TextField } from '../components/ui';
import type {
  AcceptInvitationMutation,
  AcceptInvitationMutationVariables,
  InvitationPreviewQuery,
  InvitationPreviewQueryVariables,
} from '../graphql/generated';
import { useMutation, useQuery } from '../graphql/hooks';
import { ACCEPT_INVITATION_MUTATION, INVITATION_PREVIEW_QUERY } from '../graphql/operations';
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
  // Before any form: can this link be used, and for which company and name?
  const preview = useQuery<InvitationPreviewQuery, InvitationPreviewQueryVariables>(INVITATION_PREVIEW_QUERY, { token }, { skip: !token });
  const invitation = preview.data?.invitation;

  if (state.step !== 'credentials') {
    const { title, subtitle } = STEP_TITLES[state.step];
    return (
      <AuthLayout title={title} subtitle={subtitle} wide={state.step === 'otpEnrol'}>
        <SecondFactorSteps state={state} dispatch={dispatch} />
      </AuthLayout>
    );
  }
  if (!token || (invitation && !invitation.usable)) {
    return (
      <AuthLayout title="This invitation can’t be used">
        <UnusableInvitation />
      </AuthLayout>
    );
  }
  if (!invitation) {
    return (
      <AuthLayout title="Accept your invitation">
        {preview.error ? (
          <Alert
            title="Couldn’t check this invitation"
            action={
              <Button size="sm" onClick={() => void preview.refetch()}>
                Retry
              </Button>
            }
          >
            {preview.error.message}
          </Alert>
        ) : (
          <div className="stack-sm" aria-busy="true" aria-label="Checking the invitation">
            <Skeleton width="80%" />
            <Skeleton width="60%" />
          </div>
        )}
      </AuthLayout>
    );
  }
  return (
    <AuthLayout
      title={invitation.companyName ? `Join ${invitation.companyName}` : 'Accept your invitation'}
      subtitle={
        invitation.companyName
          ? `Create your account for ${invitation.companyName}’s IT portal.`
          : 'Create your account to access your company’s portal.'
      }
    >
      <InvitationForm
        token={token}
        invitedName={invitation.fullName ?? ''}
        onNextStep={(nextStep) => dispatch({ type: 'NEXT_STEP', nextStep })}
      />
    </AuthLayout>
  );
}

function UnusableInvitation() {
  return (
    <div className="stack" data-testid="invitation-unusable">
      <Alert title="This invitation link can’t be used">
        It is invalid, has expired or was already used. Ask whoever invited you to send a new invitation.
      </Alert>
      <Link className="btn btn-secondary btn-block" to="/login">
        Go to sign in
      </Link>
    </div>
  );
}

function InvitationForm({
  token,
  invitedName,
  onNextStep,
}: {
  token: string;
  invitedName: string;
  onNextStep: (s: AcceptInvitationMutation['acceptInvitation']['nextStep']) => void;
}) {
  const { setViewer } = useViewer();
  // Pre-filled with the name the inviter typed; the person may correct it.
  const [fullName, setFullName] = useState(invitedName);
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

  if (invalidInvitation) return <UnusableInvitation />;

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
