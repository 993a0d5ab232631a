/**
 * The SLA targets form's state: per priority the three targets as typed ("1h 30m", "90", "")
 * and the 24x7 flag, plus warning thresholds as percentages ("75, 90").
 * Error keys are the server's field names (`targets.P2.firstResponseMinutes`, `warningThresholds`)
 * so local and server errors land on the same inputs.
 */
import type { CatalogPolicyFieldsFragment, Priority, TargetInput } from '../../graphql/generated';
import {
  CATALOG_PRIORITIES,
  TARGET_COLUMNS,
  formatTargetMinutes,
  parseTargetMinutes,
  parseThresholdPercents,
  thresholdsToPercentText,
  type TargetColumn,
} from './catalog';

export type TargetRowDraft = Record<TargetColumn, string> & { aroundTheClock: boolean };
export type TargetsDraft = { rows: Record<Priority, TargetRowDraft>; thresholds: string };

export function targetField(priority: Priority, column: TargetColumn | 'aroundTheClock'): string {
  return `targets.${priority}.${column}`;
}

export function draftFromPolicy(policy: Pick<CatalogPolicyFieldsFragment, 'targets' | 'warningThresholds'>): TargetsDraft {
  const rows = {} as Record<Priority, TargetRowDraft>;
  for (const p of CATALOG_PRIORITIES) {
    const t = policy.targets.find((x) => x.priority === p);
    rows[p] = {
      firstResponseMinutes: formatTargetMinutes(t?.firstResponseMinutes),
      nextUpdateMinutes: formatTargetMinutes(t?.nextUpdateMinutes),
      resolutionMinutes: formatTargetMinutes(t?.resolutionMinutes),
      aroundTheClock: t?.aroundTheClock ?? false,
    };
  }
  return { rows, thresholds: thresholdsToPercentText(policy.warningThresholds) };
}

export type TargetsBuild =
  | { ok: true; targets: TargetInput[]; warningThresholds: number[] }
  | { ok: false; fields: Record<string, string> };

export type TargetRowsBuild = { ok: true; targets: TargetInput[] } | { ok: false; fields: Record<string, string> };

/** Parse the P1–P4 rows into `TargetInput`s (all four, in order), or say which inputs can't be read. */
export function buildTargetRows(rows: TargetsDraft['rows']): TargetRowsBuild {
  const fields: Record<string, string> = {};
  const targets: TargetInput[] = [];
  for (const p of CATALOG_PRIORITIES) {
    const row = rows[p];
    const target: TargetInput = { priority: p, aroundTheClock: row.aroundTheClock };
    for (const c of TARGET_COLUMNS) {
      const parsed = parseTargetMinutes(row[c]);
      if (parsed.ok) target[c] = parsed.minutes;
      else fields[targetField(p, c)] = parsed.message;
    }
    targets.push(target);
  }
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, targets };
}

/** Parse the form into the mutation's arguments, or say which inputs can't be read. */
export function buildTargets(draft: TargetsDraft): TargetsBuild {
  const rows = buildTargetRows(draft.rows);
  const fields: Record<string, string> = rows.ok ? {} : { ...rows.fields };
  const targets: TargetInput[] = rows.ok ? rows.targets : [];
  const thresholds = parseThresholdPercents(draft.thresholds);
  if (!thresholds.ok) fields['warningThresholds'] = thresholds.message;
  if (Object.keys(fields).length > 0 || !thresholds.ok) return { ok: false, fields };
  return { ok: true, targets, warningThresholds: thresholds.fractions };
}

/** True when the form says something other than the saved policy (compares what would be sent). */
export function targetsChanged(draft: TargetsDraft, policy: Pick<CatalogPolicyFieldsFragment, 'targets' | 'warningThresholds'>): boolean {
  return JSON.stringify(buildTargets(draft)) !== JSON.stringify(buildTargets(draftFromPolicy(policy)));
}
