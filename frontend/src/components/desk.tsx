/** Service desk building blocks: priority/status pills, SLA countdowns. */
import clsx from 'clsx';
import { useEffect, useId, useLayoutEffect, useRef, useState, type RefObject } from 'react';
import type { BreachState, Level, Priority, SlaClockState, TicketStatus } from '../graphql/generated';
import { BREACH_STATE_LABEL, LEVEL_LABEL, PRIORITY_LABEL, SLA_CLOCK_STATE_LABEL, TICKET_STATUS_LABEL } from '../lib/enums';
import { formatDateTime } from '../lib/format';
import { BREACH_TONE, CLOCK_STATE_TONE, clockLabel, countdown, effectiveBreachState, parseJson, useNow, type Tone } from '../lib/sla';
import './desk.css';

// ---------------------------------------------------------------- priority

export function PriorityPill({ priority, testId }: { priority: Priority; testId?: string }) {
  return (
    <span className={clsx('prio', `prio-${priority.toLowerCase()}`)} title={`${priority} · ${PRIORITY_LABEL[priority]}`} data-priority={priority} data-testid={testId}>
      <PriorityBars priority={priority} />
      {priority}
    </span>
  );
}

function PriorityBars({ priority }: { priority: Priority }) {
  const level = { P1: 4, P2: 3, P3: 2, P4: 1 }[priority];
  return (
    <svg viewBox="0 0 12 12" width="12" height="12" aria-hidden="true" className="prio-bars">
      {[0, 1, 2, 3].map((i) => (
        <rect key={i} x={1 + i * 2.75} y={9 - i * 2.3} width="2" height={2 + i * 2.3} rx="0.6" opacity={i < level ? 1 : 0.22} />
      ))}
    </svg>
  );
}

export type PriorityReason = {
  impact?: string;
  urgency?: string;
  effective_urgency?: string;
  business_critical_requester?: boolean;
  source?: string;
};

function levelText(v: unknown): string {
  const key = typeof v === 'string' ? (v.toUpperCase() as Level) : undefined;
  return key && key in LEVEL_LABEL ? LEVEL_LABEL[key] : typeof v === 'string' ? v : '—';
}

/** The sentences behind a priority (from the ticket's `priorityReason` JSON). */
export function priorityReasonLines(reasonJson: string, priority: Priority): string[] {
  const r = parseJson<PriorityReason>(reasonJson, {});
  const lines: string[] = [];
  if (r.impact || r.urgency) lines.push(`Impact ${levelText(r.impact).toLowerCase()} × urgency ${levelText(r.urgency).toLowerCase()}`);
  if (r.business_critical_requester) {
    lines.push(`The requester is business-critical: urgency raised to ${levelText(r.effective_urgency).toLowerCase()}.`);
  }
  if (r.source) lines.push(`${priority} from the ${r.source === 'matrix' ? 'MSP’s triage matrix' : r.source}.`);
  return lines;
}

/** Space kept between a popover and the window's edge, in px. */
export const POPOVER_MARGIN = 8;

/**
 * How far (px, ≤ 0) to move a popover left of where it opens (its anchor's left edge) so that
 * it stays inside a window `viewportWidth` px wide: its right edge at most POPOVER_MARGIN from
 * the window's right edge, and never pushed past the left margin.
 */
export function popoverShift(rect: { left: number; right: number }, viewportWidth: number): number {
  const overflow = rect.right - (viewportWidth - POPOVER_MARGIN);
  if (overflow <= 0) return 0;
  return -Math.max(0, Math.min(overflow, rect.left - POPOVER_MARGIN));
}

/** Keeps the open popover `ref` inside the window, now and when the window is resized. */
function useStayInViewport(ref: RefObject<HTMLElement | null>, open: boolean) {
  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const el = ref.current;
      if (!el) return;
      el.style.removeProperty('left');
      const width = document.documentElement.clientWidth || window.innerWidth;
      const shift = popoverShift(el.getBoundingClientRect(), width);
      if (shift) el.style.left = `${shift}px`;
    };
    place();
    window.addEventListener('resize', place);
    return () => window.removeEventListener('resize', place);
  }, [ref, open]);
}

/** Priority pill that explains itself on hover/focus/click. */
export function PriorityWithReason({ priority, reason }: { priority: Priority; reason: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  const ref = useRef<HTMLSpanElement>(null);
  const popover = useRef<HTMLSpanElement>(null);
  const lines = priorityReasonLines(reason, priority);
  useStayInViewport(popover, open);

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (ref.current && !ref.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <span className="popover-anchor" ref={ref} onMouseEnter={() => setOpen(true)} onMouseLeave={() => setOpen(false)}>
      <button
        type="button"
        className="prio-button"
        aria-expanded={open}
        aria-describedby={open ? id : undefined}
        onClick={() => setOpen((o) => !o)}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
        data-testid="ticket-priority"
      >
        <PriorityPill priority={priority} />
        <span className="muted small">{PRIORITY_LABEL[priority]}</span>
      </button>
      {open && (
        <span className="popover" role="tooltip" id={id} ref={popover} data-testid="priority-reason">
          <span className="popover-title">Why {priority}?</span>
          {lines.length ? (
            lines.map((l) => (
              <span key={l} className="block">
                {l}
              </span>
            ))
          ) : (
            <span className="block muted">Set by the service desk.</span>
          )}
        </span>
      )}
    </span>
  );
}

// ------------------------------------------------------------------ status

const STATUS_TONE: Record<TicketStatus, string> = {
  NEW: 'blue',
  OPEN: 'blue',
  IN_PROGRESS: 'violet',
  WAITING_ON_CLIENT: 'amber',
  WAITING_ON_VENDOR: 'amber',
  RESOLVED: 'green',
  CLOSED: 'grey',
};

export function TicketStatusPill({ status }: { status: TicketStatus }) {
  return (
    <span className={clsx('pill', `pill-${STATUS_TONE[status]}`)} data-status={status}>
      <span className="pill-dot" aria-hidden="true" />
      {TICKET_STATUS_LABEL[status]}
    </span>
  );
}

/** A clock's state; `tone` overrides the colour (a running clock at risk is amber, past its due time red). */
export function ClockStatePill({ state, tone = CLOCK_STATE_TONE[state] }: { state: SlaClockState; tone?: Tone }) {
  return (
    <span className={clsx('pill', `pill-${tone === 'none' ? 'grey' : tone}`)} data-state={state} data-tone={tone}>
      {SLA_CLOCK_STATE_LABEL[state]}
    </span>
  );
}

// --------------------------------------------------------------------- SLA

/**
 * Live countdown to the next SLA deadline, coloured by risk.
 * `layout="stack"`: time on top, clock name and due time under it (tables).
 */
export function SlaCountdown({
  dueAt,
  clock,
  state,
  layout = 'inline',
}: {
  dueAt: string | null;
  clock: string | null;
  state: BreachState;
  layout?: 'inline' | 'stack';
}) {
  const now = useNow();
  const label = clockLabel(clock);
  if (state === 'PAUSED') {
    return (
      <span className={clsx('sla', 'sla-grey', layout === 'stack' && 'sla-stack')} data-testid="sla-countdown" data-state="PAUSED" title={`${label} clock paused (e.g. waiting on you or a vendor); the deadline moves while paused.`}>
        <span className="sla-time">
          <PauseIcon /> paused
        </span>
        <span className="sla-clock">{label}</span>
      </span>
    );
  }
  const c = dueAt ? countdown(dueAt, now) : null;
  if (state !== 'NONE' && (!c || !dueAt)) {
    // A risk without a deadline to count down to (e.g. a clock that already breached).
    return (
      <span className={clsx('sla', `sla-${BREACH_TONE[state]}`, layout === 'stack' && 'sla-stack')} data-testid="sla-countdown" data-state={state}>
        <span className="sla-time">
          {state === 'BREACHED' && <span className="sla-dot" aria-hidden="true" />}
          {BREACH_STATE_LABEL[state].toLowerCase()}
        </span>
        {clock && <span className="sla-clock">{label}</span>}
      </span>
    );
  }
  if (state === 'NONE' || !c || !dueAt) {
    return (
      <span className={clsx('sla', 'sla-none', layout === 'stack' && 'sla-stack')} data-testid="sla-countdown" data-state="NONE">
        <span className="sla-time">no SLA</span>
      </span>
    );
  }
  const effective = effectiveBreachState(state, dueAt, now);
  const tone = BREACH_TONE[effective];
  return (
    <span
      className={clsx('sla', `sla-${tone}`, layout === 'stack' && 'sla-stack')}
      data-testid="sla-countdown"
      data-state={effective}
      title={`${label} due ${formatDateTime(dueAt)}`}
    >
      <span className="sla-time">
        <span className="sla-dot" aria-hidden="true" />
        <span className="tabular">{c.text}</span> {c.overdue ? 'overdue' : 'left'}
      </span>
      <span className="sla-clock">{label}</span>
    </span>
  );
}

function PauseIcon() {
  return (
    <svg viewBox="0 0 12 12" width="10" height="10" aria-hidden="true">
      <path d="M4 2.5v7M8 2.5v7" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
    </svg>
  );
}
