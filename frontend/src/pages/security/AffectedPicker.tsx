import { useId, useState } from 'react';
import { Spinner } from '../../components/ui';
import type {
  ContactsQuery,
  ContactsQueryVariables,
  SecurityDeviceChoicesQuery,
  SecurityDeviceChoicesQueryVariables,
} from '../../graphql/generated';
import { useQuery } from '../../graphql/hooks';
import { CONTACTS_QUERY, SECURITY_DEVICE_CHOICES_QUERY } from '../../graphql/operations';
import { useDebouncedValue } from '../../lib/useDebounced';

export type Named = { id: string; name: string };

/** Choose affected people (the client's contacts) and, for staff, devices (its inventory). */
export function AffectedPicker({
  clientSlug,
  people,
  devices,
  onPeople,
  onDevices,
  withDevices,
}: {
  clientSlug: string | undefined;
  people: readonly Named[];
  devices: readonly Named[];
  onPeople: (next: Named[]) => void;
  onDevices: (next: Named[]) => void;
  withDevices: boolean;
}) {
  const [personSearch, setPersonSearch] = useState('');
  const [deviceSearch, setDeviceSearch] = useState('');
  const personQuery = useDebouncedValue(personSearch, 250);
  const deviceQuery = useDebouncedValue(deviceSearch, 250);
  const contacts = useQuery<ContactsQuery, ContactsQueryVariables>(CONTACTS_QUERY, {
    ...(clientSlug ? { clientSlug } : {}),
    ...(personQuery.trim() ? { search: personQuery.trim() } : {}),
  });
  const deviceChoices = useQuery<SecurityDeviceChoicesQuery, SecurityDeviceChoicesQueryVariables>(
    SECURITY_DEVICE_CHOICES_QUERY,
    { ...(clientSlug ? { clientSlug } : {}), ...(deviceQuery.trim() ? { search: deviceQuery.trim() } : {}) },
    { skip: !withDevices },
  );
  const personIds = new Set(people.map((p) => p.id));
  const deviceIds = new Set(devices.map((d) => d.id));
  const personSearchId = useId();
  const deviceSearchId = useId();

  const contactOptions: Named[] = (contacts.data?.contacts ?? []).map((c) => ({ id: c.id, name: c.fullName || c.email }));
  const deviceOptions: Named[] = (deviceChoices.data?.securityDeviceChoices ?? []).map((d) => ({ id: d.id, name: d.name }));

  return (
    <div className="stack">
      <fieldset className="fieldset">
        <legend className="field-label">Affected people</legend>
        <label htmlFor={personSearchId} className="sr-only">
          Find a person
        </label>
        <input id={personSearchId} className="input" type="search" placeholder="Find a person…" value={personSearch} onChange={(e) => setPersonSearch(e.target.value)} />
        <Checklist
          options={mergeChosen(contactOptions, people)}
          chosen={personIds}
          loading={contacts.loading && !contacts.data}
          onToggle={(item, on) => onPeople(on ? [...people, item] : people.filter((p) => p.id !== item.id))}
          testId="affected-people"
        />
      </fieldset>
      {withDevices && (
        <fieldset className="fieldset">
          <legend className="field-label">Affected devices</legend>
          <label htmlFor={deviceSearchId} className="sr-only">
            Find a device
          </label>
          <input id={deviceSearchId} className="input" type="search" placeholder="Find a device by name or serial…" value={deviceSearch} onChange={(e) => setDeviceSearch(e.target.value)} />
          <Checklist
            options={mergeChosen(deviceOptions, devices)}
            chosen={deviceIds}
            loading={deviceChoices.loading && !deviceChoices.data}
            onToggle={(item, on) => onDevices(on ? [...devices, item] : devices.filter((d) => d.id !== item.id))}
            testId="affected-devices"
            empty="No devices match."
          />
        </fieldset>
      )}
    </div>
  );
}

/** The chosen items first (also when the search hides them), then the matches. */
function mergeChosen(options: Named[], chosen: readonly Named[]): Named[] {
  const ids = new Set(chosen.map((c) => c.id));
  return [...chosen, ...options.filter((o) => !ids.has(o.id))];
}

function Checklist({
  options,
  chosen,
  loading,
  onToggle,
  testId,
  empty = 'Nobody matches.',
}: {
  options: Named[];
  chosen: Set<string>;
  loading: boolean;
  onToggle: (item: Named, on: boolean) => void;
  testId: string;
  empty?: string;
}) {
  if (loading) return <Spinner size={14} label="Loading" />;
  if (options.length === 0) return <p className="small muted">{empty}</p>;
  return (
    <ul className="checklist" data-testid={testId}>
      {options.slice(0, 50).map((item) => (
        <li key={item.id}>
          <label className="checkbox-row">
            <input type="checkbox" checked={chosen.has(item.id)} onChange={(e) => onToggle(item, e.target.checked)} />
            <span>{item.name}</span>
          </label>
        </li>
      ))}
    </ul>
  );
}
