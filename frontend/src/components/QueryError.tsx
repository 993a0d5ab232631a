import type { ReactNode } from 'react';
import { Alert, Button } from './ui';

/**
 * What a page or section shows when a query failed: what couldn't be loaded, the server's
 * user-facing message (GraphQLRequestError.message) and a Retry button. The one place for
 * this, so every failed load looks and reads the same.
 */
export function QueryError({
  title,
  error,
  onRetry,
  retrying = false,
  children,
  className,
}: {
  /** "Couldn’t load the queue" — say what is missing. */
  title?: ReactNode;
  error: { message: string };
  /** Re-run the query; a returned promise is not awaited here (the query's state shows progress). */
  onRetry: () => unknown;
  /** The retry is in flight: the button shows a spinner and can't be pressed twice. */
  retrying?: boolean;
  /** Said after the message, e.g. "Showing the queue as of 10:42." */
  children?: ReactNode;
  className?: string;
}) {
  return (
    <Alert
      className={className}
      title={title}
      action={
        <Button size="sm" onClick={() => void onRetry()} loading={retrying} data-testid="query-error-retry">
          Retry
        </Button>
      }
    >
      <span data-testid="query-error-message">{error.message}</span>
      {children}
    </Alert>
  );
}
