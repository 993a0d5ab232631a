import type { CsvImportFieldsFragment, CsvImportStatus } from '../../graphql/generated';
import { formatNumber } from '../../lib/format';

/** The server's limit (core/csv_import.py MAX_FILE_BYTES: 5 MiB). */
export const CSV_MAX_BYTES = 5 * 1024 * 1024;

export const IMPORT_STATUS_LABEL: Record<CsvImportStatus, string> = {
  PREVIEWED: 'Preview',
  QUEUED: 'Waiting for a worker',
  APPLYING: 'Importing',
  APPLIED: 'Imported',
  FAILED: 'Failed',
  DISCARDED: 'Discarded',
};

/** 0–100: rows applied of the file's rows (a finished import is 100). */
export function importPercent(job: Pick<CsvImportFieldsFragment, 'status' | 'processedRows' | 'totalRows'>): number {
  if (job.status === 'APPLIED') return 100;
  if (!job.totalRows) return 0;
  return Math.max(0, Math.min(100, Math.round((job.processedRows / job.totalRows) * 100)));
}

export function importStatusText(job: Pick<CsvImportFieldsFragment, 'status' | 'processedRows' | 'totalRows'>): string {
  const label = IMPORT_STATUS_LABEL[job.status];
  if (job.status === 'APPLYING' || job.status === 'APPLIED') {
    return `${label} · ${formatNumber(job.processedRows)} of ${formatNumber(job.totalRows)} rows`;
  }
  return `${label} · ${formatNumber(job.totalRows)} rows`;
}
