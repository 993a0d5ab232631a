/** Security pages: routes, labels and the incident lifecycle as the server enforces it. */
import { ticketPath } from '../../lib/tickets';
import type {
  PhishingCampaignStatus,
  WorkqueueWorkItemKindChoices,
  SecurityIncidentKind,
  SecurityIncidentStatus,
  SecuritySeverity,
} from '../../graphql/generated';

/** Staff: a client's security page, an incident, a phishing campaign (MSP host). */
export const staffSecurityPath = (clientSlug: string) => `/security/${encodeURIComponent(clientSlug)}`;
export const staffIncidentPath = (clientSlug: string, number: number) => `/security/${encodeURIComponent(clientSlug)}/incidents/${number}`;
export const staffCampaignPath = (clientSlug: string, id: string | number) => `/security/${encodeURIComponent(clientSlug)}/phishing/${id}`;
/** Where a queue row leads: the ticket, the security incident, or the phishing triage page. */
export function workItemPath(r: { kind: WorkqueueWorkItemKindChoices; number: number; client: { slug: string } }): string {
  if (r.kind === 'SEC_INCIDENT') return staffIncidentPath(r.client.slug, r.number);
  if (r.kind === 'PHISHING') return staffCampaignPath(r.client.slug, r.number);
  return ticketPath(r.client.slug, r.number);
}

/** Client users (their portal names the client). */
export const clientIncidentPath = (number: number) => `/incidents/${number}`;
export const clientReportPath = (id: string | number) => `/phishing/${id}`;

export const SEVERITIES: readonly SecuritySeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];
export const INCIDENT_KINDS: readonly SecurityIncidentKind[] = ['PHISHING', 'MALWARE', 'ACCOUNT_COMPROMISE', 'DATA_LOSS', 'OTHER'];

export const SEVERITY_LABEL: Record<SecuritySeverity, string> = { CRITICAL: 'Critical', HIGH: 'High', MEDIUM: 'Medium', LOW: 'Low' };
export const SEVERITY_TONE: Record<SecuritySeverity, string> = { CRITICAL: 'red', HIGH: 'amber', MEDIUM: 'blue', LOW: 'grey' };

export const KIND_LABEL: Record<SecurityIncidentKind, string> = {
  PHISHING: 'Phishing',
  MALWARE: 'Malware',
  ACCOUNT_COMPROMISE: 'Account compromise',
  DATA_LOSS: 'Data loss',
  OTHER: 'Other',
};

export const INCIDENT_STATUS_LABEL: Record<SecurityIncidentStatus, string> = {
  NEW: 'New',
  ACKNOWLEDGED: 'Acknowledged',
  CONTAINED: 'Contained',
  RESOLVED: 'Resolved',
  CLOSED: 'Closed',
};
export const INCIDENT_STATUS_TONE: Record<SecurityIncidentStatus, string> = {
  NEW: 'blue',
  ACKNOWLEDGED: 'violet',
  CONTAINED: 'amber',
  RESOLVED: 'green',
  CLOSED: 'grey',
};
export const DONE_INCIDENT: readonly SecurityIncidentStatus[] = ['RESOLVED', 'CLOSED'];

/** What staff may move an incident to, with the words of the button (mirrors the server). */
export const INCIDENT_TRANSITIONS: Record<SecurityIncidentStatus, readonly { to: SecurityIncidentStatus; label: string }[]> = {
  NEW: [
    { to: 'ACKNOWLEDGED', label: 'Acknowledge' },
    { to: 'CONTAINED', label: 'Mark contained' },
    { to: 'RESOLVED', label: 'Resolve' },
  ],
  ACKNOWLEDGED: [
    { to: 'CONTAINED', label: 'Mark contained' },
    { to: 'RESOLVED', label: 'Resolve' },
  ],
  CONTAINED: [
    { to: 'RESOLVED', label: 'Resolve' },
    { to: 'ACKNOWLEDGED', label: 'Containment lost' },
  ],
  RESOLVED: [
    { to: 'CLOSED', label: 'Close' },
    { to: 'ACKNOWLEDGED', label: 'Reopen' },
  ],
  CLOSED: [{ to: 'ACKNOWLEDGED', label: 'Reopen' }],
};

export const CAMPAIGN_STATUS_LABEL: Record<PhishingCampaignStatus, string> = {
  NEW: 'Awaiting triage',
  INCIDENT: 'Security incident',
  SAFE: 'Safe',
};
export const CAMPAIGN_STATUS_TONE: Record<PhishingCampaignStatus, string> = { NEW: 'amber', INCIDENT: 'red', SAFE: 'green' };

/** The words a reporter sees for the verdict on their report. */
export const VERDICT_FOR_REPORTER: Record<PhishingCampaignStatus, string> = {
  NEW: 'Our security team is looking at it.',
  INCIDENT: 'Handled as a security incident: don’t open its links or attachments, and delete it.',
  SAFE: 'Checked and found safe.',
};

/** An authentication verdict's tone: pass is good, fail/softfail is bad, anything else unknown. */
export function verdictTone(result: string): 'green' | 'red' | 'amber' | 'grey' {
  if (result === 'pass') return 'green';
  if (result === 'fail' || result === 'permerror' || result === 'softfail') return 'red';
  if (!result) return 'grey';
  return 'amber';
}

/** Largest .eml the form accepts (the server's default limit; it checks again). */
export const PHISHING_MAX_BYTES = 5 * 1000 * 1000;

/** The timeline's words for an entry that is not a note. */
export function timelineText(kind: string, detail: Record<string, unknown>): string {
  const to = typeof detail['to'] === 'string' ? detail['to'] : '';
  const from = typeof detail['from'] === 'string' ? detail['from'] : '';
  switch (kind) {
    case 'created':
      return 'opened the incident';
    case 'status':
      return `changed the status from ${from} to ${to}`;
    case 'severity':
      return `changed the severity from ${from} to ${to}`;
    case 'assigned':
      return detail['assignee_id'] ? 'assigned the incident' : 'unassigned the incident';
    case 'affected':
      return 'changed the affected people or devices';
    case 'phishing':
      return typeof detail['reporter'] === 'string'
        ? `linked a new phishing report by ${detail['reporter']}`
        : `linked ${String(detail['reports'] ?? '')} phishing report(s): ${String(detail['subject'] ?? '')}`;
    default:
      return kind;
  }
}
