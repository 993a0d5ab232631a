import clsx from 'clsx';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useViewer } from '../../auth/ViewerContext';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Alert, Button, EmptyState, Field } from '../../components/ui';
import type {
  PhishingReportFieldsFragment,
  PhishingReportsQuery,
  PhishingReportsQueryVariables,
  ReportPhishingMutation,
  ReportPhishingMutationVariables,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { PHISHING_REPORTS_QUERY, REPORT_PHISHING_MUTATION } from '../../graphql/operations';
import { AttachmentError, formatBytes, readFileAsBase64 } from '../../lib/files';
import { formatRelative } from '../../lib/format';
import { useSubmissionKey } from '../../lib/idempotency';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { PhishingReportView } from './PhishingReportView';
import { CampaignStatusPill } from './SecurityPills';
import { PHISHING_MAX_BYTES, VERDICT_FOR_REPORTER, clientReportPath } from './security';
import { useSecurityAction } from './useSecurityAction';
import './security.css';

const FIELDS = ['source', 'file', 'comment'] as const;

/** Client users: report a suspicious message (paste its source or upload the .eml). */
export function ReportPhishingPage() {
  useDocumentTitle('Report phishing');
  const { viewer } = useViewer();
  const clientSlug = clientUserSlug(viewer);
  const [mode, setMode] = useState<'upload' | 'paste'>('upload');
  const [source, setSource] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [comment, setComment] = useState('');
  const [localError, setLocalError] = useState<string | null>(null);
  const [sent, setSent] = useState<PhishingReportFieldsFragment | null>(null);
  const submission = useSubmissionKey();
  const reports = useQuery<PhishingReportsQuery, PhishingReportsQueryVariables>(PHISHING_REPORTS_QUERY, clientSlug ? { clientSlug } : {});
  const action = useSecurityAction<ReportPhishingMutation, ReportPhishingMutationVariables, PhishingReportFieldsFragment>(REPORT_PHISHING_MUTATION, FIELDS);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setLocalError(null);
    let input: ReportPhishingMutationVariables['input'];
    if (mode === 'upload') {
      if (!file) {
        setLocalError('Choose the .eml file of the message.');
        return;
      }
      let dataBase64: string;
      try {
        dataBase64 = await readFileAsBase64(file, PHISHING_MAX_BYTES);
      } catch (err) {
        setLocalError(err instanceof AttachmentError ? err.message : 'The file could not be read.');
        return;
      }
      input = { file: { filename: file.name, dataBase64 } };
    } else {
      if (!source.trim()) {
        setLocalError('Paste the message’s full source, headers included.');
        return;
      }
      input = { source };
    }
    const content = { ...input, ...(comment.trim() ? { comment: comment.trim() } : {}), ...(clientSlug ? { clientSlug } : {}) };
    const result = await action.run({ input: { ...content, idempotencyKey: submission.keyFor(content) } });
    if (result.ok && result.value) {
      submission.done();
      setSent(result.value);
      setSource('');
      setFile(null);
      setComment('');
      void reports.refetch();
    }
  }

  const fieldError = localError ?? action.errors.fields[mode === 'upload' ? 'file' : 'source'] ?? null;

  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">Report phishing</h1>
          <p className="page-subtitle">Got a message that looks wrong? Send it to our security team. Don’t click its links or open its attachments.</p>
        </div>
      </div>

      {sent ? (
        <div className="stack">
          <Alert tone="success" title="Thank you — your report reached our security team" action={<Button size="sm" onClick={() => setSent(null)}>Report another</Button>}>
            We’ll tell you what we find. You can delete the message from your mailbox now.
          </Alert>
          <PhishingReportView report={sent} showHeaders={false} />
        </div>
      ) : (
        <Card headingId="report-form-heading" title="The suspicious message">
          <form className="pad stack phish-form" onSubmit={(e) => void onSubmit(e)} noValidate data-testid="report-phishing-form">
            {action.generalMessages.length > 0 && <Alert title="The report wasn’t sent">{action.generalMessages.join(' ')}</Alert>}
            <div className="segmented" role="group" aria-label="How to send the message">
              <button type="button" className={clsx(mode === 'upload' && 'is-active')} aria-pressed={mode === 'upload'} onClick={() => setMode('upload')} data-testid="phish-mode-upload">
                Upload .eml
              </button>
              <button type="button" className={clsx(mode === 'paste' && 'is-active')} aria-pressed={mode === 'paste'} onClick={() => setMode('paste')} data-testid="phish-mode-paste">
                Paste source
              </button>
            </div>
            {mode === 'upload' ? (
              <Field label="Message file (.eml)" hint={`Outlook: drag the message to your desktop, or File → Save as. At most ${formatBytes(PHISHING_MAX_BYTES)}.`} error={fieldError}>
                {({ id, describedBy, invalid }) => (
                  <input
                    id={id}
                    type="file"
                    accept=".eml,message/rfc822"
                    className="input"
                    aria-describedby={describedBy}
                    aria-invalid={invalid || undefined}
                    onChange={(e) => setFile(e.target.files?.[0] ?? null)}
                    data-testid="phish-file"
                  />
                )}
              </Field>
            ) : (
              <Field label="Message source" hint="Gmail: ⋮ → Show original → Copy to clipboard. Outlook on the web: … → View → View message source." error={fieldError}>
                {({ id, describedBy, invalid }) => (
                  <textarea id={id} className="textarea" value={source} onChange={(e) => setSource(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} spellCheck={false} data-testid="phish-source" />
                )}
              </Field>
            )}
            <Field label="Anything to add?" optional error={action.errors.fields['comment']}>
              {({ id, describedBy }) => <textarea id={id} className="textarea" rows={2} maxLength={2000} value={comment} onChange={(e) => setComment(e.target.value)} aria-describedby={describedBy} placeholder="e.g. I clicked the link before I noticed" />}
            </Field>
            <div className="row gap-sm">
              <Button variant="primary" type="submit" loading={action.loading} data-testid="phish-submit">
                Send report
              </Button>
            </div>
          </form>
        </Card>
      )}

      <Card headingId="my-reports-heading" title="Your reports" className="mt">
        {reports.error && <QueryError title="Couldn’t load your reports" error={reports.error} onRetry={reports.refetch} retrying={reports.loading} />}
        {reports.data && reports.data.phishingReports.length === 0 ? (
          <EmptyState title="No reports yet" />
        ) : (
          <ul className="message-list" data-testid="my-phishing-reports">
            {(reports.data?.phishingReports ?? []).map((r) => (
              <li key={r.id}>
                <Link to={clientReportPath(r.id)} className="strong">
                  {r.subject || '(no subject)'}
                </Link>{' '}
                <CampaignStatusPill status={r.status} />
                <div className="small muted">
                  from {r.fromAddress || 'an unknown sender'} · reported {formatRelative(r.createdAt)}
                  {r.reporterName && viewer?.fullName !== r.reporterName ? ` by ${r.reporterName}` : ''}
                </div>
                <div className="small">{VERDICT_FOR_REPORTER[r.status]}</div>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
