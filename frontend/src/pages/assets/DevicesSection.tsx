import { useCallback, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import { Card } from '../../components/Card';
import { QueryError } from '../../components/QueryError';
import { Button, EmptyState, FilterSelect, Skeleton } from '../../components/ui';
import type { ContactsQuery, ContactsQueryVariables, DeviceFieldsFragment, DevicesQuery, DevicesQueryVariables, SitesQuery, SitesQueryVariables } from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CONTACTS_QUERY, DEVICES_QUERY, SITES_QUERY } from '../../graphql/operations';
import { isOneOf } from '../../lib/enums';
import { formatDate, formatNumber, formatRelative } from '../../lib/format';
import { useDebouncedValue } from '../../lib/useDebounced';
import { DeviceDialog } from './DeviceDialog';
import {
  CRITICALITIES,
  CRITICALITY_LABEL,
  DEVICE_KINDS,
  DEVICE_KIND_LABEL,
  PATCH_LABEL,
  PATCH_STATUSES,
  PATCH_TONE,
  PROTECTION_LABEL,
  PROTECTION_STATUSES,
  PROTECTION_TONE,
} from './labels';
import { StatePill } from './StatePill';
import './assets.css';

const PAGE = 50;

/** Filters live in the URL (shareable, back button): site, type, managed, criticality, protection, patch, q. */
export function deviceFilters(params: URLSearchParams): Omit<DevicesQueryVariables, 'clientSlug' | 'first' | 'after'> {
  const type = params.get('type');
  const criticality = params.get('criticality');
  const protection = params.get('protection');
  const patch = params.get('patch');
  const managed = params.get('managed');
  return {
    ...(params.get('site') ? { siteId: params.get('site') } : {}),
    ...(params.get('owner') ? { ownerId: params.get('owner') } : {}),
    ...(isOneOf(DEVICE_KINDS, type) ? { deviceType: type } : {}),
    ...(isOneOf(CRITICALITIES, criticality) ? { criticality } : {}),
    ...(isOneOf(PROTECTION_STATUSES, protection) ? { protectionStatus: protection } : {}),
    ...(isOneOf(PATCH_STATUSES, patch) ? { patchStatus: patch } : {}),
    ...(managed === 'yes' ? { managed: true } : managed === 'no' ? { managed: false } : {}),
    ...(params.get('q') ? { search: params.get('q') } : {}),
  };
}

/** The client's devices: a filterable table; staff add, edit and retire. */
export function DevicesSection({ clientSlug, canEdit, canFilterByOwner = canEdit }: { clientSlug?: string; canEdit: boolean; canFilterByOwner?: boolean }) {
  const [params, setParams] = useSearchParams();
  const [after, setAfter] = useState<string[]>([]);
  const [editing, setEditing] = useState<DeviceFieldsFragment | 'new' | null>(null);
  const [search, setSearch] = useState(params.get('q') ?? '');
  const debounced = useDebouncedValue(search, 300);
  const filters = deviceFilters(params);
  const slugVars = clientSlug ? { clientSlug } : {};
  const cursor = after[after.length - 1];
  const q = useQuery<DevicesQuery, DevicesQueryVariables>(DEVICES_QUERY, { ...slugVars, ...filters, first: PAGE, ...(cursor ? { after: cursor } : {}) });
  const sites = useQuery<SitesQuery, SitesQueryVariables>(SITES_QUERY, { ...slugVars, first: 100 });
  // The owner filter lists the client's contacts: staff and IT leads only (members see their own devices).
  const contacts = useQuery<ContactsQuery, ContactsQueryVariables>(CONTACTS_QUERY, slugVars, { skip: !canFilterByOwner });
  const ownerOptions: [string, string][] = (contacts.data?.contacts ?? []).map((c) => [c.id, c.fullName || c.email]);
  const siteOptions: [string, string][] = (sites.data?.sites.edges ?? []).flatMap((e) => (e?.node ? [[e.node.id, e.node.name] as [string, string]] : []));

  const setFilter = useCallback(
    (key: string, value: string | null) => {
      setAfter([]);
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) next.set(key, value);
          else next.delete(key);
          return next;
        },
        { replace: key === 'q' },
      );
    },
    [setParams],
  );

  // Typing updates the URL after a pause (replacing the entry, not one per key).
  const urlSearch = params.get('q') ?? '';
  useEffect(() => {
    if (debounced.trim() !== urlSearch) setFilter('q', debounced.trim() || null);
    // Only the typed text drives this; the URL's own changes are read above.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  const devices = (q.data?.devices.edges ?? []).flatMap((e) => (e?.node ? [e.node] : []));
  const total = q.data?.devices.totalCount ?? 0;
  const anyFilter = Object.keys(filters).length > 0;

  return (
    <Card
      headingId="devices-heading"
      testId="devices-section"
      title={
        <>
          Devices <span className="count">{q.data ? formatNumber(total) : '…'}</span>
        </>
      }
      aside={
        canEdit && (
          <Button size="sm" variant="primary" onClick={() => setEditing('new')} data-testid="device-new">
            Add device
          </Button>
        )
      }
    >
      <div className="pad">
        <div className="toolbar" role="group" aria-label="Filter devices">
          <label className="sr-only" htmlFor="device-search">
            Search devices
          </label>
          <input
            id="device-search"
            className="input device-search"
            type="search"
            placeholder="Name, serial, OS or owner"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
            data-testid="device-search"
          />
          <FilterSelect label="Site" value={params.get('site')} options={siteOptions} onChange={(v) => setFilter('site', v)} testId="device-filter-site" allLabel="All sites" />
          {canFilterByOwner && (
            <FilterSelect label="Owner" value={params.get('owner')} options={ownerOptions} onChange={(v) => setFilter('owner', v)} testId="device-filter-owner" allLabel="Anyone" />
          )}
          <FilterSelect label="Type" value={filters.deviceType ?? null} options={DEVICE_KINDS.map((k) => [k, DEVICE_KIND_LABEL[k]])} onChange={(v) => setFilter('type', v)} testId="device-filter-type" />
          <FilterSelect label="Protection" value={filters.protectionStatus ?? null} options={PROTECTION_STATUSES.map((k) => [k, PROTECTION_LABEL[k]])} onChange={(v) => setFilter('protection', v)} testId="device-filter-protection" />
          <FilterSelect label="Patches" value={filters.patchStatus ?? null} options={PATCH_STATUSES.map((k) => [k, PATCH_LABEL[k]])} onChange={(v) => setFilter('patch', v)} testId="device-filter-patch" />
          <FilterSelect label="Criticality" value={filters.criticality ?? null} options={CRITICALITIES.map((k) => [k, CRITICALITY_LABEL[k]])} onChange={(v) => setFilter('criticality', v)} testId="device-filter-criticality" />
          <FilterSelect
            label="Managed"
            value={params.get('managed')}
            options={[
              ['yes', 'Managed'],
              ['no', 'Not managed'],
            ]}
            onChange={(v) => setFilter('managed', v)}
            testId="device-filter-managed"
          />
        </div>
      </div>
      {q.error && !q.data ? (
        <div className="pad">
          <QueryError title="Couldn’t load devices" error={q.error} onRetry={q.refetch} retrying={q.loading} />
        </div>
      ) : !q.data ? (
        <div className="pad stack-sm" aria-busy="true">
          <Skeleton height={16} />
          <Skeleton height={16} />
          <Skeleton height={16} width="70%" />
        </div>
      ) : devices.length === 0 ? (
        <EmptyState title={anyFilter ? 'No device matches these filters' : 'No devices yet'}>
          {anyFilter ? 'Clear a filter to see more.' : canEdit ? 'Add one, or import a CSV file below.' : 'Your MSP has not recorded any device for you yet.'}
        </EmptyState>
      ) : (
        <>
          {/* eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex */}
          <div className="table-wrap flat" role="region" aria-label="Devices" tabIndex={0}>
            <table className="table" data-testid="devices-table">
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Type</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Site</th>
                  <th scope="col">Protection</th>
                  <th scope="col">Patches</th>
                  <th scope="col">Criticality</th>
                  <th scope="col">Last seen</th>
                  {canEdit && (
                    <th scope="col">
                      <span className="sr-only">Actions</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {devices.map((d) => (
                  <tr key={d.id} data-testid="device-row">
                    <td>
                      <div className="cell-primary">{d.name}</div>
                      <div className="cell-secondary small muted">
                        {[d.os, d.osVersion].filter(Boolean).join(' ')}
                        {d.serial ? ` · ${d.serial}` : ''}
                        {!d.isManaged ? ' · not managed' : ''}
                      </div>
                    </td>
                    <td className="nowrap">{DEVICE_KIND_LABEL[d.deviceType]}</td>
                    <td>{d.owner ? d.owner.fullName : <span className="muted">—</span>}</td>
                    <td>{d.site ? d.site.name : <span className="muted">—</span>}</td>
                    <td className="nowrap">
                      <StatePill tone={PROTECTION_TONE[d.protectionStatus]}>{PROTECTION_LABEL[d.protectionStatus]}</StatePill>
                    </td>
                    <td className="nowrap">
                      <StatePill tone={PATCH_TONE[d.patchStatus]}>{PATCH_LABEL[d.patchStatus]}</StatePill>
                    </td>
                    <td className="nowrap">{CRITICALITY_LABEL[d.criticality]}</td>
                    <td className="nowrap" title={d.warrantyEndsOn ? `Warranty until ${formatDate(d.warrantyEndsOn)}` : undefined}>
                      {d.lastSeenAt ? formatRelative(d.lastSeenAt) : <span className="muted">Never</span>}
                    </td>
                    {canEdit && (
                      <td>
                        <Button size="sm" variant="ghost" onClick={() => setEditing(d)} aria-label={`Edit ${d.name}`} data-testid="device-edit">
                          Edit
                        </Button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="table-footer row gap-sm">
            <span className="muted small">
              {formatNumber(after.length * PAGE + 1)}–{formatNumber(after.length * PAGE + devices.length)} of {formatNumber(total)}
            </span>
            {after.length > 0 && (
              <Button size="sm" variant="ghost" onClick={() => setAfter(after.slice(0, -1))}>
                Previous page
              </Button>
            )}
            {q.data.devices.pageInfo.hasNextPage && q.data.devices.pageInfo.endCursor && (
              <Button size="sm" variant="ghost" onClick={() => setAfter([...after, q.data!.devices.pageInfo.endCursor!])} data-testid="devices-next">
                Next page
              </Button>
            )}
          </div>
        </>
      )}
      {editing && clientSlug !== undefined && (
        <DeviceDialog
          clientSlug={clientSlug}
          device={editing === 'new' ? null : editing}
          sites={siteOptions}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void q.refetch();
          }}
        />
      )}
    </Card>
  );
}
