import type { InvoiceStatus, RunItemStatus } from '../../graphql/generated';

/** "1234.5" in EUR → "€1,234.50" (the server sends amounts already at the minor unit). */
export function formatMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const value = Number(amount);
  if (!Number.isFinite(value)) return `${amount} ${currency}`;
  const digits = (amount.split('.')[1] ?? '').length;
  try {
    return new Intl.NumberFormat(undefined, {
      style: 'currency',
      currency,
      minimumFractionDigits: digits,
      maximumFractionDigits: digits,
    }).format(value);
  } catch {
    return `${amount} ${currency}`;
  }
}

/** 95 → "1 h 35 min"; 60 → "1 h"; 0 → "0 h". */
export function formatMinutes(minutes: number): string {
  const sign = minutes < 0 ? '−' : '';
  const m = Math.abs(minutes);
  const hours = Math.floor(m / 60);
  const rest = m % 60;
  if (!rest) return `${sign}${hours} h`;
  return hours ? `${sign}${hours} h ${rest} min` : `${sign}${rest} min`;
}

export const INVOICE_STATUS_LABEL: Record<InvoiceStatus, string> = {
  DRAFT: 'Draft',
  ISSUED: 'Open',
  PARTIALLY_PAID: 'Partially paid',
  PAID: 'Paid',
  CREDITED: 'Credited',
  VOID: 'Void',
  UNCOLLECTIBLE: 'Written off',
};

export const INVOICE_STATUS_TONE: Record<InvoiceStatus, 'grey' | 'blue' | 'green' | 'amber' | 'violet'> = {
  DRAFT: 'grey',
  ISSUED: 'blue',
  PARTIALLY_PAID: 'amber',
  PAID: 'green',
  CREDITED: 'violet',
  VOID: 'grey',
  UNCOLLECTIBLE: 'amber',
};

export const RUN_ITEM_STATUS_LABEL: Record<RunItemStatus, string> = {
  QUEUED: 'Queued',
  DRAFT: 'To review',
  APPROVED: 'Approved',
  ISSUED: 'Issued',
  NOTHING_TO_BILL: 'Nothing to bill',
  FAILED: 'Failed',
};

/** The last day of a half-open period [start, end): what people read as "to". */
export function periodLabel(start: string | null | undefined, end: string | null | undefined): string {
  if (!start || !end) return '—';
  const last = new Date(`${end}T00:00:00Z`);
  last.setUTCDate(last.getUTCDate() - 1);
  const fmt = (d: Date) => d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return `${fmt(new Date(`${start}T00:00:00Z`))} – ${fmt(last)}`;
}

/** Drift worth a highlight: the live count differs from the contracted number. */
export function driftTone(drift: string | null | undefined): 'none' | 'up' | 'down' {
  if (drift === null || drift === undefined) return 'none';
  const value = Number(drift);
  if (value > 0) return 'up';
  if (value < 0) return 'down';
  return 'none';
}
