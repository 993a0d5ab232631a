import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { DeviceImportCard } from './DeviceImportCard';
import { DevicesSection } from './DevicesSection';
import { MfaSection } from './MfaSection';
import { SitesSection } from './SitesSection';
import './assets.css';

export const CLIENT_TABS = [
  ['overview', 'Overview'],
  ['status', 'Status'],
  ['sites', 'Sites'],
  ['devices', 'Devices'],
  ['mfa', 'MFA coverage'],
] as const;
export type ClientTab = (typeof CLIENT_TABS)[number][0];

export function useClientTab(): ClientTab {
  const [params] = useSearchParams();
  const tab = params.get('tab');
  return CLIENT_TABS.some(([key]) => key === tab) ? (tab as ClientTab) : 'overview';
}

/** The staff client page's tabs (in the URL: `?tab=devices`, filters alongside): the overview,
 * the client's live status (its status page, staff view), sites, devices and MFA coverage. */
export function ClientTabNav({ current }: { current: ClientTab }) {
  return (
    <nav className="tabs" aria-label="Client sections" data-testid="client-tabs">
      {CLIENT_TABS.map(([key, label]) => (
        <Link key={key} to={key === 'overview' ? '?' : `?tab=${key}`} aria-current={current === key ? 'page' : undefined} data-testid={`client-tab-${key}`}>
          {label}
        </Link>
      ))}
    </nav>
  );
}

/** The content of the Sites, Devices and MFA tabs for staff (who edit and import). */
export function ClientAssetTab({ tab, clientSlug }: { tab: Exclude<ClientTab, 'overview' | 'status'>; clientSlug: string }) {
  // An applied import reloads the list below it.
  const [version, setVersion] = useState(0);
  if (tab === 'sites') return <SitesSection clientSlug={clientSlug} canEdit />;
  if (tab === 'mfa') return <MfaSection clientSlug={clientSlug} />;
  return (
    <div className="asset-stack">
      <DevicesSection key={version} clientSlug={clientSlug} canEdit />
      <DeviceImportCard clientSlug={clientSlug} onApplied={() => setVersion((v) => v + 1)} />
    </div>
  );
}
