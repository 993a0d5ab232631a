import clsx from 'clsx';
import { useId, useState } from 'react';
import { ClockStatePill } from '../../components/desk';
import { Alert } from '../../components/ui';
import type { SlaClockFieldsFragment } from '../../graphql/generated';
import { formatDateTime } from '../../lib/format';
import { clockLabel, clockRisk, countdown, DEFAULT_WARNING_FRACTION, firstWarningFraction, formatMinutes, parseJson, useNow, type Tone } from '../../lib/sla';
import { businessTime, explainSentences, viewerTimeZone, type ClockExplain } from './slaExplain';
import { Card } from '../../components/Card';

/** The warning thresholds of a policy by name (the ticket's explain names its policy). */
export type PolicyThresholds = { name: string; warningThresholds: readonly number[] };

/** The first warning fraction for a clock: its policy's when known, else 75 %. */
export function warnAtFor(explain: ClockExplain, policy: PolicyThresholds | null | undefined): number {
  return policy && explain.policy === policy.name ? firstWarningFraction(policy.warningThresholds) : DEFAULT_WARNING_FRACTION;
}

export function SlaPanel({
  clocks,
  policy,
  isStaff = false,
  problem = null,
}: {
  clocks: readonly SlaClockFieldsFragment[];
  /** Staff only: why the clocks can't be computed (the policy needs fixing). */
  problem?: string | null;
  policy?: PolicyThresholds | null;
  /** Staff may open the engine's own calculation steps. */
  isStaff?: boolean;
}) {
  const zone = viewerTimeZone();
  return (
    <Card
      headingId="sla-heading"
      title="SLA"
      testId="sla-panel"
      aside={
        <span className="muted small" title={zone}>
          times in your time zone
        </span>
      }
    >
      {problem ? (
        <Alert tone="warning" title="SLA clocks can’t be computed" className="pad">
          {problem}
        </Alert>
      ) : clocks.length === 0 ? (
        <p className="muted small pad">No SLA applies to this ticket.</p>
      ) : (
        <ul className="sla-clocks">
          {clocks.map((c) => (
            <SlaClockRow key={c.name} clock={c} policy={policy} isStaff={isStaff} />
          ))}
        </ul>
      )}
    </Card>
  );
}

function SlaClockRow({ clock: c, policy, isStaff }: { clock: SlaClockFieldsFragment; policy: PolicyThresholds | null | undefined; isStaff: boolean }) {
  const now = useNow();
  const explain = parseJson<ClockExplain>(c.explain, {});
  const risk = clockRisk(c, now, warnAtFor(explain, policy));
  const measured = c.state !== 'NOT_APPLICABLE';

  return (
    <li className="sla-clock-row" data-testid={`sla-clock-${c.name}`} data-state={c.state} data-risk={risk}>
      <div className="sla-clock-head">
        <span className="strong">{clockLabel(c.name)}</span>
        <ClockStatePill state={c.state} tone={risk} />
      </div>
      {measured ? <ClockFigures clock={c} risk={risk} now={now} twentyFourSeven={explain.calendar?.mode === '24x7'} /> : <p className="small muted">This clock has no target for the ticket’s priority.</p>}
      <details className="sla-explain" data-testid="sla-explain">
        <summary>Explain</summary>
        <div className="sla-explain-body">
          <ul className="sla-story" data-testid="sla-story">
            {explainSentences(c, explain).map((line, i) => (
              <li key={i}>{line}</li>
            ))}
          </ul>
          {isStaff && <Calculation clock={c} explain={explain} />}
        </div>
      </details>
    </li>
  );
}

/** What the clock's numbers mean now: an outcome once it stopped, two clearly different "left"s while it runs. */
function ClockFigures({ clock: c, risk, now, twentyFourSeven }: { clock: SlaClockFieldsFragment; risk: Tone; now: number; twentyFourSeven: boolean }) {
  const target = c.targetMinutes ?? 0;
  const used = c.usedMinutes ?? 0;
  const ofTarget = `${formatMinutes(used)} used of a ${formatMinutes(target)} target`;
  const stopped = c.state === 'MET' || (c.state === 'BREACHED' && !!c.stoppedAt);

  if (stopped) {
    const met = c.state === 'MET';
    return (
      <div className="sla-outcome">
        <div className={clsx('sla-result', met ? 'is-met' : 'is-breached')} data-testid="sla-outcome">
          {met ? (
            <>
              Met with <strong>{businessTime(Math.max(target - used, 0))}</strong> of business time to spare
            </>
          ) : (
            <>
              Breached by <strong>{businessTime(c.overdueMinutes ?? Math.max(used - target, 0))}</strong> of business time
            </>
          )}
        </div>
        <div className="small muted">{ofTarget}</div>
        <div className="small muted">
          {c.dueAt && (
            <>
              Was due <time dateTime={c.dueAt}>{formatDateTime(c.dueAt)}</time>
            </>
          )}
          {c.dueAt && c.stoppedAt && ' · '}
          {c.stoppedAt && (
            <>
              stopped <time dateTime={c.stoppedAt}>{formatDateTime(c.stoppedAt)}</time>
            </>
          )}
        </div>
      </div>
    );
  }

  if (c.state === 'PAUSED') {
    return (
      <div className="sla-due">
        <span className="muted">Paused — the deadline moves while the clock is paused.</span>
        <div className="sla-budget" data-testid="sla-budget">
          <strong>{businessTime(c.remainingMinutes)}</strong> of business time left when it runs again <span className="muted">({ofTarget})</span>
        </div>
      </div>
    );
  }

  // Running (or breached and still running): the countdown is wall-clock time to the due
  // instant; the budget is business time, which only passes during business hours.
  const live = c.dueAt ? countdown(c.dueAt, now) : null;
  const breached = c.state === 'BREACHED' || !!live?.overdue;
  return (
    <div className="sla-due">
      {c.dueAt ? (
        <div>
          <span className="muted">{breached ? 'Was due' : 'Due'}</span> <time dateTime={c.dueAt}>{formatDateTime(c.dueAt)}</time>
          {live && (
            <span className={clsx('sla-live', risk === 'red' ? 'is-overdue' : risk === 'amber' && 'is-warning')} data-testid="sla-countdown" title="Real (wall-clock) time until the due time">
              {' '}
              · <span className="tabular">{live.text}</span> {live.overdue ? 'overdue' : 'left'}
            </span>
          )}
        </div>
      ) : (
        <span className="muted">No deadline</span>
      )}
      {breached ? (
        <div className="sla-budget is-overdue" data-testid="sla-budget">
          Breached by <strong>{businessTime(c.overdueMinutes ?? Math.max(used - target, 0))}</strong> of business time so far{' '}
          <span className="muted">({ofTarget})</span>
        </div>
      ) : (
        <div className="sla-budget" data-testid="sla-budget">
          <strong>{businessTime(c.remainingMinutes)}</strong> of business time left <span className="muted">({ofTarget})</span>
        </div>
      )}
      {live && !live.overdue && !twentyFourSeven && (
        <p className="field-hint">The countdown is real time until the due time; business time only passes during business hours.</p>
      )}
    </div>
  );
}

/** Staff: the engine's own derivation (calendar time zone, formulas) and the excluded stretches. */
function Calculation({ clock: c, explain }: { clock: SlaClockFieldsFragment; explain: ClockExplain }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const segments = explain.excluded_segments ?? [];
  return (
    <div className="sla-calc">
      <button type="button" className="link-btn small" aria-expanded={open} aria-controls={id} onClick={() => setOpen((o) => !o)} data-testid="sla-show-calculation">
        {open ? 'Hide calculation' : 'Show calculation'}
      </button>
      {open && (
        <div id={id} className="sla-calc-body" data-testid="sla-calculation">
          {explain.calendar?.summary && <p className="small muted">Calendar: {explain.calendar.summary}</p>}
          {c.explainSteps.length > 0 && (
            <ol className="sla-steps">
              {c.explainSteps.map((s, i) => (
                <li key={i}>{s}</li>
              ))}
            </ol>
          )}
          {segments.length > 0 && (
            // The side panel is narrow: cells wrap, and anything still too wide scrolls inside
            // this region (focusable, so keyboard users can scroll it too) instead of being cut off.
            // eslint-disable-next-line jsx-a11y/no-noninteractive-tabindex
            <div className="table-scroll mt" role="region" aria-label="Time that didn’t count" tabIndex={0} data-testid="sla-segments-scroll">
              <table className="table table-mini table-wrapping" data-testid="sla-segments">
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
                      <td>{formatDateTime(s.started_at)}</td>
                      <td>{s.ended_at ? formatDateTime(s.ended_at) : <span className="muted">ongoing</span>}</td>
                      <td className="num">{formatMinutes(s.business_minutes ?? null)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
