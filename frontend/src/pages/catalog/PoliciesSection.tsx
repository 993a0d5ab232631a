import clsx from 'clsx';
import { useId, useState, type FormEvent } from 'react';
import { PriorityPill } from '../../components/desk';
import { Alert, Badge, Button, EmptyState, TextField } from '../../components/ui';
import type {
  CatalogCalendarFieldsFragment,
  CatalogPolicyFieldsFragment,
  CatalogPriority,
  SaveSlaTargetsMutation,
  SaveSlaTargetsMutationVariables,
} from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import { PRIORITY_LABEL } from '../../lib/enums';
import { formatMinutes } from '../../lib/sla';
import {
  CATALOG_PRIORITIES,
  NO_FIELD_ERRORS,
  TARGET_COLUMNS,
  formatTargetMinutes,
  mapCatalogErrors,
  parseTargetMinutes,
  targetErrorFields,
  type FieldErrors,
  type TargetColumn,
} from './catalog';
import { SAVE_SLA_TARGETS_MUTATION } from './operations';
import { buildTargets, draftFromPolicy, targetField, targetsChanged, type TargetsDraft } from './targetsDraft';

const COLUMN_LABEL: Record<TargetColumn, string> = {
  firstResponseMinutes: 'First response',
  nextUpdateMinutes: 'Next update',
  resolutionMinutes: 'Resolution',
};

/** SLA policies: per policy, targets P1–P4 and warning thresholds. */
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
  return (
    <section className="stack" aria-labelledby="policies-heading" data-testid="catalog-policies">
      <div className="catalog-section-head">
        <h2 className="catalog-section-title" id="policies-heading">
          SLA policies <span className="count">{policies.length}</span>
        </h2>
        <p className="muted small">
          Targets are business time on the policy’s calendar. Empty means no target for that clock. Changes apply to new tickets at once and to open tickets
          at their next change; time already used and paused is kept.
        </p>
      </div>
      {policies.length === 0 ? (
        <div className="card">
          <EmptyState title="No SLA policies">Policies are set up by the MSP’s administrators.</EmptyState>
        </div>
      ) : (
        policies.map((p) => (
          <PolicyCard key={p.id} policy={p} calendar={calendars.find((c) => c.id === p.calendarId) ?? null} canEdit={canEdit} onSaved={onSaved} />
        ))
      )}
    </section>
  );
}

function PolicyCard({
  policy,
  calendar,
  canEdit,
  onSaved,
}: {
  policy: CatalogPolicyFieldsFragment;
  calendar: CatalogCalendarFieldsFragment | null;
  canEdit: boolean;
  onSaved: () => void;
}) {
  // The form starts from the policy as loaded; after a save it restarts from the saved policy.
  const [saved, setSaved] = useState<CatalogPolicyFieldsFragment>(policy);
  const [draft, setDraft] = useState<TargetsDraft>(() => draftFromPolicy(policy));
  const [errors, setErrors] = useState<FieldErrors>(NO_FIELD_ERRORS);
  const [justSaved, setJustSaved] = useState(false);
  const [save, saving] = useMutation<SaveSlaTargetsMutation, SaveSlaTargetsMutationVariables>(SAVE_SLA_TARGETS_MUTATION);
  const headingId = useId();
  const dirty = targetsChanged(draft, saved);

  function edit(next: TargetsDraft) {
    setDraft(next);
    setJustSaved(false);
  }

  function setCell(priority: CatalogPriority, column: TargetColumn, value: string) {
    edit({ ...draft, rows: { ...draft.rows, [priority]: { ...draft.rows[priority], [column]: value } } });
  }

  /** "90" → "1h 30m" when the input loses focus (unreadable text is left for the person to fix). */
  function tidyCell(priority: CatalogPriority, column: TargetColumn) {
    const parsed = parseTargetMinutes(draft.rows[priority][column]);
    if (parsed.ok && parsed.minutes !== null && parsed.minutes > 0) {
      setDraft((d) => ({ ...d, rows: { ...d.rows, [priority]: { ...d.rows[priority], [column]: formatTargetMinutes(parsed.minutes) } } }));
    }
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
        <span className="small muted nowrap" data-testid="policy-calendar">
          {calendar ? (
            <>
              Calendar: <span className="strong">{calendar.name}</span> <span className="mono">({calendar.alwaysOpen ? '24x7' : calendar.timezone})</span>
            </>
          ) : (
            'Calendar not found'
          )}
        </span>
      </div>
      <form onSubmit={(e) => void submit(e)} noValidate aria-label={`${policy.name} targets`}>
        {general.length > 0 && (
          <div className="pad">
            <Alert title="The targets weren’t saved">{general.join(' ')}</Alert>
          </div>
        )}
        <div className="table-wrap flat">
          <table className="table targets-table">
            <thead>
              <tr>
                <th scope="col">Priority</th>
                {TARGET_COLUMNS.map((c) => (
                  <th key={c} scope="col">
                    {COLUMN_LABEL[c]}
                  </th>
                ))}
                <th scope="col" title="Measure this priority around the clock, whatever the policy’s calendar">
                  24x7
                </th>
              </tr>
            </thead>
            <tbody>
              {CATALOG_PRIORITIES.map((p) => (
                <tr key={p} data-testid={`targets-${p}`}>
                  <th scope="row" className="targets-priority">
                    <PriorityPill priority={p} /> <span className="small muted">{PRIORITY_LABEL[p]}</span>
                  </th>
                  {TARGET_COLUMNS.map((c) => (
                    <td key={c}>
                      <TargetInputCell
                        label={`${p} ${COLUMN_LABEL[c].toLowerCase()}`}
                        value={draft.rows[p][c]}
                        error={errors.fields[targetField(p, c)]}
                        disabled={!canEdit}
                        onChange={(v) => setCell(p, c, v)}
                        onBlur={() => tidyCell(p, c)}
                        testId={`target-${p}-${c}`}
                      />
                    </td>
                  ))}
                  <td>
                    <label className="checkbox-row small" title="Measure this priority around the clock, whatever the policy’s calendar">
                      <input
                        type="checkbox"
                        checked={draft.rows[p].aroundTheClock}
                        disabled={!canEdit}
                        onChange={(e) => edit({ ...draft, rows: { ...draft.rows, [p]: { ...draft.rows[p], aroundTheClock: e.target.checked } } })}
                        aria-label={`${p} measured 24x7`}
                        data-testid={`target-${p}-aroundTheClock`}
                      />
                    </label>
                    {errors.fields[targetField(p, 'aroundTheClock')] && <div className="field-error">{errors.fields[targetField(p, 'aroundTheClock')]}</div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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

/** A target as text ("1h 30m", "90", empty) with what it reads as underneath. */
function TargetInputCell({
  label,
  value,
  error,
  disabled,
  onChange,
  onBlur,
  testId,
}: {
  label: string;
  value: string;
  error: string | undefined;
  disabled: boolean;
  onChange: (value: string) => void;
  onBlur: () => void;
  testId: string;
}) {
  const noteId = useId();
  const parsed = parseTargetMinutes(value);
  const note = error ?? (parsed.ok ? (parsed.minutes === null ? 'No target' : parsed.minutes < 60 ? `${parsed.minutes} min` : `${formatMinutes(parsed.minutes)} · ${parsed.minutes} min`) : parsed.message);
  const bad = !!error || !parsed.ok;
  return (
    <div className="target-cell">
      <input
        className="input target-input"
        value={value}
        disabled={disabled}
        placeholder="—"
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        onBlur={onBlur}
        aria-label={label}
        aria-invalid={bad || undefined}
        aria-describedby={noteId}
        data-testid={testId}
      />
      <div id={noteId} className={clsx('target-note', error ? 'field-error' : !parsed.ok ? 'catalog-warn' : 'muted')} role={error ? 'alert' : undefined}>
        {note}
      </div>
    </div>
  );
}
