import { useEffect, useId, useRef, useState } from 'react';
import { QueryError } from '../../components/QueryError';
import { Alert, Button } from '../../components/ui';
import type { CsvImportFieldsFragment } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { AttachmentError, formatBytes, readFileAsBase64 } from '../../lib/files';
import { formatDateTime, formatNumber, pluralize } from '../../lib/format';
import { CSV_MAX_BYTES, importPercent, importStatusText } from './csvImport';
import './assets.css';

export type ImportError = { field?: string | null; code: string; message: string };
export type ImportAnswer = { job: CsvImportFieldsFragment | null | undefined; errors: readonly ImportError[] } | undefined;

/**
 * Upload a CSV file, see what it would do (counts and every row error) before anything is
 * written, then apply it all or nothing while a progress bar follows the worker.
 * The server does the work (core/csv_import.py); this panel only shows it.
 */
export function CsvImportPanel({
  title,
  columnsHint,
  testId,
  preview,
  apply,
  discard,
  pollQuery,
  pollVariables,
  pickJob,
  onApplied,
  pollEveryMs = 1000,
}: {
  title: string;
  columnsHint: React.ReactNode;
  testId: string;
  preview: (fileName: string, dataBase64: string) => Promise<ImportAnswer>;
  apply: (id: string) => Promise<ImportAnswer>;
  discard: (id: string) => Promise<ImportAnswer>;
  pollQuery: string;
  pollVariables: (id: string) => Record<string, unknown>;
  pickJob: (data: unknown) => CsvImportFieldsFragment | null | undefined;
  onApplied?: () => void;
  /** How often a running import is asked for its progress. */
  pollEveryMs?: number;
}) {
  const inputId = useId();
  const fileRef = useRef<HTMLInputElement>(null);
  const [job, setJob] = useState<CsvImportFieldsFragment | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const live = job?.status === 'QUEUED' || job?.status === 'APPLYING';
  const poll = useQuery<unknown>(pollQuery, job ? pollVariables(job.id) : {}, { skip: !job || !live, pollInterval: pollEveryMs });
  const polled = poll.data ? pickJob(poll.data) : null;
  const shown = live && polled && polled.id === job?.id ? polled : job;
  const notified = useRef<string | null>(null);

  useEffect(() => {
    if (polled && job && polled.id === job.id && polled.status !== job.status && !(polled.status === 'QUEUED' || polled.status === 'APPLYING')) {
      setJob(polled);
    }
  }, [polled, job]);
  useEffect(() => {
    if (shown?.status === 'APPLIED' && notified.current !== shown.id) {
      notified.current = shown.id;
      onApplied?.();
    }
  }, [shown, onApplied]);

  async function onFile(file: File | undefined) {
    if (!file) return;
    setProblem(null);
    setJob(null);
    setBusy(true);
    try {
      const data = await readFileAsBase64(file, CSV_MAX_BYTES);
      const answer = await preview(file.name, data);
      if (!answer) setProblem('The file could not be sent. Check your connection and try again.');
      else if (answer.errors.length) setProblem(answer.errors.map((e) => e.message).join(' '));
      else setJob(answer.job ?? null);
    } catch (err) {
      setProblem(err instanceof AttachmentError ? err.message : 'The file could not be read.');
    } finally {
      setBusy(false);
      if (fileRef.current) fileRef.current.value = '';
    }
  }

  async function run(action: (id: string) => Promise<ImportAnswer>) {
    if (!job) return;
    setBusy(true);
    setProblem(null);
    const answer = await action(job.id);
    setBusy(false);
    if (!answer) setProblem('The request could not be sent. Try again.');
    else if (answer.errors.length) setProblem(answer.errors.map((e) => e.message).join(' '));
    else setJob(answer.job ?? null);
  }

  const headingId = `${inputId}-heading`;
  return (
    <section className="card" aria-labelledby={headingId} data-testid={testId}>
      <div className="card-header">
        <h2 className="card-title" id={headingId}>
          {title}
        </h2>
      </div>
      <div className="pad stack-sm">
        <div className="field-hint">{columnsHint}</div>
        <div className="row gap-sm import-picker">
          <label className="btn btn-secondary btn-sm" htmlFor={inputId}>
            {job ? 'Choose another file' : 'Choose a CSV file'}
          </label>
          <input
            id={inputId}
            ref={fileRef}
            className="sr-only"
            type="file"
            accept=".csv,text/csv"
            disabled={busy || live}
            onChange={(e) => void onFile(e.target.files?.[0])}
            data-testid={`${testId}-file`}
          />
          <span className="muted small">CSV, UTF-8 or Excel’s format, at most {formatBytes(CSV_MAX_BYTES)}.</span>
        </div>
        {busy && !job && <p className="muted small" aria-live="polite">Checking the file…</p>}
        {problem && (
          <Alert tone="error" title="The file was not accepted">
            <span data-testid={`${testId}-problem`}>{problem}</span>
          </Alert>
        )}
        {poll.error && live && <QueryError title="Couldn’t follow the import" error={poll.error} onRetry={poll.refetch} />}
        {shown && <ImportSummary job={shown} testId={testId} />}
        {shown && shown.status === 'PREVIEWED' && (
          <div className="row gap-sm">
            <Button variant="primary" size="sm" disabled={!shown.canApply} loading={busy} onClick={() => void run(apply)} data-testid={`${testId}-apply`}>
              Import {formatNumber(shown.toCreate + shown.toUpdate + shown.toRemove)} {pluralize(shown.toCreate + shown.toUpdate + shown.toRemove, 'change')}
            </Button>
            <Button variant="ghost" size="sm" disabled={busy} onClick={() => void run(discard)} data-testid={`${testId}-discard`}>
              Discard
            </Button>
          </div>
        )}
      </div>
    </section>
  );
}

function ImportSummary({ job, testId }: { job: CsvImportFieldsFragment; testId: string }) {
  const pct = importPercent(job);
  const tone = job.status === 'FAILED' ? 'is-failed' : job.status === 'APPLIED' ? 'is-done' : '';
  return (
    <div className="stack-sm" data-testid={`${testId}-summary`} data-status={job.status}>
      <div className="progress-head">
        <span className="strong break">{job.fileName || 'Uploaded file'}</span>
        <span className="muted" aria-live="polite" data-testid={`${testId}-status`}>
          {importStatusText(job)}
        </span>
      </div>
      {(job.status === 'QUEUED' || job.status === 'APPLYING' || job.status === 'APPLIED') && (
        <div
          className={`progress ${tone}`}
          role="progressbar"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={pct}
          aria-label="Import progress"
          data-testid={`${testId}-progress`}
        >
          <div className="progress-bar" style={{ width: `${pct}%` }} />
        </div>
      )}
      <ul className="import-counts" aria-label="What the file does">
        <li>
          <strong>{formatNumber(job.toCreate)}</strong> new
        </li>
        <li>
          <strong>{formatNumber(job.toUpdate)}</strong> changed
        </li>
        <li>
          <strong>{formatNumber(job.unchanged)}</strong> unchanged
        </li>
        {job.toRemove > 0 && (
          <li>
            <strong>{formatNumber(job.toRemove)}</strong> removed
          </li>
        )}
        <li className={job.errorCount ? 'text-red' : undefined}>
          <strong>{formatNumber(job.errorCount)}</strong> {pluralize(job.errorCount, 'row error')}
        </li>
      </ul>
      {job.status === 'PREVIEWED' && job.sameFileAppliedAt && (
        <p className="muted small" data-testid={`${testId}-same-file`}>
          This very file was imported on {formatDateTime(job.sameFileAppliedAt)}.
        </p>
      )}
      {job.status === 'PREVIEWED' && job.errorCount === 0 && !job.canApply && (
        <Alert tone="info">The file matches what is stored: importing it would change nothing.</Alert>
      )}
      {job.status === 'FAILED' && <Alert tone="error" title="Nothing was imported">{job.failure}</Alert>}
      {job.status === 'APPLIED' && <Alert tone="success">Imported. Every row of the file is in.</Alert>}
      {job.errors.length > 0 && (
        // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
        <div className="table-wrap flat" role="region" aria-label="Row errors" tabIndex={0}>
          <table className="table" data-testid={`${testId}-errors`}>
            <caption className="sr-only">Rows that need correcting before the file can be imported</caption>
            <thead>
              <tr>
                <th scope="col" className="num">
                  Line
                </th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {job.errors.map((e, i) => (
                <tr key={`${e.line}-${e.column}-${i}`}>
                  <td className="num tabular">{e.line}</td>
                  <td className="mono small">{e.column || '—'}</td>
                  <td>{e.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {job.errorCount > job.errors.length && (
            <p className="muted small pad">
              Showing the first {job.errors.length} of {formatNumber(job.errorCount)} errors.
            </p>
          )}
        </div>
      )}
    </div>
  );
}
