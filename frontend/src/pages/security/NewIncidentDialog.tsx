import { useState, type FormEvent } from 'react';
import { Alert, Button, Field, Modal, SelectField, TextField } from '../../components/ui';
import type {
  CreateSecurityIncidentMutation,
  CreateSecurityIncidentMutationVariables,
  SecurityIncidentKind,
  SecuritySeverity,
} from '../../graphql/generated';
import { CREATE_SECURITY_INCIDENT_MUTATION } from '../../graphql/operations';
import { useSubmissionKey } from '../../lib/idempotency';
import { AffectedPicker, type Named } from './AffectedPicker';
import { INCIDENT_KINDS, KIND_LABEL, SEVERITIES, SEVERITY_LABEL } from './security';
import { useSecurityAction } from './useSecurityAction';

const FIELDS = ['title', 'description', 'kind', 'severity', 'affectedContactIds', 'affectedDeviceIds'] as const;

/** Staff (for a client) or the client's IT lead: open a security incident. */
export function NewIncidentDialog({
  clientSlug,
  isStaff,
  onClose,
  onCreated,
}: {
  clientSlug: string | undefined;
  isStaff: boolean;
  onClose: () => void;
  onCreated: (number: number) => void;
}) {
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const [kind, setKind] = useState<SecurityIncidentKind>('PHISHING');
  const [severity, setSeverity] = useState<SecuritySeverity>('MEDIUM');
  const [people, setPeople] = useState<Named[]>([]);
  const [devices, setDevices] = useState<Named[]>([]);
  const [localError, setLocalError] = useState<string | null>(null);
  const submission = useSubmissionKey();
  const action = useSecurityAction<CreateSecurityIncidentMutation, CreateSecurityIncidentMutationVariables, { number: number }>(
    CREATE_SECURITY_INCIDENT_MUTATION,
    FIELDS,
  );

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!title.trim()) {
      setLocalError('Give the incident a short title.');
      return;
    }
    setLocalError(null);
    const input = {
      ...(clientSlug ? { clientSlug } : {}),
      title: title.trim(),
      ...(description.trim() ? { description: description.trim() } : {}),
      kind,
      severity,
      affectedContactIds: people.map((p) => p.id),
      affectedDeviceIds: devices.map((d) => d.id),
    };
    const result = await action.run({ input: { ...input, idempotencyKey: submission.keyFor(input) } });
    if (result.ok && result.value) {
      submission.done();
      onCreated(result.value.number);
    }
  }

  return (
    <Modal
      title="New security incident"
      description="Its acknowledge, contain and resolve clocks start now, with the targets of its severity."
      onClose={onClose}
      width={620}
      testId="new-incident-dialog"
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" type="submit" form="new-incident-form" loading={action.loading} data-testid="new-incident-submit">
            Open incident
          </Button>
        </>
      }
    >
      <form id="new-incident-form" className="stack" onSubmit={(e) => void onSubmit(e)} noValidate>
        {action.generalMessages.length > 0 && <Alert title="The incident wasn’t opened">{action.generalMessages.join(' ')}</Alert>}
        <TextField label="Title" value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} error={localError ?? action.errors.fields['title']} data-testid="incident-title" />
        <div className="form-row">
          <SelectField label="Kind" value={kind} onChange={(e) => setKind(e.target.value as SecurityIncidentKind)} error={action.errors.fields['kind']}>
            {INCIDENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </SelectField>
          <SelectField label="Severity" value={severity} onChange={(e) => setSeverity(e.target.value as SecuritySeverity)} error={action.errors.fields['severity']} data-testid="incident-severity">
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY_LABEL[s]}
              </option>
            ))}
          </SelectField>
        </div>
        <Field label="What happened" optional error={action.errors.fields['description']}>
          {({ id, describedBy, invalid }) => (
            <textarea id={id} className="textarea" rows={4} value={description} onChange={(e) => setDescription(e.target.value)} aria-describedby={describedBy} aria-invalid={invalid || undefined} />
          )}
        </Field>
        <AffectedPicker clientSlug={clientSlug} people={people} devices={devices} onPeople={setPeople} onDevices={setDevices} withDevices={isStaff} />
        {(action.errors.fields['affectedContactIds'] || action.errors.fields['affectedDeviceIds']) && (
          <Alert>{[action.errors.fields['affectedContactIds'], action.errors.fields['affectedDeviceIds']].filter(Boolean).join(' ')}</Alert>
        )}
      </form>
    </Modal>
  );
}
