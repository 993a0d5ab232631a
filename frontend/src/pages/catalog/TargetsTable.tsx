import clsx from 'clsx';
import { useId } from 'react';
import { PriorityPill } from '../../components/desk';
import type { Priority } from '../../graphql/generated';
import { PRIORITY_LABEL } from '../../lib/enums';
import { formatMinutes } from '../../lib/sla';
import { CATALOG_PRIORITIES, TARGET_COLUMNS, formatTargetMinutes, parseTargetMinutes, type TargetColumn } from './catalog';
import { targetField, type TargetsDraft } from './targetsDraft';

export const TARGET_COLUMN_LABEL: Record<TargetColumn, string> = {
  firstResponseMinutes: 'First response',
  nextUpdateMinutes: 'Next update',
  resolutionMinutes: 'Resolution',
};

type Rows = TargetsDraft['rows'];

/**
 * The P1–P4 targets editor (three targets as "1h 30m" plus 24x7 per priority), shared by a policy's
 * card and the New policy form. Errors are keyed by the server's field names (`targets.P2.firstResponseMinutes`).
 */
export function TargetsTable({
  rows,
  errors,
  disabled,
  onChange,
}: {
  rows: Rows;
  errors: Record<string, string>;
  disabled: boolean;
  /** Called with an updater so a blur's tidy-up never overwrites a keystroke. */
  onChange: (update: (rows: Rows) => Rows) => void;
}) {
  function setCell(priority: Priority, column: TargetColumn, value: string) {
    onChange((r) => ({ ...r, [priority]: { ...r[priority], [column]: value } }));
  }

  /** "90" → "1h 30m" when the input loses focus (unreadable text is left for the person to fix). */
  function tidyCell(priority: Priority, column: TargetColumn) {
    const parsed = parseTargetMinutes(rows[priority][column]);
    if (parsed.ok && parsed.minutes !== null && parsed.minutes > 0) {
      const text = formatTargetMinutes(parsed.minutes);
      if (text !== rows[priority][column]) onChange((r) => ({ ...r, [priority]: { ...r[priority], [column]: text } }));
    }
  }

  return (
    <div className="table-wrap flat">
      <table className="table targets-table">
        <thead>
          <tr>
            <th scope="col">Priority</th>
            {TARGET_COLUMNS.map((c) => (
              <th key={c} scope="col">
                {TARGET_COLUMN_LABEL[c]}
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
                    label={`${p} ${TARGET_COLUMN_LABEL[c].toLowerCase()}`}
                    value={rows[p][c]}
                    error={errors[targetField(p, c)]}
                    disabled={disabled}
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
                    checked={rows[p].aroundTheClock}
                    disabled={disabled}
                    onChange={(e) => {
                      const checked = e.target.checked;
                      onChange((r) => ({ ...r, [p]: { ...r[p], aroundTheClock: checked } }));
                    }}
                    aria-label={`${p} measured 24x7`}
                    data-testid={`target-${p}-aroundTheClock`}
                  />
                </label>
                {errors[targetField(p, 'aroundTheClock')] && <div className="field-error">{errors[targetField(p, 'aroundTheClock')]}</div>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
