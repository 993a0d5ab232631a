import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { GraphQLRequestError } from '../graphql/client';
import { QueryError } from './QueryError';

describe('QueryError', () => {
  it('says what could not be loaded, the server’s message, and retries on request', async () => {
    const onRetry = vi.fn(() => Promise.resolve(undefined));
    const user = userEvent.setup();
    render(
      <QueryError title="Couldn’t load the queue" error={new GraphQLRequestError('graphql', 'You do not have permission to do that.')} onRetry={onRetry}>
        {' Showing the queue as of 10:42.'}
      </QueryError>,
    );
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('Couldn’t load the queue');
    expect(alert).toHaveTextContent('You do not have permission to do that. Showing the queue as of 10:42.');
    await user.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
  });

  it('can’t be retried twice while a retry is in flight', async () => {
    const onRetry = vi.fn();
    const user = userEvent.setup();
    render(<QueryError title="Couldn’t load clients" error={new Error('Network down')} onRetry={onRetry} retrying />);
    const retry = screen.getByRole('button', { name: 'Retry' });
    expect(retry).toBeDisabled();
    expect(retry).toHaveAttribute('aria-busy', 'true');
    await user.click(retry);
    expect(onRetry).not.toHaveBeenCalled();
  });
});
