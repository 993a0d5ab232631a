import { useEffect, useRef, useState, type Dispatch, type FormEvent } from 'react';
import type {
  ConfirmOtpEnrolmentMutation,
  ConfirmOtpEnrolmentMutationVariables,
  StartOtpEnrolmentMutation,
  VerifyOtpMutation,
  VerifyOtpMutationVariables,
} from '../graphql/generated';
import { useMutation } from '../graphql/hooks';
import { CONFIRM_OTP_ENROLMENT_MUTATION, START_OTP_ENROLMENT_MUTATION, VERIFY_OTP_MUTATION } from '../graphql/operations';
import { Alert, Button, CopyButton, Skeleton, Spinner, TextField } from '../components/ui';
import { portalConfig } from '../lib/portalConfig';
import { authErrorMessage } from './authErrors';
import type { LoginEvent, LoginState } from './loginMachine';
import { useViewer } from './ViewerContext';

/** Normalise what people paste: "123 456" → "123456"; backup codes keep their letters. */
export function normaliseCode(raw: string): string {
  return raw.replace(/\s+/g, '').trim();
}

export function OtpVerifyStep({ dispatch }: { dispatch: Dispatch<LoginEvent> }) {
  const { setViewer } = useViewer();
  const [code, setCode] = useState('');
  const [useBackup, setUseBackup] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [verify, verifyState] = useMutation<VerifyOtpMutation, VerifyOtpMutationVariables>(VERIFY_OTP_MUTATION);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const token = normaliseCode(code);
    if (!token) {
      setError(useBackup ? 'Enter one of your backup codes.' : 'Enter the 6-digit code from your authenticator app.');
      return;
    }
    setError(null);
    const data = await verify({ token });
    if (!data) return; // transport error: shown from verifyState.error
    const payload = data.verifyOtp;
    if (payload.errors.length > 0) {
      setError(payload.errors.map(authErrorMessage).join(' '));
      setCode('');
      return;
    }
    if (payload.viewer) setViewer(payload.viewer);
    dispatch({ type: 'OTP_VERIFIED' });
  }

  return (
    <form onSubmit={onSubmit} noValidate className="stack">
      <p className="muted">
        {useBackup
          ? 'Enter one of the backup codes you saved when you set up two-factor authentication. Each code works once.'
          : 'Open your authenticator app and enter the 6-digit code for this account.'}
      </p>
      {(error || verifyState.error) && <Alert>{error ?? verifyState.error?.message}</Alert>}
      <TextField
        label={useBackup ? 'Backup code' : 'Authentication code'}
        value={code}
        onChange={(e) => setCode(e.target.value)}
        autoComplete="one-time-code"
        inputMode={useBackup ? 'text' : 'numeric'}
        // The code is all this step asks for, and its label says what to type.
        // eslint-disable-next-line jsx-a11y/no-autofocus
        autoFocus
        spellCheck={false}
        autoCapitalize="off"
        placeholder={useBackup ? 'xxxx-xxxx' : '123456'}
        maxLength={32}
        className="input-code"
        data-testid="otp-code"
      />
      <Button type="submit" variant="primary" loading={verifyState.loading} className="btn-block" data-testid="otp-submit">
        Verify
      </Button>
      <button
        type="button"
        className="link-btn"
        onClick={() => {
          setUseBackup((b) => !b);
          setCode('');
          setError(null);
        }}
      >
        {useBackup ? 'Use a code from my authenticator app' : 'Lost your device? Use a backup code'}
      </button>
    </form>
  );
}


export function OtpEnrolStep({ state, dispatch }: { state: Extract<LoginState, { step: 'otpEnrol' }>; dispatch: Dispatch<LoginEvent> }) {
  const { setViewer } = useViewer();
  const [start, startState] = useMutation<StartOtpEnrolmentMutation>(START_OTP_ENROLMENT_MUTATION);
  const [confirm, confirmState] = useMutation<ConfirmOtpEnrolmentMutation, ConfirmOtpEnrolmentMutationVariables>(
    CONFIRM_OTP_ENROLMENT_MUTATION,
  );
  const [startError, setStartError] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);

  async function begin() {
    setStartError(null);
    const data = await start();
    if (!data) return; // transport error is in startState.error
    const p = data.startOtpEnrolment;
    if (p.errors.length > 0) {
      if (p.errors.some((e) => e.code === 'ALREADY_ENROLLED')) {
        dispatch({ type: 'NEXT_STEP', nextStep: 'OTP_VERIFY' });
        return;
      }
      setStartError(p.errors.map(authErrorMessage).join(' '));
      return;
    }
    dispatch({ type: 'ENROLMENT_STARTED', enrolment: { qrCodeSvg: p.qrCodeSvg, secret: p.secret, otpauthUri: p.otpauthUri } });
  }

  useEffect(() => {
    // Guard against double effects (StrictMode): a second call would rotate the secret.
    if (started.current || state.enrolment) return;
    started.current = true;
    void begin();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    const token = normaliseCode(code);
    if (!/^\d{6}$/.test(token)) {
      setError('Enter the 6-digit code shown in your authenticator app.');
      return;
    }
    setError(null);
    const data = await confirm({ token });
    if (!data) return;
    const p = data.confirmOtpEnrolment;
    if (p.errors.length > 0) {
      setError(p.errors.map(authErrorMessage).join(' '));
      setCode('');
      return;
    }
    if (p.viewer) setViewer(p.viewer);
    dispatch({ type: 'ENROLMENT_CONFIRMED', backupCodes: p.backupCodes });
  }

  const enrolment = state.enrolment;
  const transportError = startState.error?.message ?? null;

  return (
    <div className="stack">
      <ol className="enrol-steps">
        <li>Install an authenticator app (Microsoft Authenticator, Google Authenticator, 1Password, Authy…).</li>
        <li>Scan the QR code, or enter the setup key manually.</li>
        <li>Enter the 6-digit code the app shows to finish.</li>
      </ol>
      {(startError || transportError) && (
        <Alert
          action={
            <Button size="sm" onClick={() => void begin()}>
              Try again
            </Button>
          }
        >
          {startError ?? transportError}
        </Alert>
      )}
      <div className="enrol-qr-row">
        <div className="qr-box" aria-label="QR code for your authenticator app" role="img">
          {enrolment?.qrCodeSvg ? (
            <div className="qr-svg" dangerouslySetInnerHTML={{ __html: enrolment.qrCodeSvg }} />
          ) : startState.loading ? (
            <Spinner size={20} label="Generating QR code" />
          ) : (
            <span className="muted small">No QR code</span>
          )}
        </div>
        <div className="enrol-secret">
          <div className="field-label">Setup key</div>
          {enrolment?.secret ? (
            <>
              <code className="secret" data-testid="otp-secret">
                {formatSecret(enrolment.secret)}
              </code>
              <CopyButton text={enrolment.secret} label="Copy key" />
            </>
          ) : (
            <Skeleton width={180} height={18} />
          )}
          <p className="muted small">Time-based (TOTP), 6 digits, 30 seconds.</p>
        </div>
      </div>
      <form onSubmit={onSubmit} noValidate className="stack">
        {(error || confirmState.error) && <Alert>{error ?? confirmState.error?.message}</Alert>}
        <TextField
          label="Code from your app"
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="one-time-code"
          inputMode="numeric"
          placeholder="123456"
          maxLength={12}
          className="input-code"
          disabled={!enrolment}
          data-testid="otp-code"
        />
        <Button type="submit" variant="primary" loading={confirmState.loading} disabled={!enrolment} className="btn-block" data-testid="enrol-submit">
          Turn on two-factor authentication
        </Button>
      </form>
    </div>
  );
}

/** Group a base32 secret in blocks of four for easier typing. */
export function formatSecret(secret: string): string {
  return secret.replace(/\s+/g, '').replace(/(.{4})/g, '$1 ').trim();
}

export function BackupCodesStep({ codes, dispatch }: { codes: string[]; dispatch: Dispatch<LoginEvent> }) {
  const text = codes.join('\n');
  function download() {
    const blob = new Blob([`${portalConfig().mspName} backup codes\nEach code can be used once.\n\n${text}\n`], { type: 'text/plain' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = 'backup-codes.txt';
    a.click();
    URL.revokeObjectURL(url);
  }
  return (
    <div className="stack">
      <Alert tone="warning" title="Save these backup codes now">
        If you lose your phone, each code lets you sign in once. They won’t be shown again.
      </Alert>
      <ul className="backup-codes" data-testid="backup-codes">
        {codes.map((c) => (
          <li key={c}>
            <code>{c}</code>
          </li>
        ))}
      </ul>
      <div className="row gap-sm">
        <CopyButton text={text} label="Copy all" />
        <Button size="sm" variant="ghost" onClick={download}>
          Download .txt
        </Button>
      </div>
      <Button variant="primary" className="btn-block" onClick={() => dispatch({ type: 'BACKUP_CODES_SAVED' })} data-testid="backup-codes-done">
        I have saved these
      </Button>
    </div>
  );
}
