import type { BoardSection, CheckInKind, HealthBand, Sentiment } from '../../graphql/generated';

export const BAND_LABEL: Record<HealthBand, string> = {
  HEALTHY: 'Healthy',
  WATCH: 'Watch',
  AT_RISK: 'At risk',
  NO_DATA: 'No data',
};

export const BAND_TONE: Record<HealthBand, 'green' | 'amber' | 'accent' | 'grey'> = {
  HEALTHY: 'green',
  WATCH: 'amber',
  AT_RISK: 'accent',
  NO_DATA: 'grey',
};

export const SECTION_LABEL: Record<BoardSection, string> = {
  OVERDUE: 'Overdue',
  DUE_THIS_WEEK: 'Due this week',
  UPCOMING: 'Upcoming',
};

export const KIND_LABEL: Record<CheckInKind, string> = {
  CALL: 'Call',
  MEETING: 'Meeting',
  QBR: 'Quarterly business review',
  EMAIL: 'E-mail',
};

export const SENTIMENT_LABEL: Record<Sentiment, string> = {
  POSITIVE: 'Positive',
  NEUTRAL: 'Neutral',
  NEGATIVE: 'Negative',
};

/** Errors of an outreach mutation as one sentence (field errors name the field). */
export function errorText(errors: readonly { field: string | null; message: string }[]): string {
  return errors.map((e) => e.message).join(' ');
}

/** Today as YYYY-MM-DD in the browser's time zone (a date input's value). */
export function todayIso(now: Date = new Date()): string {
  const local = new Date(now.getTime() - now.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 10);
}
