/**
 * The sign-in flow as a pure state machine (reducer), shared by /login and
 * /invite/:token. The server decides what comes next via `AuthStep`:
 *
 *   credentials ──login──▶ SIGNED_IN  ─────────────────────────────▶ done
 *                         OTP_VERIFY ─▶ otpVerify ──verifyOtp──────▶ done
 *                         OTP_ENROL  ─▶ otpEnrol  ──start──▶ (QR + secret)
 *                                                  ──confirm──▶ backupCodes ──ack──▶ done
 */
import type { AuthStep } from '../graphql/generated';
import type { Viewer } from './ViewerContext';

export type Enrolment = { qrCodeSvg: string | null; secret: string | null; otpauthUri: string | null };

export type LoginState =
  | { step: 'credentials' }
  | { step: 'otpVerify' }
  | { step: 'otpEnrol'; enrolment: Enrolment | null }
  | { step: 'backupCodes'; codes: string[] }
  | { step: 'done' };

export type LoginEvent =
  | { type: 'NEXT_STEP'; nextStep: AuthStep | null | undefined }
  | { type: 'ENROLMENT_STARTED'; enrolment: Enrolment }
  | { type: 'ENROLMENT_CONFIRMED'; backupCodes: readonly string[] | null | undefined }
  | { type: 'OTP_VERIFIED' }
  | { type: 'BACKUP_CODES_SAVED' }
  | { type: 'RESET' };

export const initialLoginState: LoginState = { step: 'credentials' };

export function stateForStep(nextStep: AuthStep | null | undefined): LoginState {
  switch (nextStep) {
    case 'SIGNED_IN':
      return { step: 'done' };
    case 'OTP_VERIFY':
      return { step: 'otpVerify' };
    case 'OTP_ENROL':
      return { step: 'otpEnrol', enrolment: null };
    default:
      // No next step (errors were returned): stay on / go back to the credentials.
      return { step: 'credentials' };
  }
}

/** Where to start when someone lands on /login with an existing session. */
export function stateForViewer(viewer: Viewer | null): LoginState {
  if (!viewer) return initialLoginState;
  if (viewer.otpRequired && !viewer.otpVerified) return stateForStep(viewer.otpEnrolled ? 'OTP_VERIFY' : 'OTP_ENROL');
  return { step: 'done' };
}

export function loginReducer(state: LoginState, event: LoginEvent): LoginState {
  switch (event.type) {
    case 'NEXT_STEP':
      return stateForStep(event.nextStep);
    case 'ENROLMENT_STARTED':
      return state.step === 'otpEnrol' ? { step: 'otpEnrol', enrolment: event.enrolment } : state;
    case 'ENROLMENT_CONFIRMED': {
      if (state.step !== 'otpEnrol') return state;
      const codes = event.backupCodes ? [...event.backupCodes] : [];
      return codes.length > 0 ? { step: 'backupCodes', codes } : { step: 'done' };
    }
    case 'OTP_VERIFIED':
      return state.step === 'otpVerify' ? { step: 'done' } : state;
    case 'BACKUP_CODES_SAVED':
      return state.step === 'backupCodes' ? { step: 'done' } : state;
    case 'RESET':
      return initialLoginState;
  }
}
