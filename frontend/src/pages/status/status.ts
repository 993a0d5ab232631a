import type { LayerState, ServiceState, StatusEvidence, StatusPageQuery } from '../../graphql/generated';

export type StatusPageData = StatusPageQuery['statusPage'];
export type StatusService = StatusPageData['services'][number];
export type HierarchyLayerData = NonNullable<StatusPageData['hierarchy']>[number];

/** Words and a symbol for every state, so nothing is told by colour alone. */
export const LAYER_STATE_LABEL: Record<LayerState, string> = {
  GREEN: 'Healthy',
  AMBER: 'Needs attention',
  RED: 'At risk',
  NO_DATA: 'No data',
};
export const LAYER_STATE_SYMBOL: Record<LayerState, string> = { GREEN: '✓', AMBER: '!', RED: '✕', NO_DATA: '?' };

export const SERVICE_STATE_LABEL: Record<ServiceState, string> = {
  UP: 'Up',
  DEGRADED: 'Degraded',
  DOWN: 'Down',
  MAINTENANCE: 'Maintenance',
  UNKNOWN: 'No data yet',
};
export const SERVICE_STATE_SYMBOL: Record<ServiceState, string> = {
  UP: '✓',
  DEGRADED: '!',
  DOWN: '✕',
  MAINTENANCE: '⚙',
  UNKNOWN: '?',
};

/** Where the evidence of a hierarchy reason is, for the person looking. */
export type Audience = { staff: boolean; clientSlug?: string };

export function evidenceLink(evidence: StatusEvidence, audience: Audience): string {
  const slug = audience.clientSlug ? encodeURIComponent(audience.clientSlug) : '';
  if (audience.staff) {
    const page = `/clients/${slug}?tab=status`;
    switch (evidence) {
      case 'SLA':
        return `/clients/${slug}#compliance-heading`;
      case 'TICKETS':
      case 'IMPROVEMENTS':
        return `/queue?client=${slug}`;
      case 'SERVICES':
        return `${page}#status-services`;
      case 'MFA':
        return `${page}#status-mfa`;
      case 'SECURITY_INCIDENTS':
        return `/security/${slug}`;
      case 'DEVICES':
        return `${page}#status-devices`;
      case 'HIERARCHY':
        return `${page}#status-hierarchy`;
    }
  }
  switch (evidence) {
    case 'SLA':
      return '/compliance';
    case 'TICKETS':
    case 'IMPROVEMENTS':
      return '/requests';
    case 'SERVICES':
      return '/status#status-services';
    case 'MFA':
      return '/status#status-mfa';
    case 'SECURITY_INCIDENTS':
      return '/incidents';
    case 'DEVICES':
      return '/status#status-devices';
    case 'HIERARCHY':
      return '/status#status-hierarchy';
  }
}

export const EVIDENCE_LABEL: Record<StatusEvidence, string> = {
  SERVICES: 'services',
  MFA: 'MFA coverage',
  SECURITY_INCIDENTS: 'security incidents',
  DEVICES: 'devices',
  SLA: 'SLA compliance',
  TICKETS: 'tickets',
  IMPROVEMENTS: 'improvement work',
  HIERARCHY: 'the layer below',
};

export function formatPercent(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined) return '—';
  // Up to `digits` decimals, without trailing zeros: 99.9 %, 99.95 %, 100 %.
  const fixed = value.toFixed(digits).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return `${fixed} %`;
}

/** Milliseconds of a calendar day (YYYY-MM-DD) at 00:00 UTC. */
export function utcDay(iso: string, plusDays = 0): number {
  const [y = 1970, m = 1, d = 1] = iso.split('-').map(Number);
  return Date.UTC(y, m - 1, d + plusDays);
}

/** The UTC day `index` days after `from` (YYYY-MM-DD), as the uptime bars label it. */
export function dayAfter(from: string, index: number): string {
  return new Date(utcDay(from, index)).toISOString().slice(0, 10);
}

export function shortDay(iso: string): string {
  return new Date(utcDay(iso)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}

export type UptimeTone = 'up' | 'short' | 'down' | 'none';

/** A day's bar: at or above the promise is "up", below it "short", under 95 % "down". */
export function uptimeTone(percent: number | null, promised: number | null): UptimeTone {
  if (percent === null) return 'none';
  if (percent >= (promised ?? 99.9)) return 'up';
  return percent >= 95 ? 'short' : 'down';
}

export const UPTIME_TONE_LABEL: Record<UptimeTone, string> = {
  up: 'met the promise',
  short: 'below the promise',
  down: 'major outage',
  none: 'not measured',
};

/** A one-line summary of the services for the page's banner. */
export function servicesSummary(services: readonly StatusService[]): { tone: 'ok' | 'warn' | 'bad' | 'none'; text: string } {
  if (!services.length) return { tone: 'none', text: 'No services are monitored for you yet.' };
  const down = services.filter((s) => s.state === 'DOWN').length;
  const degraded = services.filter((s) => s.state === 'DEGRADED' || s.state === 'MAINTENANCE').length;
  if (down) return { tone: 'bad', text: `${down} of ${services.length} service${services.length === 1 ? '' : 's'} down` };
  if (degraded) return { tone: 'warn', text: `${degraded} of ${services.length} service${services.length === 1 ? '' : 's'} degraded or in maintenance` };
  if (services.every((s) => s.state === 'UP')) return { tone: 'ok', text: 'All services are up' };
  return { tone: 'warn', text: 'Some services have not reported yet' };
}

/** Layers as the pyramid draws them: innovation on top, connectivity at the base. */
export function pyramidRows(layers: readonly HierarchyLayerData[]): HierarchyLayerData[] {
  return [...layers].reverse();
}
