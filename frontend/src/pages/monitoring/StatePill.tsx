import clsx from 'clsx';
import type { MonitorState, ServiceState } from '../../graphql/generated';
import { STATE_LABEL, STATE_TONE } from './monitoring';

/** Up / degraded / down … as a coloured pill (the word is always there, not only the colour). */
export function StatePill({ state, testId }: { state: MonitorState | ServiceState; testId?: string }) {
  return (
    <span className={clsx('pill', `pill-${STATE_TONE[state]}`)} data-state={state} data-testid={testId}>
      <span className="pill-dot" aria-hidden="true" />
      {STATE_LABEL[state]}
    </span>
  );
}
