import type { Tone } from './labels';

/** A coloured state pill (protection, patches, MFA): the word carries the meaning, the colour helps. */
export function StatePill({ tone, children, testId }: { tone: Tone; children: string; testId?: string }) {
  return (
    <span className={`pill pill-${tone}`} data-testid={testId}>
      <span className="pill-dot" aria-hidden="true" />
      {children}
    </span>
  );
}
