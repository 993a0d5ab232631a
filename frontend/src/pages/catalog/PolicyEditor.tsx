import { useId, useState, type FormEvent } from 'react';
import { Alert, Button, SelectField, TextField } from '../../components/ui';
import type {
  CatalogCalendarFieldsFragment,
  CatalogPolicyFieldsFragment,
  PolicyInput,
  SaveSlaPolicyMutation,
  SaveSlaPolicyMutationVariables,
} from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import { NO_FIELD_ERRORS, mapCatalogErrors, policyErrorFields, type FieldErrors } from './catalog';
import { SAVE_SLA_POLICY_MUTATION } from '../../graphql/operations';
import { TargetsTable } from './TargetsTable';
import { buildTargetRows, draftFromPolicy, type TargetsDraft } from './targetsDraft';

type PolicyDraft = { name: string; description: string; calendarId: string; isDefault: boolean };

/**
 * New policy (no `policy`: name, description, calendar, default, and targets P1–P4 prefilled from
 * `template` — the MSP default) or Edit policy (name, description, calendar, default; its targets are
 * edited on its card). New policies warn at the server's defaults (75 %, 90 %); change that on the card.
 */
export function PolicyEditor({
  policy,
  template,
  calendars,
  onSaved,
  onCancel,
}: {
  policy: CatalogPolicyFieldsFragment | null;
  template: CatalogPolicyFieldsFragment | null;
  calendars: readonly CatalogCalendarFieldsFragment[];
  onSaved: (policy: CatalogPolicyFieldsFragment) => void;
  onCancel: () => void;
}) {
  const isNew = policy === null;
  const [draft, setDraft] = useState<PolicyDraft>(() => ({
    name: policy?.name ?? '',
    description: policy?.description ?? '',
    calendarId: policy?.calendarId ?? template?.calendarId ?? calendars[0]?.id ?? '',
    isDefault: policy?.isDefault ?? false,
  }));
  const [rows, setRows] = useState<TargetsDraft['rows']>(() => draftFromPolicy(template ?? { targets: [], warningThresholds: [] }).rows);
  const [errors, setErrors] = useState<FieldErrors>(NO_FIELD_ERRORS);
  const [save, saving] = useMutation<SaveSlaPolicyMutation, SaveSlaPolicyMutationVariables>(SAVE_SLA_POLICY_MUTATION);
  const defaultId = useId();
  const calendarKnown = calendars.some((c) => c.id === draft.calendarId);
  // The server keeps a default policy: the default changes by making another policy the default.
  const defaultLocked = !isNew && policy.isDefault;

  const update = (patch: Partial<PolicyDraft>) => setDraft((d) => ({ ...d, ...patch }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const local: Record<string, string> = {};
    if (!draft.name.trim()) local['name'] = 'Name the policy.';
    if (!draft.calendarId) local['calendarId'] = 'Choose a business calendar.';
    const built = isNew ? buildTargetRows(rows) : null;
    if (built && !built.ok) Object.assign(local, built.fields);
    if (Object.keys(local).length > 0) {
      setErrors({ fields: local, general: [] });
      return;
    }
    setErrors(NO_FIELD_ERRORS);
    const input: PolicyInput = {
      name: draft.name.trim(),
      description: draft.description.trim(),
      calendarId: draft.calendarId,
      isDefault: draft.isDefault,
    };
    if (policy) input.id = policy.id;
    if (built?.ok) input.targets = built.targets;
    const data = await save({ input });
    const payload = data?.saveSlaPolicy;
    if (!payload) return; // transport error: shown from `saving.error`
    if (payload.errors.length > 0) {
      setErrors(mapCatalogErrors(payload.errors, policyErrorFields()));
      return;
    }
    if (payload.policy) onSaved(payload.policy);
  }

  const messages = [...(errors.fields['targets'] ? [errors.fields['targets']] : []), ...errors.general, ...(saving.error ? [saving.error.message] : [])];

  return (
    <form
      className="policy-form"
      onSubmit={(e) => void submit(e)}
      noValidate
      aria-label={isNew ? 'New policy' : `Edit ${policy.name}`}
      data-testid="policy-editor"
    >
      <div className="section-title">{isNew ? 'New SLA policy' : `Edit “${policy.name}”`}</div>
      {messages.length > 0 && (
        <Alert className="mb" title="The policy wasn’t saved">
          {messages.join(' ')}
        </Alert>
      )}
      <div className="form-grid">
        <TextField label="Name" value={draft.name} maxLength={120} onChange={(e) => update({ name: e.target.value })} error={errors.fields['name']} data-testid="policy-name" />
        <SelectField
          label="Calendar"
          hint="Targets are business time on this calendar (priorities marked 24x7 excepted)."
          value={draft.calendarId}
          onChange={(e) => update({ calendarId: e.target.value })}
          error={errors.fields['calendarId']}
          data-testid="policy-calendar"
        >
          {!calendarKnown && <option value={draft.calendarId}>{calendars.length === 0 ? 'No calendars — create one first' : 'Choose a calendar'}</option>}
          {calendars.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name} ({c.alwaysOpen ? '24x7' : c.timezone})
            </option>
          ))}
        </SelectField>
        <TextField
          label="Description"
          optional
          value={draft.description}
          maxLength={500}
          onChange={(e) => update({ description: e.target.value })}
          error={errors.fields['description']}
          fieldClassName="span-2"
          data-testid="policy-description"
        />
      </div>

      <label className="checkbox-row mt" htmlFor={defaultId}>
        <input
          id={defaultId}
          type="checkbox"
          checked={draft.isDefault}
          disabled={defaultLocked}
          onChange={(e) => update({ isDefault: e.target.checked })}
          data-testid="policy-default"
        />
        <span>
          <span className="strong">Default for clients without a choice</span>
          <span className="block small muted">
            {defaultLocked
              ? 'This is the MSP default. To change the default, make another policy the default.'
              : 'Clients that haven’t been put on a policy (and aren’t on No SLA) use it. The current default stops being the default.'}
          </span>
        </span>
      </label>
      {errors.fields['isDefault'] && <div className="field-error">{errors.fields['isDefault']}</div>}

      {isNew && (
        <fieldset className="fieldset mt" data-testid="policy-targets">
          <legend>Targets</legend>
          <p className="field-hint">
            {template ? `Starting from “${template.name}”. ` : ''}Empty means no target for that clock. The new policy warns at 75 % and 90 % of a target; change
            that on its card once it’s created.
          </p>
          <TargetsTable rows={rows} errors={errors.fields} disabled={false} onChange={setRows} />
        </fieldset>
      )}

      <div className="form-actions mt">
        <Button variant="ghost" onClick={onCancel} disabled={saving.loading}>
          Cancel
        </Button>
        <Button type="submit" variant="primary" loading={saving.loading} data-testid="policy-save">
          {isNew ? 'Create policy' : 'Save policy'}
        </Button>
      </div>
    </form>
  );
}
