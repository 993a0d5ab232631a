import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Card } from '../../components/Card';
import { DetailSkeleton } from '../../components/CardsSkeleton';
import { QueryError } from '../../components/QueryError';
import { Alert, Button, EmptyState, Field, SelectField, TextField } from '../../components/ui';
import type {
  PhishingCampaignFieldsFragment,
  PhishingCampaignQuery,
  PhishingCampaignQueryVariables,
  PhishingReportQuery,
  PhishingReportQueryVariables,
  PhishingVerdict,
  SecuritySeverity,
  TriagePhishingCampaignMutation,
  TriagePhishingCampaignMutationVariables,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { PHISHING_CAMPAIGN_QUERY, PHISHING_REPORT_QUERY, TRIAGE_PHISHING_CAMPAIGN_MUTATION } from '../../graphql/operations';
import { formatDateTime } from '../../lib/format';
import { parseTicketNumber } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PhishingReportView } from './PhishingReportView';
import { CampaignStatusPill } from './SecurityPills';
import { SEVERITIES, SEVERITY_LABEL, staffIncidentPath, staffSecurityPath } from './security';
import { useSecurityAction } from './useSecurityAction';
import './security.css';

const FIELDS = ['note', 'title', 'severity', 'verdict'] as const;

/** Staff: the reports of one phishing campaign, and its triage (incident or safe). */
export function CampaignPage() {
  const { slug = '', id: rawId } = useParams();
  const id = parseTicketNumber(rawId);
  const q = useQuery<PhishingCampaignQuery, PhishingCampaignQueryVariables>(PHISHING_CAMPAIGN_QUERY, { id: String(id ?? 0), clientSlug: slug }, { skip: id === null });
  const [fresh, setFresh] = useState<PhishingCampaignFieldsFragment | null>(null);
  useEffect(() => setFresh(null), [id, slug]);
  const campaign = fresh ?? q.data?.phishingCampaign ?? null;
  const [openReport, setOpenReport] = useState(0);
  const chosen = campaign?.reports[Math.min(openReport, Math.max(campaign.reports.length - 1, 0))] ?? null;
  // The chosen report in full (headers, links, attachments): one at a time keeps the page cheap.
  const reportQuery = useQuery<PhishingReportQuery, PhishingReportQueryVariables>(
    PHISHING_REPORT_QUERY,
    { id: chosen?.id ?? '0', clientSlug: slug },
    { skip: !chosen },
  );
  const report = reportQuery.data?.phishingReport ?? null;
  useDocumentTitle(campaign ? `Phishing: ${campaign.subject}` : 'Phishing report');

  let content;
  if (id === null || (q.data && !campaign)) {
    content = <EmptyState title="Report not found">There is no such phishing report for this client.</EmptyState>;
  } else if (q.error && !campaign) {
    content = <QueryError title="Couldn’t load this report" error={q.error} onRetry={q.refetch} retrying={q.loading} />;
  } else if (!campaign) {
    content = <DetailSkeleton label="Loading report" titleWidth={360} />;
  } else {
    content = (
      <>
        <div className="detail-header">
          <div>
            <h1 className="page-title" data-testid="campaign-subject">
              {campaign.subject || '(no subject)'}
            </h1>
            <div className="detail-meta">
              <span data-testid="campaign-status">
                <CampaignStatusPill status={campaign.status} />
              </span>
              <span className="muted">
                {campaign.reportCount} {campaign.reportCount === 1 ? 'report' : 'reports'} · {campaign.senderDomain || 'unknown sender'} · first {formatDateTime(campaign.firstReportedAt)}
              </span>
            </div>
          </div>
        </div>
        <div className="detail-grid">
          <div className="detail-main">
            {campaign.reports.length > 1 && (
              <Card headingId="campaign-reports-heading" title="Reports">
                <ul className="message-list">
                  {campaign.reports.map((r, i) => (
                    <li key={r.id}>
                      <button type="button" className="link-btn" aria-pressed={i === openReport} onClick={() => setOpenReport(i)}>
                        {r.reporterName}
                      </button>{' '}
                      <span className="small muted">
                        {formatDateTime(r.createdAt)} · from {r.fromAddress || 'unknown'}
                      </span>
                    </li>
                  ))}
                </ul>
              </Card>
            )}
            {chosen?.comment && (
              <Alert tone="info" title={`${chosen.reporterName} wrote`}>
                {chosen.comment}
              </Alert>
            )}
            {reportQuery.error && <QueryError title="Couldn’t load this report" error={reportQuery.error} onRetry={reportQuery.refetch} retrying={reportQuery.loading} />}
            {report && report.id === chosen?.id ? <PhishingReportView report={report} /> : !reportQuery.error && <DetailSkeleton label="Loading report" titleWidth={240} />}
          </div>
          <aside className="detail-side">
            <TriageCard campaign={campaign} clientSlug={slug} onCampaign={setFresh} />
          </aside>
        </div>
      </>
    );
  }
  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/security">Security</Link>
        <span aria-hidden="true">/</span>
        <Link to={staffSecurityPath(slug)}>{slug}</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">Phishing report</span>
      </nav>
      {content}
    </div>
  );
}

function TriageCard({ campaign, clientSlug, onCampaign }: { campaign: PhishingCampaignFieldsFragment; clientSlug: string; onCampaign: (c: PhishingCampaignFieldsFragment) => void }) {
  const [note, setNote] = useState('');
  const [severity, setSeverity] = useState<SecuritySeverity>('MEDIUM');
  const [title, setTitle] = useState('');
  const [existing, setExisting] = useState('');
  const action = useSecurityAction<TriagePhishingCampaignMutation, TriagePhishingCampaignMutationVariables, PhishingCampaignFieldsFragment>(TRIAGE_PHISHING_CAMPAIGN_MUTATION, FIELDS, onCampaign);

  async function decide(verdict: PhishingVerdict) {
    const number = existing.trim() ? Number(existing.trim()) : null;
    await action.run({
      campaignId: campaign.id,
      clientSlug,
      verdict,
      ...(note.trim() ? { note: note.trim() } : {}),
      ...(verdict === 'INCIDENT' ? { severity, ...(title.trim() ? { title: title.trim() } : {}), ...(number ? { incidentNumber: number } : {}) } : {}),
    });
  }

  if (campaign.status === 'INCIDENT') {
    return (
      <Card headingId="triage-heading" title="Verdict" testId="triage-card">
        <div className="pad stack-sm">
          <p>
            Handled as a security incident{' '}
            {campaign.incidentNumber && <Link to={staffIncidentPath(clientSlug, campaign.incidentNumber)}>SEC-{campaign.incidentNumber}</Link>}
            {campaign.triagedBy && <> by {campaign.triagedBy.fullName}</>}.
          </p>
          {campaign.verdictNote && <p className="small">{campaign.verdictNote}</p>}
          <p className="small muted">New reports of the same message join the incident; their reporters are added as affected.</p>
        </div>
      </Card>
    );
  }
  return (
    <Card headingId="triage-heading" title={campaign.status === 'SAFE' ? 'Verdict: safe' : 'Triage'} testId="triage-card">
      <div className="pad stack-sm">
        {campaign.status === 'SAFE' && (
          <p className="small">
            Marked safe{campaign.triagedBy && <> by {campaign.triagedBy.fullName}</>}
            {campaign.triagedAt && <> on {formatDateTime(campaign.triagedAt)}</>}. {campaign.verdictNote}
          </p>
        )}
        {action.generalMessages.length > 0 && <Alert>{action.generalMessages.join(' ')}</Alert>}
        <Field label="Note to the record" optional error={action.errors.fields['note']}>
          {({ id, describedBy }) => <textarea id={id} className="textarea" rows={3} value={note} onChange={(e) => setNote(e.target.value)} aria-describedby={describedBy} data-testid="triage-note" />}
        </Field>
        <SelectField label="Severity of the incident" value={severity} onChange={(e) => setSeverity(e.target.value as SecuritySeverity)} data-testid="triage-severity">
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_LABEL[s]}
            </option>
          ))}
        </SelectField>
        <TextField label="Incident title" optional maxLength={200} placeholder={`Phishing: ${campaign.subject}`} value={title} onChange={(e) => setTitle(e.target.value)} error={action.errors.fields['title']} />
        <TextField label="Or add to incident SEC-" optional inputMode="numeric" value={existing} onChange={(e) => setExisting(e.target.value.replace(/\D/g, ''))} hint="The number of an open incident these reports belong to." />
        <div className="security-actions">
          <Button variant="danger" loading={action.loading} onClick={() => void decide('INCIDENT')} data-testid="triage-incident">
            {existing ? `Add to SEC-${existing}` : 'Open incident'}
          </Button>
          {campaign.status === 'NEW' && (
            <Button loading={action.loading} onClick={() => void decide('SAFE')} data-testid="triage-safe">
              Mark safe
            </Button>
          )}
        </div>
        <p className="small muted">Every reporter is told the verdict in the portal and by e-mail.</p>
      </div>
    </Card>
  );
}
