import clsx from 'clsx';
import { useEffect } from 'react';
import { Link, useLocation } from 'react-router';
import { Card } from '../../components/Card';
import { DetailSkeleton } from '../../components/CardsSkeleton';
import { QueryError } from '../../components/QueryError';
import { Badge, EmptyState } from '../../components/ui';
import type { StatusPageQuery, StatusPageQueryVariables, StatusWorkKind } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { STATUS_PAGE_QUERY } from '../../graphql/operations';
import { PRIORITY_LABEL } from '../../lib/enums';
import { formatDateTime, formatRelative, pluralize } from '../../lib/format';
import { requestPath, ticketPath } from '../../lib/tickets';
import { clientIncidentPath, staffCampaignPath, staffIncidentPath } from '../security/security';
import { MfaTrend } from './MfaTrend';
import { Pyramid } from './Pyramid';
import { SERVICE_STATE_LABEL, SERVICE_STATE_SYMBOL, formatPercent, servicesSummary, type Audience, type StatusPageData } from './status';
import { UptimeBars } from './UptimeBars';
import './status.css';

/** How often an open status page asks again (it is a live view). */
export const STATUS_POLL_MS = 60_000;

/**
 * The client's live status: services, current incidents and — for IT leads and staff —
 * the remote-work hierarchy, security, MFA, devices, SLA and the MSP's work. One request.
 */
export function StatusView({ clientSlug, staff = false }: { clientSlug?: string; staff?: boolean }) {
  const q = useQuery<StatusPageQuery, StatusPageQueryVariables>(STATUS_PAGE_QUERY, clientSlug ? { clientSlug } : {}, { pollInterval: STATUS_POLL_MS });
  const status = q.data?.statusPage;
  const location = useLocation();
  useEffect(() => {
    // Evidence links point at a section (#status-…): bring it into view once it exists.
    if (!status || !location.hash) return;
    document.getElementById(location.hash.slice(1))?.scrollIntoView({ block: 'start' });
  }, [status, location.hash]);

  if (q.error && !status) return <QueryError title="Couldn’t load the status" error={q.error} onRetry={q.refetch} retrying={q.loading} />;
  if (!status) return <DetailSkeleton label="Loading status" titleWidth={200} />;
  return <StatusContent status={status} audience={{ staff, clientSlug }} />;
}

export function StatusContent({ status, audience }: { status: StatusPageData; audience: Audience }) {
  const summary = servicesSummary(status.services);
  return (
    <div className="status-page" data-testid="status-page" data-full={status.full ? 'true' : 'false'}>
      <div className={clsx('status-banner', `status-banner-${summary.tone}`)} data-testid="status-banner">
        <span className="status-banner-text">{summary.text}</span>
        <span className="muted small">Updated {formatRelative(status.generatedAt)}</span>
      </div>
      {status.full && <Kpis status={status} />}
      <div className="status-grid">
        <div className="status-main">
          <ServicesCard status={status} />
          <IncidentsCard status={status} audience={audience} />
          {status.broadcasts.length > 0 && <BroadcastsCard status={status} />}
          {status.full && status.hierarchy && (
            <Card headingId="status-hierarchy" title="Remote-work hierarchy" aside={<span className="muted small">Each layer rests on the one below</span>} testId="status-hierarchy-card">
              <div className="pad">
                <Pyramid layers={status.hierarchy} audience={audience} />
              </div>
            </Card>
          )}
          {status.full && <WorkCard status={status} audience={audience} />}
        </div>
        {status.full && (
          <aside className="status-side">
            <Card headingId="status-mfa" title="MFA coverage">
              <div className="pad">
                <p className="kpi-line">
                  {status.mfaTotal === null ? (
                    <span className="muted">No accounts known yet.</span>
                  ) : (
                    <>
                      <strong>{formatPercent(status.mfaPercent)}</strong> — {status.mfaCovered} of {pluralize(status.mfaTotal, 'account')} use a second factor
                    </>
                  )}
                </p>
                <MfaTrend points={status.mfaHistory} />
              </div>
            </Card>
            <DevicesCard status={status} />
          </aside>
        )}
      </div>
      {!status.full && (
        <p className="muted small" data-testid="status-reduced-note">
          Your company’s IT lead also sees security, MFA, devices, SLA figures and the MSP’s current work here.
        </p>
      )}
    </div>
  );
}

function Kpis({ status }: { status: StatusPageData }) {
  const underPromise = status.services.filter((s) => s.availabilityPercent !== null && s.promisedPercent !== null && s.availabilityPercent < s.promisedPercent).length;
  const measured = status.services.filter((s) => s.availabilityPercent !== null).length;
  return (
    <dl className="status-kpis" data-testid="status-kpis">
      <div className="kpi">
        <dt>Uptime this month</dt>
        <dd>{measured === 0 ? '—' : underPromise === 0 ? 'All on promise' : `${underPromise} below promise`}</dd>
      </div>
      <div className="kpi">
        <dt>Open security incidents</dt>
        <dd>
          {status.openSecurityIncidents ?? '—'}
          {!!status.openMajorSecurityIncidents && <span className="kpi-note"> ({status.openMajorSecurityIncidents} high)</span>}
        </dd>
      </div>
      <div className="kpi">
        <dt>MFA coverage</dt>
        <dd>{formatPercent(status.mfaPercent)}</dd>
      </div>
      <div className="kpi">
        <dt>SLA met this month</dt>
        <dd>
          {formatPercent(status.slaMonthPercent)}
          {status.slaMonthMet !== null && (
            <span className="kpi-note">
              {' '}
              ({status.slaMonthMet} met, {status.slaMonthBreached} breached)
            </span>
          )}
        </dd>
      </div>
    </dl>
  );
}

function ServicesCard({ status }: { status: StatusPageData }) {
  return (
    <Card headingId="status-services" title={<>Services <span className="count">{status.services.length}</span></>} aside={<span className="muted small">Uptime per day, last 30 days</span>}>
      {status.services.length === 0 ? (
        <div className="pad">
          <EmptyState title="No monitored services yet">Your MSP adds the services it runs for you here, with their monitors.</EmptyState>
        </div>
      ) : (
        <ul className="status-service-list">
          {status.services.map((s) => (
            <li key={s.name} className="service-row" data-testid="service-row" data-state={s.state}>
              <div className="status-service-head">
                <span className={clsx('service-state', `service-${s.state.toLowerCase()}`)}>
                  <span aria-hidden="true">{SERVICE_STATE_SYMBOL[s.state]}</span> {SERVICE_STATE_LABEL[s.state]}
                </span>
                <span className="status-service-name">{s.name}</span>
                {s.isBusinessCritical && <Badge tone="violet">Business-critical</Badge>}
                <span className="service-figure muted small">
                  {s.availabilityPercent === null ? 'not measured this month' : `${formatPercent(s.availabilityPercent, 3)} this month`} · {formatPercent(s.promisedPercent, 3)} promised
                </span>
              </div>
              <UptimeBars name={s.name} daily={s.dailyUptime} from={status.uptimeFrom} promised={s.promisedPercent} />
              <div className="muted small">
                {s.maintenanceUntil ? `Planned maintenance until ${formatDateTime(s.maintenanceUntil)}` : s.since ? `${SERVICE_STATE_LABEL[s.state]} since ${formatDateTime(s.since)}` : null}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function IncidentsCard({ status, audience }: { status: StatusPageData; audience: Audience }) {
  return (
    <Card headingId="status-incidents" title={<>Current incidents <span className="count">{status.incidents.length}</span></>}>
      {status.incidents.length === 0 ? (
        <p className="pad muted">No outage or security incident is open.</p>
      ) : (
        <ul className="incident-list">
          {status.incidents.map((incident) => {
            const link = incidentLink(incident.kind, incident.reference, audience);
            return (
              <li key={`${incident.kind}-${incident.reference ?? incident.title}-${incident.startedAt}`} className="incident-row" data-testid="incident-row">
                <Badge tone={incident.kind === 'OUTAGE' ? 'amber' : 'violet'}>{incident.kind === 'OUTAGE' ? 'Outage' : 'Security'}</Badge>
                <span className="incident-title">
                  {link ? <Link to={link}>{incident.title}</Link> : incident.title}
                  {incident.kind === 'SECURITY' && incident.reference !== null && <span className="mono muted small"> SEC-{incident.reference}</span>}
                </span>
                <span className="muted small">
                  {incident.severity && `${incident.severity} · `}since {formatDateTime(incident.startedAt)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}

/** Where a ticket (an outage's, or work) or a security incident opens for this viewer. */
export function incidentLink(kind: 'OUTAGE' | 'SECURITY', reference: number | null, audience: Audience): string | null {
  if (reference === null) return null;
  const staffSlug = audience.staff ? audience.clientSlug : undefined;
  if (kind === 'SECURITY') return staffSlug ? staffIncidentPath(staffSlug, reference) : clientIncidentPath(reference);
  return staffSlug ? ticketPath(staffSlug, reference) : requestPath(reference);
}

/** Where an open work item opens: tickets and incidents for everyone who sees them, phishing triage for staff. */
export function workLink(kind: StatusWorkKind, number: number, audience: Audience): string | null {
  if (kind === 'TICKET') return incidentLink('OUTAGE', number, audience);
  if (kind === 'SEC_INCIDENT') return incidentLink('SECURITY', number, audience);
  return audience.staff && audience.clientSlug ? staffCampaignPath(audience.clientSlug, number) : null;
}

function WorkCard({ status, audience }: { status: StatusPageData; audience: Audience }) {
  return (
    <Card headingId="status-work" title={<>What we’re working on <span className="count">{status.workTotal ?? 0}</span></>}>
      {status.work.length === 0 ? (
        <p className="pad muted">Nothing open right now.</p>
      ) : (
        <ul className="work-list">
          {status.work.map((item) => {
            const link = workLink(item.kind, item.number, audience);
            return (
              <li key={`${item.kind}-${item.number}`} className="work-row" data-testid="work-row">
                <span className="mono muted small">{item.reference}</span>
                <span className="work-title">{link ? <Link to={link}>{item.title}</Link> : item.title}</span>
                <span className="muted small">
                  {item.priority} · {PRIORITY_LABEL[item.priority]} · {item.status.replace(/_/g, ' ')}
                  {item.assigneeName ? ` · ${item.assigneeName}` : ''}
                  {item.breachState === 'BREACHED' && <strong className="text-red"> · past SLA target</strong>}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {status.ticketsOpenedLast30Days !== null && (
        <p className="pad muted small">
          {pluralize(status.ticketsOpenedLast30Days, 'ticket')} opened in the last 30 days ({status.ticketsOpenedPrevious30Days} in the 30 before).
          {status.improvements && ` Improvements: ${status.improvements.active} in progress, ${status.improvements.completedRecently} done in 90 days, ${status.improvements.proposed} proposed.`}
        </p>
      )}
    </Card>
  );
}

function DevicesCard({ status }: { status: StatusPageData }) {
  const d = status.devices;
  return (
    <Card headingId="status-devices" title="Devices">
      {!d ? (
        <p className="pad muted">No devices recorded yet.</p>
      ) : (
        <dl className="device-facts pad">
          <dt>Active</dt>
          <dd>{d.active}</dd>
          <dt>Managed</dt>
          <dd>{d.managed}</dd>
          <dt>Protected</dt>
          <dd>
            {d.protected}
            {d.protectionMissing + d.protectionOutdated + d.protectionUnknown > 0 && (
              <span className="muted small">
                {' '}
                ({d.protectionMissing} missing, {d.protectionOutdated} outdated, {d.protectionUnknown} not reported)
              </span>
            )}
          </dd>
          <dt>Fully patched</dt>
          <dd>
            {d.patchCurrent}
            {d.patchOverdue + d.patchPending + d.patchUnknown > 0 && (
              <span className="muted small">
                {' '}
                ({d.patchOverdue} overdue, {d.patchPending} pending, {d.patchUnknown} not reported)
              </span>
            )}
          </dd>
        </dl>
      )}
    </Card>
  );
}

/** The MSP's announcements and how-tos addressed to this client (outreach broadcasts; the
 * HTML is sanitised by the server). */
function BroadcastsCard({ status }: { status: StatusPageData }) {
  return (
    <Card headingId="status-broadcasts" title={<>From your MSP <span className="count">{status.broadcasts.length}</span></>} testId="status-broadcasts">
      <ul className="status-broadcasts">
        {status.broadcasts.map((b) => (
          <li key={b.id}>
            <strong>{b.title}</strong>{' '}
            <span className="muted small">
              {b.kind === 'HOWTO' ? 'How-to' : 'Announcement'} · {formatRelative(b.publishedAt)}
            </span>
            <div className="status-broadcast-body" dangerouslySetInnerHTML={{ __html: b.bodyHtml }} />
          </li>
        ))}
      </ul>
    </Card>
  );
}
