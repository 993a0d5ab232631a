import { useState, type FormEvent } from 'react';
import { Alert, Button, Modal, SelectField, TextField } from '../../components/ui';
import type {
  ContactsQuery,
  ContactsQueryVariables,
  CreateDeviceMutation,
  CreateDeviceMutationVariables,
  DeviceCriticality,
  DeviceFieldsFragment,
  DeviceKind,
  RetireDeviceMutation,
  RetireDeviceMutationVariables,
  UpdateDeviceMutation,
  UpdateDeviceMutationVariables,
} from '../../graphql/generated';
import { useMutation, useQuery } from '../../graphql/hooks';
import { CONTACTS_QUERY, CREATE_DEVICE_MUTATION, RETIRE_DEVICE_MUTATION, UPDATE_DEVICE_MUTATION } from '../../graphql/operations';
import { isOneOf } from '../../lib/enums';
import { CRITICALITIES, CRITICALITY_LABEL, DEVICE_KINDS, DEVICE_KIND_LABEL } from './labels';

type Errors = Record<string, string>;

/** Staff: add or edit a device (protection and patch state come from the agent, not from here). */
export function DeviceDialog({
  clientSlug,
  device,
  sites,
  onClose,
  onSaved,
}: {
  clientSlug: string;
  device: DeviceFieldsFragment | null;
  sites: [string, string][];
  onClose: () => void;
  onSaved: () => void;
}) {
  const [name, setName] = useState(device?.name ?? '');
  const [deviceType, setDeviceType] = useState<DeviceKind>(device?.deviceType ?? 'LAPTOP');
  const [os, setOs] = useState(device?.os ?? '');
  const [osVersion, setOsVersion] = useState(device?.osVersion ?? '');
  const [serial, setSerial] = useState(device?.serial ?? '');
  const [ownerId, setOwnerId] = useState(device?.owner?.id ?? '');
  const [siteId, setSiteId] = useState(device?.site?.id ?? '');
  const [criticality, setCriticality] = useState<DeviceCriticality>(device?.criticality ?? 'MEDIUM');
  const [isManaged, setIsManaged] = useState(device?.isManaged ?? true);
  const [warranty, setWarranty] = useState(device?.warrantyEndsOn ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const [formError, setFormError] = useState<string | null>(null);
  const contacts = useQuery<ContactsQuery, ContactsQueryVariables>(CONTACTS_QUERY, { clientSlug });
  const [create, creating] = useMutation<CreateDeviceMutation, CreateDeviceMutationVariables>(CREATE_DEVICE_MUTATION);
  const [update, updating] = useMutation<UpdateDeviceMutation, UpdateDeviceMutationVariables>(UPDATE_DEVICE_MUTATION);
  const [retire, retiring] = useMutation<RetireDeviceMutation, RetireDeviceMutationVariables>(RETIRE_DEVICE_MUTATION);

  function show(list: readonly { field?: string | null; message: string }[]) {
    const byField: Errors = {};
    const general: string[] = [];
    for (const e of list) {
      const key = (e.field ?? '').replace(/^input\./, '');
      if (key && !(key in byField)) byField[key] = e.message;
      else if (!key) general.push(e.message);
    }
    setErrors(byField);
    setFormError(general.join(' ') || null);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const input = {
      name,
      deviceType,
      os,
      osVersion,
      serial,
      ownerId: ownerId || null,
      siteId: siteId || null,
      criticality,
      isManaged,
      warrantyEndsOn: warranty || null,
    };
    const answer = device
      ? (await update({ clientSlug, id: device.id, input }))?.updateDevice
      : (await create({ clientSlug, input }))?.createDevice;
    if (!answer) return setFormError('The device could not be saved. Check your connection and try again.');
    if (answer.errors.length) return show(answer.errors);
    onSaved();
  }

  async function onRetire() {
    if (!device) return;
    const answer = (await retire({ clientSlug, id: device.id }))?.retireDevice;
    if (!answer) return setFormError('The device could not be retired. Try again.');
    if (answer.errors.length) return show(answer.errors);
    onSaved();
  }

  const saving = creating.loading || updating.loading;
  return (
    <Modal
      title={device ? `Edit ${device.name}` : 'Add a device'}
      onClose={onClose}
      testId="device-dialog"
      footer={
        <>
          {device && (
            <Button variant="danger" size="sm" onClick={() => void onRetire()} loading={retiring.loading} data-testid="device-retire">
              Retire
            </Button>
          )}
          <Button variant="secondary" onClick={onClose}>
            Cancel
          </Button>
          <Button variant="primary" type="submit" form="device-form" loading={saving} data-testid="device-save">
            {device ? 'Save' : 'Add device'}
          </Button>
        </>
      }
    >
      <form id="device-form" className="form-grid" onSubmit={(e) => void submit(e)} noValidate>
        {formError && (
          <div className="span-2">
            <Alert tone="error">{formError}</Alert>
          </div>
        )}
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} maxLength={120} required data-testid="device-name" />
        <SelectField label="Type" value={deviceType} onChange={(e) => isOneOf(DEVICE_KINDS, e.target.value) && setDeviceType(e.target.value)} error={errors.deviceType}>
          {DEVICE_KINDS.map((k) => (
            <option key={k} value={k}>
              {DEVICE_KIND_LABEL[k]}
            </option>
          ))}
        </SelectField>
        <TextField label="Operating system" optional value={os} onChange={(e) => setOs(e.target.value)} error={errors.os} maxLength={80} />
        <TextField label="Version" optional value={osVersion} onChange={(e) => setOsVersion(e.target.value)} error={errors.osVersion} maxLength={40} />
        <TextField label="Serial number" optional value={serial} onChange={(e) => setSerial(e.target.value)} error={errors.serial} maxLength={80} hint="The key of CSV imports." />
        <TextField label="Warranty ends" optional type="date" value={warranty} onChange={(e) => setWarranty(e.target.value)} error={errors.warrantyEndsOn} />
        <SelectField label="Owner" optional value={ownerId} onChange={(e) => setOwnerId(e.target.value)} error={errors.ownerId}>
          <option value="">Nobody</option>
          {(contacts.data?.contacts ?? []).map((c) => (
            <option key={c.id} value={c.id}>
              {c.fullName} ({c.email})
            </option>
          ))}
        </SelectField>
        <SelectField label="Site" optional value={siteId} onChange={(e) => setSiteId(e.target.value)} error={errors.siteId}>
          <option value="">No site</option>
          {sites.map(([id, label]) => (
            <option key={id} value={id}>
              {label}
            </option>
          ))}
        </SelectField>
        <SelectField label="Criticality" value={criticality} onChange={(e) => isOneOf(CRITICALITIES, e.target.value) && setCriticality(e.target.value)} error={errors.criticality}>
          {CRITICALITIES.map((k) => (
            <option key={k} value={k}>
              {CRITICALITY_LABEL[k]}
            </option>
          ))}
        </SelectField>
        <label className="checkbox-row span-2">
          <input type="checkbox" checked={isManaged} onChange={(e) => setIsManaged(e.target.checked)} />
          <span>Managed by the MSP (counts for billing)</span>
        </label>
      </form>
    </Modal>
  );
}
