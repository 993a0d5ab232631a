import clsx from 'clsx';
import type { ReactNode } from 'react';

/**
 * A titled card: a `<section>` named by its `<h2>` heading, with optional extras beside the
 * title in the card header (counts go in `title`, badges or notes in `aside`).
 */
export function Card({
  headingId,
  title,
  aside,
  className,
  testId,
  children,
}: {
  /** The heading's id; the section is labelled by it. */
  headingId: string;
  title: ReactNode;
  /** Shown in the header after the heading. */
  aside?: ReactNode;
  /** Extra classes next to `card`. */
  className?: string;
  testId?: string;
  children?: ReactNode;
}) {
  return (
    <section className={clsx('card', className)} aria-labelledby={headingId} data-testid={testId}>
      <div className="card-header">
        <h2 className="card-title" id={headingId}>
          {title}
        </h2>
        {aside}
      </div>
      {children}
    </section>
  );
}
