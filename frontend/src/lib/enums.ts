import type {
  AuthErrorCode,
  BreachState,
  Channel,
  ClientRole,
  ClientStatus,
  ClientTier,
  Industry,
  Level,
  MspRole,
  Priority,
  ProvisioningStatus,
  ServiceLine,
  SlaClockState,
  TicketStatus,
} from '../graphql/generated';

/** Compile-time check that a runtime list names every member of a generated enum. */
type Exhaustive<T extends string, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? L : never;

function list<T extends string>() {
  return <const L extends readonly T[]>(l: Exhaustive<T, L>) => l;
}

export const INDUSTRIES = list<Industry>()([
  'HEALTHCARE',
  'FINANCE',
  'LEGAL',
  'MANUFACTURING',
  'RETAIL',
  'EDUCATION',
  'NONPROFIT',
  'PROFESSIONAL_SERVICES',
  'TECHNOLOGY',
  'OTHER',
]);
export const TIERS = list<ClientTier>()(['ESSENTIAL', 'STANDARD', 'PREMIUM']);
export const STATUSES = list<ClientStatus>()(['ONBOARDING', 'ACTIVE', 'SUSPENDED', 'OFFBOARDED']);
export const CLIENT_ROLES = list<ClientRole>()(['IT_LEAD', 'MEMBER']);

export const INDUSTRY_LABEL: Record<Industry, string> = {
  HEALTHCARE: 'Healthcare',
  FINANCE: 'Finance',
  LEGAL: 'Legal',
  MANUFACTURING: 'Manufacturing',
  RETAIL: 'Retail',
  EDUCATION: 'Education',
  NONPROFIT: 'Non-profit',
  PROFESSIONAL_SERVICES: 'Professional services',
  TECHNOLOGY: 'Technology',
  OTHER: 'Other',
};

export const TIER_LABEL: Record<ClientTier, string> = {
  ESSENTIAL: 'Essential',
  STANDARD: 'Standard',
  PREMIUM: 'Premium',
};

export const STATUS_LABEL: Record<ClientStatus, string> = {
  ONBOARDING: 'Onboarding',
  ACTIVE: 'Active',
  SUSPENDED: 'Suspended',
  OFFBOARDED: 'Offboarded',
};

export const CLIENT_ROLE_LABEL: Record<ClientRole, string> = {
  IT_LEAD: 'IT lead',
  MEMBER: 'Member',
};

export const MSP_ROLE_LABEL: Record<MspRole, string> = {
  ADMIN: 'MSP admin',
  TECHNICIAN: 'Technician',
  ACCOUNT_MANAGER: 'Account manager',
};

export const PROVISIONING_STATUS_LABEL: Record<ProvisioningStatus, string> = {
  QUEUED: 'Queued',
  RUNNING: 'Running',
  SUCCEEDED: 'Done',
  FAILED: 'Failed',
};

/** Our wording per auth error code; `null` means "use the server's message" (it is more specific). */
export const AUTH_ERROR_MESSAGE: Record<AuthErrorCode, string | null> = {
  INVALID_CREDENTIALS: 'Email or password is wrong.',
  LOCKED_OUT: 'Too many failed attempts. Try again later, or contact your MSP.',
  NOT_AUTHENTICATED: 'Your session has ended. Please sign in again.',
  INVALID_TOKEN: 'That code is not valid. Check the code in your authenticator app and try again.',
  ALREADY_ENROLLED: 'Two-factor authentication is already set up for this account.',
  NOT_ENROLLED: 'Two-factor authentication is not set up yet for this account.',
  INVALID_INVITATION: 'This invitation link is invalid, has expired or was already used.',
  WEAK_PASSWORD: null,
  REQUIRED: null,
  INVALID: null,
  TOO_LONG: null,
  NOT_FOUND: null,
  PERMISSION_DENIED: null,
  OTP_REQUIRED: null,
  INTERNAL: null,
  // The server's wording names the company and where to go instead.
  WRONG_PORTAL: null,
  STAFF_ON_CLIENT_PORTAL: null,
  CLIENT_INACTIVE: null,
};

// ----------------------------------------------------------- service desk

export const PRIORITIES = list<Priority>()(['P1', 'P2', 'P3', 'P4']);
export const TICKET_STATUSES = list<TicketStatus>()([
  'NEW',
  'OPEN',
  'IN_PROGRESS',
  'WAITING_ON_CLIENT',
  'WAITING_ON_VENDOR',
  'RESOLVED',
  'CLOSED',
]);
export const SERVICE_LINES = list<ServiceLine>()(['INFRASTRUCTURE', 'SUPPORT', 'SECURITY']);
export const LEVELS = list<Level>()(['LOW', 'MEDIUM', 'HIGH']);

export const PRIORITY_LABEL: Record<Priority, string> = {
  P1: 'Critical',
  P2: 'High',
  P3: 'Medium',
  P4: 'Low',
};

export const TICKET_STATUS_LABEL: Record<TicketStatus, string> = {
  NEW: 'New',
  OPEN: 'Open',
  IN_PROGRESS: 'In progress',
  WAITING_ON_CLIENT: 'Waiting on client',
  WAITING_ON_VENDOR: 'Waiting on vendor',
  RESOLVED: 'Resolved',
  CLOSED: 'Closed',
};

/** Statuses a ticket can no longer be worked in (the client may still reopen a resolved one). */
export const DONE_STATUSES: readonly TicketStatus[] = ['RESOLVED', 'CLOSED'];

export const SERVICE_LINE_LABEL: Record<ServiceLine, string> = {
  INFRASTRUCTURE: 'Infrastructure',
  SUPPORT: 'Support',
  SECURITY: 'Security',
};

export const LEVEL_LABEL: Record<Level, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High' };

export const CHANNEL_LABEL: Record<Channel, string> = {
  PORTAL: 'Portal',
  EMAIL: 'Email',
  PHONE: 'Phone',
  MONITORING: 'Monitoring',
};

export const BREACH_STATE_LABEL: Record<BreachState, string> = {
  NONE: 'No SLA',
  ON_TRACK: 'On track',
  WARNING: 'Breaching soon',
  BREACHED: 'Breached',
  PAUSED: 'Paused',
};

export const SLA_CLOCK_STATE_LABEL: Record<SlaClockState, string> = {
  RUNNING: 'Running',
  PAUSED: 'Paused',
  MET: 'Met',
  BREACHED: 'Breached',
  NOT_APPLICABLE: 'Not measured',
};

export function isOneOf<T extends string>(values: readonly T[], v: unknown): v is T {
  return typeof v === 'string' && (values as readonly string[]).includes(v);
}
