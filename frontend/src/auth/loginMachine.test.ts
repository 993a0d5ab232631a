import { describe, expect, it } from 'vitest';
import { makeViewer } from '../test/mockGraphQL';
import { initialLoginState, loginReducer, stateForStep, stateForViewer, type LoginState } from './loginMachine';

const enrolment = { qrCodeSvg: '<svg></svg>', secret: 'JBSWY3DPEHPK3PXP', otpauthUri: 'otpauth://totp/x' };

describe('loginReducer', () => {
  it('SIGNED_IN finishes straight away', () => {
    expect(loginReducer(initialLoginState, { type: 'NEXT_STEP', nextStep: 'SIGNED_IN' })).toEqual({ step: 'done' });
  });

  it('OTP_VERIFY asks for a code, and a verified code finishes', () => {
    const s1 = loginReducer(initialLoginState, { type: 'NEXT_STEP', nextStep: 'OTP_VERIFY' });
    expect(s1).toEqual({ step: 'otpVerify' });
    expect(loginReducer(s1, { type: 'OTP_VERIFIED' })).toEqual({ step: 'done' });
  });

  it('OTP_ENROL → enrolment started → confirmed → backup codes → done', () => {
    let s: LoginState = loginReducer(initialLoginState, { type: 'NEXT_STEP', nextStep: 'OTP_ENROL' });
    expect(s).toEqual({ step: 'otpEnrol', enrolment: null });
    s = loginReducer(s, { type: 'ENROLMENT_STARTED', enrolment });
    expect(s).toEqual({ step: 'otpEnrol', enrolment });
    s = loginReducer(s, { type: 'ENROLMENT_CONFIRMED', backupCodes: ['aaaa-1111', 'bbbb-2222'] });
    expect(s).toEqual({ step: 'backupCodes', codes: ['aaaa-1111', 'bbbb-2222'] });
    s = loginReducer(s, { type: 'BACKUP_CODES_SAVED' });
    expect(s).toEqual({ step: 'done' });
  });

  it('skips the backup-code screen when the server sent none', () => {
    const s = loginReducer({ step: 'otpEnrol', enrolment }, { type: 'ENROLMENT_CONFIRMED', backupCodes: null });
    expect(s).toEqual({ step: 'done' });
  });

  it('a missing next step (errors returned) stays on the credentials', () => {
    expect(loginReducer(initialLoginState, { type: 'NEXT_STEP', nextStep: null })).toEqual({ step: 'credentials' });
    expect(stateForStep(undefined)).toEqual({ step: 'credentials' });
  });

  it('ignores events that do not belong to the current step', () => {
    expect(loginReducer(initialLoginState, { type: 'OTP_VERIFIED' })).toBe(initialLoginState);
    expect(loginReducer(initialLoginState, { type: 'BACKUP_CODES_SAVED' })).toBe(initialLoginState);
    const verify: LoginState = { step: 'otpVerify' };
    expect(loginReducer(verify, { type: 'ENROLMENT_STARTED', enrolment })).toBe(verify);
    expect(loginReducer(verify, { type: 'ENROLMENT_CONFIRMED', backupCodes: ['x'] })).toBe(verify);
  });

  it('RESET returns to the credentials from anywhere', () => {
    expect(loginReducer({ step: 'backupCodes', codes: ['x'] }, { type: 'RESET' })).toEqual({ step: 'credentials' });
  });
});

describe('stateForViewer', () => {
  it('signed out → credentials', () => {
    expect(stateForViewer(null)).toEqual({ step: 'credentials' });
  });
  it('password ok, 2FA pending and enrolled → verify', () => {
    expect(stateForViewer(makeViewer({ otpRequired: true, otpVerified: false, otpEnrolled: true }))).toEqual({ step: 'otpVerify' });
  });
  it('password ok, 2FA pending, not enrolled → enrol', () => {
    expect(stateForViewer(makeViewer({ otpRequired: true, otpVerified: false, otpEnrolled: false }))).toEqual({
      step: 'otpEnrol',
      enrolment: null,
    });
  });
  it('fully signed in → done', () => {
    expect(stateForViewer(makeViewer())).toEqual({ step: 'done' });
    expect(stateForViewer(makeViewer({ otpRequired: false, otpVerified: false }))).toEqual({ step: 'done' });
  });
});
