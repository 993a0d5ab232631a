import { useId, useState, type FormEvent } from 'react';
import { Alert, Badge, Button, EmptyState, TextField } from '../../components/ui';
import type {
  CatalogCalendarFieldsFragment,
  CatalogPolicyFieldsFragment,
  SaveSlaTargetsMutation,
  SaveSlaTargetsMutationVariables,
} from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import { NO_FIELD_ERRORS, mapCatalogErrors, targetErrorFields, type FieldErrors } from './catalog';
import { SAVE_SLA_TARGETS_MUTATION } from '../../graphql/operations';
import { PolicyEditor } from './PolicyEditor';
import { TargetsTable } from './TargetsTable';
import { buildTargets, draftFromPolicy, targetsChanged, type TargetsDraft } from './targetsDraft';

type Editing = { kind: 'new' } | { kind: 'edit'; id: string } | null;

/** SLA policies: per policy, targets P1–P4 and warning thresholds; MSP admins add policies and edit their name, calendar and default. */
export function PoliciesSection({
  policies,
  calendars,
  canEdit,
  onSaved,
}: {
  policies: readonly CatalogPolicyFieldsFragment[];
  calendars: readonly CatalogCalendarFieldsFragment[];
  canEdit: boolean;
  onSaved: () => void;
}) {
  const [editing, setEditing] = useState<Editing>(null);
  const [savedMessage, setSavedMessage] = useState<string | null>(null);
  const defaultPolicy = policies.find((p) => p.isDefault) ?? policies[0] ?? null;

  function start(next: Editing) {
    setSavedMessage(null);
    setEditing(next);
  }

  function saved(policy: CatalogPolicyFieldsFragment) {
    setEditing(null);
    setSavedMessage(`Policy “${policy.name}” saved.`);
    onSaved();
  }

  return (
    <section className="stack" aria-labelledby="policies-heading" data-testid="catalog-policies">
      <div className="catalog-section-head">
        <div className="row policies-head">
          <h2 className="catalog-section-title" id="policies-heading">
            SLA policies <span className="count">{policies.length}</span>
          </h2>
          {canEdit && (
            <Button
              size="sm"
              onClick={() => start({ kind: 'new' })}
              disabled={editing?.kind === 'new' || calendars.length === 0}
              title={calendars.length === 0 ? 'Create a business calendar first' : undefined}
              data-testid="policy-new"
            >
              New policy
            </Button>
          )}
        </div>
        <p className="muted small">
          Targets are business time on the policy’s calendar. Empty means no target for that clock. Changes apply to new tickets at once and to open tickets
          at their next change; time already used and paused is kept.
        </p>
      </div>
      {savedMessage && (
<Alert tone="success">{savedMessage}</Alert>
      )}
      {canEdit && editing?.kind === 'new' && (
        <div className="card pad">
          <PolicyEditor policy={null} template={defaultPolicy} calendars={calendars} onSaved={saved} onCancel={() => setEditing(null)} />
        </div>
      )}
      {policies.length === 0 ? (
        <div className="card">
          <EmptyState title="No SLA policies">{canEdit ? 'Create a policy with “New policy”.' : 'Policies are set up by the MSP’s administrators.'}</EmptyState>
        </div>
      ) : (
        policies.map((p) => (
          <PolicyCard
            key={p.id}
            policy={p}
            calendars={calendars}
            canEdit={canEdit}
            onSaved={onSaved}
            editing={canEdit && editing?.kind === 'edit' && editing.id === p.id}
            onEdit={() => start({ kind: 'edit', id: p.id })}
            onEditSaved={saved}
            onEditCancel={() => setEditing(null)}
          />
        ))
      )}
    </section>
  );
}

function PolicyCard({
  policy,
  calendars,
  canEdit,
  onSaved,
  editing,
  onEdit,
  onEditSaved,
  onEditCancel,
}: {
  policy: CatalogPolicyFieldsFragment;
  calendars: readonly CatalogCalendarFieldsFragment[];
  canEdit: boolean;
  onSaved: () => void;
  /** The Edit policy form (name, description, calendar, default) is open on this card. */
  editing: boolean;
  onEdit: () => void;
  onEditSaved: (policy: CatalogPolicyFieldsFragment) => void;
  onEditCancel: () => void;
}) {
  // The form starts from the policy as loaded; after a save it restarts from the saved policy.
  const [saved, setSaved] = useState<CatalogPolicyFieldsFragment>(policy);
  const [draft, setDraft] = useState<TargetsDraft>(() => draftFromPolicy(policy));
  const [errors, setErrors] = useState<FieldErrors>(NO_FIELD_ERRORS);
  const [justSaved, setJustSaved] = useState(false);
  const [save, saving] = useMutation<SaveSlaTargetsMutation, SaveSlaTargetsMutationVariables>(SAVE_SLA_TARGETS_MUTATION);
  const headingId = useId();
  const dirty = targetsChanged(draft, saved);
  const calendar = calendars.find((c) => c.id === policy.calendarId) ?? null;

  function edit(next: TargetsDraft) {
    setDraft(next);
    setJustSaved(false);
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const built = buildTargets(draft);
    if (!built.ok) {
      setErrors({ fields: built.fields, general: [] });
      return;
    }
    setErrors(NO_FIELD_ERRORS);
    const data = await save({ policyId: policy.id, targets: built.targets, warningThresholds: built.warningThresholds });
    const payload = data?.saveSlaTargets;
    if (!payload) return;
    if (payload.errors.length > 0) {
      setErrors(mapCatalogErrors(payload.errors, targetErrorFields()));
      return;
    }
    if (payload.policy) {
      setSaved(payload.policy);
      setDraft(draftFromPolicy(payload.policy));
      setJustSaved(true);
      onSaved();
    }
  }

  const general = [...(errors.fields['targets'] ? [errors.fields['targets']] : []), ...errors.general, ...(saving.error ? [saving.error.message] : [])];

  return (
    <section className="card" aria-labelledby={headingId} data-testid={`policy-${policy.id}`}>
      <div className="card-header">
        <div>
          <h3 className="card-title" id={headingId}>
            {policy.name}
            {policy.isDefault && (
              <Badge tone="accent">
                <span title="Clients without their own choice use this policy">MSP default</span>
              </Badge>
            )}
          </h3>
          {policy.description && <p className="small muted">{policy.description}</p>}
        </div>
        <div className="row gap-sm">
          <span className="small muted nowrap" data-testid="policy-calendar-name">
            {calendar ? (
              <>
                Calendar: <span className="strong">{calendar.name}</span> <span className="mono">({calendar.alwaysOpen ? '24x7' : calendar.timezone})</span>
              </>
            ) : (
              'Calendar not found'
            )}
          </span>
          {canEdit && (
            <Button size="sm" variant="ghost" onClick={onEdit} disabled={editing} data-testid={`policy-edit-${policy.id}`} aria-label={`Edit ${policy.name}`}>
              Edit
            </Button>
          )}
        </div>
      </div>
      {editing && (
        <div className="card-section">
          <PolicyEditor policy={policy} template={null} calendars={calendars} onSaved={onEditSaved} onCancel={onEditCancel} />
        </div>
      )}
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={`${policy.name} targets`}>
        {general.length > 0 && (
          <div className="pad">
            <Alert title="The targets weren’t saved">{general.join(' ')}</Alert>
          </div>
        )}
        <TargetsTable rows={draft.rows} errors={errors.fields} disabled={!canEdit} onChange={(update) => {
            setDraft((d) => ({ ...d, rows: update(d.rows) }));
            setJustSaved(false);
          }}
        />
        <div className="card-section targets-footer">
          <TextField
            label="Warn at (% of a target used)"
            hint="e.g. 75, 90 — increasing, between 0 and 100. Empty uses the default (75, 90)."
            value={draft.thresholds}
            disabled={!canEdit}
            inputMode="decimal"
            onChange={(e) => edit({ ...draft, thresholds: e.target.value })}
            error={errors.fields['warningThresholds']}
            fieldClassName="thresholds-field"
            data-testid="policy-thresholds"
          />
          {canEdit && (
            <div className="row gap-sm targets-actions">
              {justSaved && !dirty && (
                <span className="small catalog-ok" role="status">
                  Saved
                </span>
              )}
              {dirty && (
                <Button
                  size="sm"
                  variant="ghost"
                  onClick={() => {
                    setDraft(draftFromPolicy(saved));
                    setErrors(NO_FIELD_ERRORS);
                  }}
                  disabled={saving.loading}
                >
                  Discard changes
                </Button>
              )}
              <Button type="submit" size="sm" variant="primary" loading={saving.loading} disabled={!dirty} data-testid="targets-save">
                Save targets
              </Button>
            </div>
          )}
        </div>
      </form>
    </section>
  );
}
