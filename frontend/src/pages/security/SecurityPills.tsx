import clsx from 'clsx';
import type { PhishingCampaignStatus, SecurityIncidentStatus, SecuritySeverity } from '../../graphql/generated';
import {
  CAMPAIGN_STATUS_LABEL,
  CAMPAIGN_STATUS_TONE,
  INCIDENT_STATUS_LABEL,
  INCIDENT_STATUS_TONE,
  SEVERITY_LABEL,
  SEVERITY_TONE,
  verdictTone,
} from './security';
import './security.css';

export function IncidentStatusPill({ status }: { status: SecurityIncidentStatus }) {
  return (
    <span className={clsx('pill', `pill-${INCIDENT_STATUS_TONE[status]}`)} data-status={status}>
      <span className="pill-dot" aria-hidden="true" />
      {INCIDENT_STATUS_LABEL[status]}
    </span>
  );
}

export function SeverityPill({ severity }: { severity: SecuritySeverity }) {
  return (
    <span className={clsx('severity', `severity-${SEVERITY_TONE[severity]}`)} data-severity={severity}>
      {SEVERITY_LABEL[severity]}
    </span>
  );
}

export function CampaignStatusPill({ status }: { status: PhishingCampaignStatus }) {
  return (
    <span className={clsx('pill', `pill-${CAMPAIGN_STATUS_TONE[status]}`)} data-status={status}>
      <span className="pill-dot" aria-hidden="true" />
      {CAMPAIGN_STATUS_LABEL[status]}
    </span>
  );
}

/** SPF / DKIM / DMARC result, with the word always shown (colour is never the only signal). */
export function AuthVerdict({ name, result }: { name: string; result: string }) {
  return (
    <span className={clsx('auth-verdict', `auth-${verdictTone(result)}`)} data-testid={`auth-${name.toLowerCase()}`}>
      <span className="auth-name">{name}</span> {result || 'not reported'}
    </span>
  );
}
