import clsx from 'clsx';
import { ClockStatePill } from '../../components/desk';
import type { SlaClockFieldsFragment } from '../../graphql/generated';
import { formatDateTime } from '../../lib/format';
import { clockLabel, clockRisk, countdown, DEFAULT_WARNING_FRACTION, firstWarningFraction, formatMinutes, parseJson, useNow } from '../../lib/sla';

type Segment = {
  kind?: string;
  reason?: string;
  started_at?: string;
  ended_at?: string | null;
  business_minutes?: number;
};

export type ClockExplain = {
  clock?: string;
  policy?: string;
  priority?: string;
  target_minutes?: number | null;
  calendar?: { name?: string; timezone?: string; summary?: string; mode?: string };
  started_at?: string;
  excluded_segments?: Segment[];
  steps?: string[];
};

/** The warning thresholds of a policy by name (the ticket's explain names its policy). */
export type PolicyThresholds = { name: string; warningThresholds: readonly number[] };

/** The first warning fraction for a clock: its policy's when known, else 75 %. */
export function warnAtFor(explain: ClockExplain, policy: PolicyThresholds | null | undefined): number {
  return policy && explain.policy === policy.name ? firstWarningFraction(policy.warningThresholds) : DEFAULT_WARNING_FRACTION;
}

export function SlaPanel({ clocks, policy }: { clocks: readonly SlaClockFieldsFragment[]; policy?: PolicyThresholds | null }) {
  return (
    <section className="card" aria-labelledby="sla-heading" data-testid="sla-panel">
      <div className="card-header">
        <h2 className="card-title" id="sla-heading">
          SLA
        </h2>
        <span className="muted small">times in your time zone</span>
      </div>
      {clocks.length === 0 ? (
        <p className="muted small pad">No SLA applies to this ticket.</p>
      ) : (
        <ul className="sla-clocks">
          {clocks.map((c) => (
            <SlaClockRow key={c.name} clock={c} policy={policy} />
          ))}
        </ul>
      )}
    </section>
  );
}

function SlaClockRow({ clock: c, policy }: { clock: SlaClockFieldsFragment; policy: PolicyThresholds | null | undefined }) {
  const now = useNow();
  const explain = parseJson<ClockExplain>(c.explain, {});
  const risk = clockRisk(c, now, warnAtFor(explain, policy));
  const live = c.state === 'RUNNING' && c.dueAt ? countdown(c.dueAt, now) : null;
  const measured = c.state !== 'NOT_APPLICABLE';
  const segments = explain.excluded_segments ?? [];

  return (
    <li className="sla-clock-row" data-testid={`sla-clock-${c.name}`} data-state={c.state} data-risk={risk}>
      <div className="sla-clock-head">
        <span className="strong">{clockLabel(c.name)}</span>
        <ClockStatePill state={c.state} tone={risk} />
      </div>
      {measured ? (
        <>
          <div className="sla-due">
            {c.dueAt ? (
              <>
                <span className="muted">{c.state === 'MET' || c.state === 'BREACHED' ? 'Was due' : 'Due'}</span>{' '}
                <time dateTime={c.dueAt}>{formatDateTime(c.dueAt)}</time>
                {live && (
                  <span className={clsx('sla-live', risk === 'red' ? 'is-overdue' : risk === 'amber' && 'is-warning')} data-testid="sla-countdown">
                    {' '}
                    · <span className="tabular">{live.text}</span> {live.overdue ? 'overdue' : 'left'}
                  </span>
                )}
              </>
            ) : c.state === 'PAUSED' ? (
              <span className="muted">Paused — the deadline moves while the clock is paused.</span>
            ) : (
              <span className="muted">No deadline</span>
            )}
            {c.stoppedAt && (
              <div className="small muted">
                Stopped <time dateTime={c.stoppedAt}>{formatDateTime(c.stoppedAt)}</time>
              </div>
            )}
          </div>
          <dl className="sla-figures">
            <div>
              <dt>Target</dt>
              <dd>{formatMinutes(c.targetMinutes)}</dd>
            </div>
            <div>
              <dt>Used</dt>
              <dd>{formatMinutes(c.usedMinutes)}</dd>
            </div>
            <div>
              <dt>Remaining</dt>
              <dd>{formatMinutes(c.remainingMinutes)}</dd>
            </div>
            <div className={clsx((c.overdueMinutes ?? 0) > 0 && 'is-overdue')}>
              <dt>Overdue</dt>
              <dd>{formatMinutes(c.overdueMinutes)}</dd>
            </div>
          </dl>
        </>
      ) : (
        <p className="small muted">This clock has no target for the ticket’s priority.</p>
      )}
      <details className="sla-explain" data-testid="sla-explain">
        <summary>Explain</summary>
        <div className="sla-explain-body">
          <dl className="facts facts-compact">
            {explain.policy && (
              <>
                <dt>Policy</dt>
                <dd>{explain.policy}</dd>
              </>
            )}
            {explain.priority && (
              <>
                <dt>Priority</dt>
                <dd>{explain.priority}</dd>
              </>
            )}
            {explain.calendar && (
              <>
                <dt>Calendar</dt>
                <dd>{explain.calendar.summary ?? explain.calendar.name}</dd>
              </>
            )}
            <dt>Started</dt>
            <dd>{formatDateTime(c.startedAt)}</dd>
          </dl>
          {c.explainSteps.length > 0 && (
            <ol className="sla-steps">
              {c.explainSteps.map((s, i) => (
                <li key={i}>{s}</li>
              ))}
            </ol>
          )}
          <div className="section-title mt">Pauses and excluded time</div>
          {segments.length === 0 ? (
            <p className="small muted">None — the clock ran without pauses.</p>
          ) : (
            <table className="table table-mini" data-testid="sla-segments">
              <thead>
                <tr>
                  <th scope="col">Why</th>
                  <th scope="col">From</th>
                  <th scope="col">Until</th>
                  <th scope="col" className="num">
                    Business time
                  </th>
                </tr>
              </thead>
              <tbody>
                {segments.map((s, i) => (
                  <tr key={i}>
                    <td>{s.reason || s.kind || '—'}</td>
                    <td className="nowrap">{formatDateTime(s.started_at)}</td>
                    <td className="nowrap">{s.ended_at ? formatDateTime(s.ended_at) : <span className="muted">ongoing</span>}</td>
                    <td className="num">{formatMinutes(s.business_minutes ?? null)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      </details>
    </li>
  );
}
