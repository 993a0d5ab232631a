import { Link, useParams } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { DetailSkeleton } from '../../components/CardsSkeleton';
import { QueryError } from '../../components/QueryError';
import { Alert, EmptyState } from '../../components/ui';
import type { PhishingReportQuery, PhishingReportQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { PHISHING_REPORT_QUERY } from '../../graphql/operations';
import { formatDateTime } from '../../lib/format';
import { clientUserSlug, parseTicketNumber } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PhishingReportView } from './PhishingReportView';
import { CampaignStatusPill } from './SecurityPills';
import { VERDICT_FOR_REPORTER, clientIncidentPath } from './security';

/** Client users: one of their reports (IT leads: any of the company's) and its verdict. */
export function PhishingReportPage() {
  const params = useParams();
  const { viewer } = useViewer();
  const clientSlug = clientUserSlug(viewer);
  const id = parseTicketNumber(params['id']);
  const q = useQuery<PhishingReportQuery, PhishingReportQueryVariables>(
    PHISHING_REPORT_QUERY,
    { id: String(id ?? 0), ...(clientSlug ? { clientSlug } : {}) },
    { skip: id === null },
  );
  const report = q.data?.phishingReport ?? null;
  useDocumentTitle(report ? `Report: ${report.subject}` : 'Phishing report');
  let content;
  if (id === null || (q.data && !report)) {
    content = <EmptyState title="Report not found">There is no such report here, or you don’t have access to it.</EmptyState>;
  } else if (q.error && !report) {
    content = <QueryError title="Couldn’t load this report" error={q.error} onRetry={q.refetch} retrying={q.loading} />;
  } else if (!report) {
    content = <DetailSkeleton label="Loading report" titleWidth={360} />;
  } else {
    content = (
      <div className="stack">
        <div className="detail-header">
          <div>
            <h1 className="page-title">{report.subject || '(no subject)'}</h1>
            <div className="detail-meta">
              <CampaignStatusPill status={report.status} />
              <span className="muted">
                reported by {report.reporterName} · {formatDateTime(report.createdAt)}
              </span>
            </div>
          </div>
        </div>
        <Alert tone={report.status === 'INCIDENT' ? 'warning' : report.status === 'SAFE' ? 'success' : 'info'} title="Verdict">
          {VERDICT_FOR_REPORTER[report.status]}{' '}
          {report.incidentNumber && <Link to={clientIncidentPath(report.incidentNumber)}>Open SEC-{report.incidentNumber}</Link>}
        </Alert>
        <PhishingReportView report={report} showHeaders={false} />
      </div>
    );
  }
  return (
    <div className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/phishing">Report phishing</Link>
        <span aria-hidden="true">/</span>
        <span aria-current="page">Report</span>
      </nav>
      {content}
    </div>
  );
}
