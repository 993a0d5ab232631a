import clsx from 'clsx';
import { useState } from 'react';
import { PriorityPill } from '../../components/desk';
import { Spinner } from '../../components/ui';
import type {
  Level,
  Priority,
  CatalogTriageCellFieldsFragment,
  SaveTriageRuleMutation,
  SaveTriageRuleMutationVariables,
} from '../../graphql/generated';
import { errorMessage, gql } from '../../graphql/client';
import { PRIORITY_LABEL } from '../../lib/enums';
import { CATALOG_LEVELS, CATALOG_LEVEL_LABEL, CATALOG_PRIORITIES } from './catalog';
import { SAVE_TRIAGE_RULE_MUTATION } from '../../graphql/operations';
import { Card } from '../../components/Card';

type CellState = { saving?: boolean; error?: string; saved?: boolean };
const cellKey = (impact: Level, urgency: Level) => `${impact}-${urgency}`;

/** Impact (rows) × urgency (columns) → priority; each change is saved at once. */
export function TriageMatrix({ cells, canEdit }: { cells: readonly CatalogTriageCellFieldsFragment[]; canEdit: boolean }) {
  // Cells saved on this page win over the loaded matrix until it is reloaded.
  const [overrides, setOverrides] = useState<Record<string, CatalogTriageCellFieldsFragment>>({});
  const [state, setState] = useState<Record<string, CellState>>({});

  const cellAt = (impact: Level, urgency: Level) =>
    overrides[cellKey(impact, urgency)] ?? cells.find((c) => c.impact === impact && c.urgency === urgency);

  async function change(impact: Level, urgency: Level, priority: Priority) {
    const key = cellKey(impact, urgency);
    const before = cellAt(impact, urgency);
    // Show the choice at once; put the old one back if the server refuses it.
    setOverrides((o) => ({ ...o, [key]: { impact, urgency, priority, configured: before?.configured ?? false } }));
    setState((s) => ({ ...s, [key]: { saving: true } }));
    // Cells save independently (several may be in flight), so each call has its own request.
    let payload: SaveTriageRuleMutation['saveTriageRule'] | undefined;
    let error: string | undefined;
    try {
      payload = (await gql<SaveTriageRuleMutation, SaveTriageRuleMutationVariables>(SAVE_TRIAGE_RULE_MUTATION, { impact, urgency, priority })).saveTriageRule;
      error = payload.errors.map((e) => e.message).join(' ') || (payload.cell ? undefined : 'Not saved.');
    } catch (err) {
      error = errorMessage(err);
    }
    if (error || !payload?.cell) {
      setOverrides((o) => {
        const next = { ...o };
        if (before) next[key] = before;
        else delete next[key];
        return next;
      });
      setState((s) => ({ ...s, [key]: { error } }));
      return;
    }
    const cell = payload.cell;
    setOverrides((o) => ({ ...o, [key]: cell }));
    setState((s) => ({ ...s, [key]: { saved: true } }));
  }

  return (
    <Card headingId="triage-heading" title="Triage matrix" testId="triage-matrix" aside={<span className="small muted">Impact × urgency → priority for new and re-triaged tickets</span>}>
      <div className="table-wrap flat">
        <table className="table triage-table">
          <thead>
            <tr>
              <th scope="col" className="triage-corner">
                Impact ↓ · Urgency →
              </th>
              {CATALOG_LEVELS.map((u) => (
                <th key={u} scope="col">
                  {CATALOG_LEVEL_LABEL[u]} urgency
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {CATALOG_LEVELS.map((impact) => (
              <tr key={impact}>
                <th scope="row">{CATALOG_LEVEL_LABEL[impact]} impact</th>
                {CATALOG_LEVELS.map((urgency) => {
                  const cell = cellAt(impact, urgency);
                  const key = cellKey(impact, urgency);
                  const st = state[key] ?? {};
                  const label = `${CATALOG_LEVEL_LABEL[impact]} impact, ${CATALOG_LEVEL_LABEL[urgency].toLowerCase()} urgency`;
                  return (
                    <td key={urgency} className={clsx('triage-cell', cell && !cell.configured && 'is-default')} data-testid={`triage-cell-${impact}-${urgency}`} data-configured={cell?.configured ?? false}>
                      {!cell ? (
                        <span className="muted">—</span>
                      ) : (
                        <div className="triage-cell-body">
                          {canEdit ? (
                            <select
                              className="select select-sm triage-select"
                              value={cell.priority}
                              disabled={st.saving}
                              onChange={(e) => void change(impact, urgency, e.target.value as Priority)}
                              aria-label={`Priority for ${label}`}
                              data-testid={`triage-${impact}-${urgency}`}
                            >
                              {CATALOG_PRIORITIES.map((p) => (
                                <option key={p} value={p}>
                                  {p} · {PRIORITY_LABEL[p]}
                                </option>
                              ))}
                            </select>
                          ) : (
                            <PriorityPill priority={cell.priority} />
                          )}
                          {st.saving ? (
                            <Spinner size={12} label="Saving" />
                          ) : !cell.configured ? (
                            <span className="badge badge-grey" title="The ITIL default: the MSP has not set this cell">
                              default
                            </span>
                          ) : st.saved ? (
                            <span className="small catalog-ok" role="status">
                              Saved
                            </span>
                          ) : null}
                        </div>
                      )}
                      {st.error && (
                        <div className="field-error" role="alert">
                          {st.error}
                        </div>
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="field-hint pad">
        Cells marked “default” use the ITIL default until you choose a priority. A business-critical requester raises urgency one step before the matrix is read.
        Existing tickets keep their priority until they are re-triaged.
      </p>
    </Card>
  );
}
