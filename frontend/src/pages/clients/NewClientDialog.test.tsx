import { act, fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter } from 'react-router';
import { mockGraphQL } from '../../test/mockGraphQL';
import { NewClientDialog, POLL_INTERVAL_MS } from './NewClientDialog';

// No sleeps: user-event types without delays between keystrokes, and the job poll runs on fake
// timers that the test advances (switched on after typing: Testing Library's user-event wrapper
// needs a real zero-delay timer). A test that times out can leave user-event typing into the
// next test's focused field (that is how "Acme Dental Group" once arrived as "eAc"), so each test
// here takes well under a second on a quiet machine and gets a generous timeout for a loaded
// one (load average 18 on 2 cores stretched the slowest to 15 s).
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

/** From here on the test drives time itself; use `fireEvent`, not user-event, afterwards. */
function freezeTimers() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
}

const managers = [{ id: 'AM1', fullName: 'Alex Manager', email: 'alex@msp.example', mspRole: 'ACCOUNT_MANAGER' as const }];

function setup() {
  const onProvisioned = vi.fn();
  const user = userEvent.setup({ delay: null });
  render(
    <MemoryRouter>
      <NewClientDialog accountManagers={managers} onClose={() => {}} onProvisioned={onProvisioned} />
    </MemoryRouter>,
  );
  return { onProvisioned, user };
}

/** Let pending fetches resolve and run the timers due in the next `ms`. */
async function advance(ms = 0) {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

const slugInput = () => screen.getByTestId('provision-slug');
const nameInput = () => screen.getByTestId('provision-name');
/** The message shown under the slug field (its error), or null. */
const slugMessage = () => slugInput().closest('.field')?.querySelector('.field-error')?.textContent ?? null;

/** Type the name (the slug derives from it keystroke by keystroke); paste the rest, which is quicker on a busy machine. */
async function fillValid(user: ReturnType<typeof userEvent.setup>) {
  await user.type(nameInput(), 'Acme Dental Group');
  await user.selectOptions(screen.getByTestId('provision-industry'), 'HEALTHCARE');
  await user.selectOptions(screen.getByTestId('provision-tier'), 'PREMIUM');
  await user.selectOptions(screen.getByTestId('provision-account-manager'), 'AM1');
  await user.click(screen.getByTestId('provision-it-lead-name'));
  await user.paste('Ivy Lead');
  await user.click(screen.getByTestId('provision-it-lead-email'));
  await user.paste('ivy@acme.example');
}

describe('NewClientDialog', { timeout: 30_000 }, () => {
  it('keeps every keystroke of the name while deriving the slug', async () => {
    mockGraphQL({});
    const { user } = setup();
    const name = 'Acme Dental Group of 42 Practices & Clinics';
    await user.type(nameInput(), name);
    expect(nameInput()).toHaveValue(name);
    expect(slugInput()).toHaveValue('acme-dental-group-of-42-practices-and-cl');
  });

  it('derives the slug from the name until the slug is edited by hand', async () => {
    mockGraphQL({});
    const { user } = setup();
    await user.type(nameInput(), 'Smith & Sons');
    expect(slugInput()).toHaveValue('smith-and-sons');
    await user.clear(slugInput());
    await user.type(slugInput(), 'smiths');
    await user.type(nameInput(), ' Ltd');
    expect(slugInput()).toHaveValue('smiths');
    // Clearing the slug turns derivation back on.
    await user.clear(slugInput());
    await user.type(nameInput(), '.');
    expect(slugInput()).toHaveValue('smith-and-sons-ltd');
  });

  it('keeps the digits of the name in the derived slug and says when it must change', async () => {
    mockGraphQL({});
    const { user } = setup();
    await user.type(nameInput(), '123 Widgets');
    expect(slugInput()).toHaveValue('123-widgets');
    expect(slugMessage()).toBe('Start with a letter.');
    await user.clear(nameInput());
    await user.type(nameInput(), 'Widgets 123');
    expect(slugInput()).toHaveValue('widgets-123');
    expect(slugMessage()).toBeNull();
  });

  it('shows a typed slug exactly as typed, with a visible message when it is not valid', async () => {
    const api = mockGraphQL({});
    const { user } = setup();
    await user.type(nameInput(), 'Bad Co');
    await user.clear(slugInput());
    await user.type(slugInput(), '1-bad');
    expect(slugInput()).toHaveValue('1-bad');
    expect(slugMessage()).toBe('Start with a letter.');
    await user.tab(); // leaving the field must not rewrite it either
    expect(slugInput()).toHaveValue('1-bad');
    expect(slugInput()).toHaveAttribute('aria-invalid', 'true');

    await user.clear(slugInput());
    await user.type(slugInput(), 'Acme Dental');
    expect(slugInput()).toHaveValue('Acme Dental');
    expect(slugMessage()).toBe('Use lowercase letters only.');

    // "Too short" waits until the field is left or the form submitted.
    await user.clear(slugInput());
    await user.type(slugInput(), 'ab');
    await user.click(screen.getByTestId('provision-submit'));
    expect(slugMessage()).toBe('Use 3–40 characters.');
    expect(slugInput()).toHaveValue('ab');
    expect(api.calls).toHaveLength(0);
  });

  it('validates locally before calling the server', async () => {
    const api = mockGraphQL({});
    const { user } = setup();
    await user.click(screen.getByTestId('provision-submit'));
    expect(screen.getByText('Enter the client’s name.')).toBeInTheDocument();
    expect(screen.getByText('Choose an industry.')).toBeInTheDocument();
    expect(screen.getByText('Enter the IT lead’s email.')).toBeInTheDocument();
    expect(api.calls).toHaveLength(0);
  });

  it('shows server errors next to their fields (camelCase field names) and general ones on top', async () => {
    mockGraphQL({
      ProvisionClient: () => ({
        provisionClient: {
          job: null,
          errors: [
            { field: 'slug', message: 'That slug is taken.', code: 'DUPLICATE_SLUG' },
            { field: 'itLeadEmail', message: 'Not a deliverable address.', code: 'INVALID' },
            { field: null, message: 'You can provision 5 clients per minute.', code: 'TOO_MANY' },
          ],
        },
      }),
    });
    const { user } = setup();
    await fillValid(user);
    await user.click(screen.getByTestId('provision-submit'));
    expect(await screen.findByText('That slug is taken.', {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(slugInput()).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('provision-it-lead-email')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Not a deliverable address.')).toBeInTheDocument();
    expect(screen.getByText('You can provision 5 clients per minute.')).toBeInTheDocument();
  });

  it('shows the server’s INVALID_SLUG at the slug input, leaving the slug as typed', async () => {
    mockGraphQL({
      ProvisionClient: () => ({
        provisionClient: { job: null, errors: [{ field: 'slug', message: "'admin' is reserved; choose another.", code: 'INVALID_SLUG' }] },
      }),
    });
    const { user } = setup();
    await fillValid(user);
    await user.clear(slugInput());
    await user.type(slugInput(), 'admin');
    await user.click(screen.getByTestId('provision-submit'));
    expect(await screen.findByText("'admin' is reserved; choose another.", {}, { timeout: 10_000 })).toBeInTheDocument();
    expect(slugMessage()).toBe("'admin' is reserved; choose another.");
    expect(slugInput()).toHaveValue('admin');
  });

  it('submits the input, polls the job and links to the new client when it succeeds', async () => {
    let polls = 0;
    const api = mockGraphQL({
      ProvisionClient: () => ({
        provisionClient: { job: { id: 'job-1', slug: 'acme-dental-group', status: 'QUEUED', step: 0, totalSteps: 4, message: 'Queued', error: '' }, errors: [] },
      }),
      ProvisioningJob: ({ id }) => {
        expect(id).toBe('job-1');
        polls++;
        const done = polls >= 3;
        return {
          provisioningJob: {
            id: 'job-1',
            slug: 'acme-dental-group',
            status: done ? 'SUCCEEDED' : 'RUNNING',
            step: done ? 4 : polls,
            totalSteps: 4,
            message: done ? 'Client ready' : `Step ${polls}`,
            error: '',
            createdAt: '2025-01-01T00:00:00Z',
            finishedAt: done ? '2025-01-01T00:00:05Z' : null,
            client: done ? { id: 'C1', slug: 'acme-dental-group', name: 'Acme Dental Group' } : null,
          },
        };
      },
    });
    const { user, onProvisioned } = setup();
    await fillValid(user);
    freezeTimers();
    fireEvent.click(screen.getByTestId('provision-submit'));
    await advance();

    const progress = screen.getByTestId('provision-progress');
    expect(screen.getByRole('progressbar')).toBeInTheDocument();
    expect(progress).toHaveAttribute('data-status', 'RUNNING');
    expect(screen.getByTestId('provision-message')).toHaveTextContent('Step 1');
    await advance(POLL_INTERVAL_MS);
    expect(screen.getByTestId('provision-message')).toHaveTextContent('Step 2');
    await advance(POLL_INTERVAL_MS);
    expect(progress).toHaveAttribute('data-status', 'SUCCEEDED');
    expect(screen.getByTestId('provision-open-client')).toHaveAttribute('href', '/clients/acme-dental-group');
    expect(onProvisioned).toHaveBeenCalledTimes(1);
    // "Client ready" is said once (the alert), not again by the job's last message.
    expect(screen.getAllByText(/Client ready/)).toHaveLength(1);

    const input = api.calls.find((c) => c.operationName === 'ProvisionClient')?.variables['input'];
    expect(input).toEqual({
      name: 'Acme Dental Group',
      slug: 'acme-dental-group',
      industry: 'HEALTHCARE',
      tier: 'PREMIUM',
      timezone: expect.any(String),
      itLeadName: 'Ivy Lead',
      itLeadEmail: 'ivy@acme.example',
      accountManagerId: 'AM1',
      requireTwoFactor: true,
    });
    // Polling stops once the job finished.
    expect(polls).toBe(3);
    await advance(POLL_INTERVAL_MS * 4);
    expect(polls).toBe(3);
  });

  it('shows the job error when provisioning fails', async () => {
    mockGraphQL({
      ProvisionClient: () => ({
        provisionClient: { job: { id: 'job-2', slug: 'acme', status: 'QUEUED', step: 0, totalSteps: 4, message: '', error: '' }, errors: [] },
      }),
      ProvisioningJob: () => ({
        provisioningJob: {
          id: 'job-2', slug: 'acme', status: 'FAILED', step: 2, totalSteps: 4, message: 'Creating schema', error: 'Schema acme already exists',
          createdAt: '2025-01-01T00:00:00Z', finishedAt: '2025-01-01T00:00:01Z', client: null,
        },
      }),
    });
    const { user } = setup();
    await fillValid(user);
    freezeTimers();
    fireEvent.click(screen.getByTestId('provision-submit'));
    await advance();
    expect(screen.getByTestId('provision-error')).toHaveTextContent('Schema acme already exists');
    fireEvent.click(screen.getByRole('button', { name: 'Back to the form' }));
    expect(nameInput()).toHaveValue('Acme Dental Group');
  });
});
