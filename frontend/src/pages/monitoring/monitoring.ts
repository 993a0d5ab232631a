import type { MonitorKind, MonitorState, ServiceCategory, ServiceState } from '../../graphql/generated';

export type StateTone = 'green' | 'amber' | 'red' | 'grey' | 'blue';

export const MONITOR_KINDS: readonly MonitorKind[] = ['HTTP', 'TCP', 'HEARTBEAT', 'PUSH'];
export const SERVICE_CATEGORIES: readonly ServiceCategory[] = ['CONNECTIVITY', 'COLLABORATION', 'LINE_OF_BUSINESS', 'SECURITY', 'OTHER'];

export const MONITOR_KIND_LABEL: Record<MonitorKind, string> = {
  HTTP: 'HTTP(S)',
  TCP: 'TCP port',
  HEARTBEAT: 'Heartbeat',
  PUSH: 'Push (agent)',
};

export const SERVICE_CATEGORY_LABEL: Record<ServiceCategory, string> = {
  CONNECTIVITY: 'Connectivity',
  COLLABORATION: 'Collaboration',
  LINE_OF_BUSINESS: 'Line of business',
  SECURITY: 'Security',
  OTHER: 'Other',
};

export const STATE_LABEL: Record<MonitorState | ServiceState, string> = {
  UP: 'Up',
  DEGRADED: 'Degraded',
  DOWN: 'Down',
  UNKNOWN: 'Not checked yet',
  PAUSED: 'Paused',
  MAINTENANCE: 'Maintenance',
};

export const STATE_TONE: Record<MonitorState | ServiceState, StateTone> = {
  UP: 'green',
  DEGRADED: 'amber',
  DOWN: 'red',
  UNKNOWN: 'grey',
  PAUSED: 'grey',
  MAINTENANCE: 'blue',
};

/** "every 5 min", "every 30 s", "every 2 h". */
export function formatInterval(seconds: number): string {
  if (seconds % 3600 === 0) return `every ${seconds / 3600} h`;
  if (seconds % 60 === 0) return `every ${seconds / 60} min`;
  return `every ${seconds} s`;
}

/** What a monitor checks, in a few words. */
export function describeMonitor(m: { kind: MonitorKind; target: string; intervalSeconds: number; heartbeatGraceSeconds: number }): string {
  switch (m.kind) {
    case 'HTTP':
    case 'TCP':
      return `${m.target || '(target hidden)'} · ${formatInterval(m.intervalSeconds)}`;
    case 'HEARTBEAT':
      return `expects a ping ${formatInterval(m.intervalSeconds)} (+${Math.round(m.heartbeatGraceSeconds / 60)} min grace)`;
    case 'PUSH':
      return 'results reported by an agent';
  }
}

/** Parse a whole number from a form field; '' → null, anything else that is not an integer → NaN. */
export function parseWhole(text: string): number | null {
  const t = text.trim();
  if (!t) return null;
  return /^\d+$/.test(t) ? Number(t) : Number.NaN;
}

/** A <input type="datetime-local"> value (local time) → ISO instant; '' or junk → null. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** Minutes/hours/days since `iso`, for "down for …". */
export function durationSince(iso: string, now: Date = new Date()): string {
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(iso).getTime()) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}
