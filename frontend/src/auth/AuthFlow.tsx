import { useEffect, useRef, type Dispatch } from 'react';
import { useNavigate } from 'react-router';
import { useMutation } from '../graphql/hooks';
import type { LogoutMutation } from '../graphql/generated';
import { LOGOUT_MUTATION } from '../graphql/operations';
import { Spinner } from '../components/ui';
import type { LoginEvent, LoginState } from './loginMachine';
import { homePath, safeNext } from './roles';
import { BackupCodesStep, OtpEnrolStep, OtpVerifyStep } from './SecondFactor';
import { useViewer } from './ViewerContext';

export const STEP_TITLES: Record<LoginState['step'], { title: string; subtitle?: string }> = {
  credentials: { title: 'Sign in', subtitle: 'Use the email address your MSP or IT lead invited.' },
  otpVerify: { title: 'Two-factor authentication', subtitle: 'One more step to confirm it’s you.' },
  otpEnrol: { title: 'Set up two-factor authentication', subtitle: 'Your account requires a second factor before you can continue.' },
  backupCodes: { title: 'Your backup codes' },
  done: { title: 'Signing you in…' },
};

/** Renders the post-password steps of the machine and finishes the sign-in when `done`. */
export function SecondFactorSteps({
  state,
  dispatch,
  next,
}: {
  state: LoginState;
  dispatch: Dispatch<LoginEvent>;
  next?: string | null;
}) {
  switch (state.step) {
    case 'otpVerify':
      return <OtpVerifyStep dispatch={dispatch} />;
    case 'otpEnrol':
      return <OtpEnrolStep state={state} dispatch={dispatch} />;
    case 'backupCodes':
      return <BackupCodesStep codes={state.codes} dispatch={dispatch} />;
    case 'done':
      return <FinishSignIn next={next} />;
    default:
      return null;
  }
}

function FinishSignIn({ next }: { next?: string | null | undefined }) {
  const { refresh, viewer } = useViewer();
  const navigate = useNavigate();
  const ran = useRef(false);
  useEffect(() => {
    if (ran.current) return;
    ran.current = true;
    void (async () => {
      // Refetch so memberships (hidden until 2FA passes) are up to date.
      const fresh = (await refresh()) ?? viewer;
      navigate(safeNext(next) ?? (fresh ? homePath(fresh) : '/'), { replace: true });
    })();
  }, [refresh, viewer, navigate, next]);
  return (
    <div className="center-pad">
      <Spinner size={20} label="Signing you in" />
    </div>
  );
}

/** "Not you? Sign out" for the 2FA steps. The next person starts at plain /login (no `?next=`). */
export function SwitchAccount({ onReset }: { onReset: () => void }) {
  const { markSignedOut } = useViewer();
  const navigate = useNavigate();
  const [logout, { loading }] = useMutation<LogoutMutation>(LOGOUT_MUTATION);
  return (
    <button
      type="button"
      className="link-btn"
      disabled={loading}
      onClick={async () => {
        await logout();
        markSignedOut();
        onReset();
        navigate('/login', { replace: true });
      }}
    >
      Sign in with a different account
    </button>
  );
}
