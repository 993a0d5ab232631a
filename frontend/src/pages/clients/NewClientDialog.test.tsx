import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter } from 'react-router';
import { mockGraphQL } from '../../test/mockGraphQL';
import { NewClientDialog } from './NewClientDialog';

afterEach(() => vi.unstubAllGlobals());

const managers = [{ id: 'AM1', fullName: 'Alex Manager', email: 'alex@msp.example', mspRole: 'ACCOUNT_MANAGER' as const }];

function renderDialog() {
  const onProvisioned = vi.fn();
  render(
    <MemoryRouter>
      <NewClientDialog accountManagers={managers} onClose={() => {}} onProvisioned={onProvisioned} />
    </MemoryRouter>,
  );
  return { onProvisioned };
}

async function fillValid(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByTestId('provision-name'), 'Acme Dental Group');
  await user.selectOptions(screen.getByTestId('provision-industry'), 'HEALTHCARE');
  await user.selectOptions(screen.getByTestId('provision-tier'), 'PREMIUM');
  await user.selectOptions(screen.getByTestId('provision-account-manager'), 'AM1');
  await user.type(screen.getByTestId('provision-it-lead-name'), 'Ivy Lead');
  await user.type(screen.getByTestId('provision-it-lead-email'), 'ivy@acme.example');
}

describe('NewClientDialog', () => {
  it('derives the slug from the name until the slug is edited by hand', async () => {
    mockGraphQL({});
    const user = userEvent.setup();
    renderDialog();
    await user.type(screen.getByTestId('provision-name'), 'Smith & Sons');
    expect(screen.getByTestId('provision-slug')).toHaveValue('smith-and-sons');
    await user.clear(screen.getByTestId('provision-slug'));
    await user.type(screen.getByTestId('provision-slug'), 'smiths');
    await user.type(screen.getByTestId('provision-name'), ' Ltd');
    expect(screen.getByTestId('provision-slug')).toHaveValue('smiths');
    // Clearing the slug turns derivation back on.
    await user.clear(screen.getByTestId('provision-slug'));
    await user.type(screen.getByTestId('provision-name'), '.');
    expect(screen.getByTestId('provision-slug')).toHaveValue('smith-and-sons-ltd');
  });

  it('validates locally before calling the server', async () => {
    const api = mockGraphQL({});
    const user = userEvent.setup();
    renderDialog();
    await user.click(screen.getByTestId('provision-submit'));
    expect(await screen.findByText('Enter the client’s name.')).toBeInTheDocument();
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
    const user = userEvent.setup();
    renderDialog();
    await fillValid(user);
    await user.click(screen.getByTestId('provision-submit'));
    expect(await screen.findByText('That slug is taken.')).toBeInTheDocument();
    expect(screen.getByTestId('provision-slug')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByTestId('provision-it-lead-email')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('Not a deliverable address.')).toBeInTheDocument();
    expect(screen.getByText('You can provision 5 clients per minute.')).toBeInTheDocument();
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
            message: done ? 'Ready' : `Step ${polls}`,
            error: '',
            createdAt: '2025-01-01T00:00:00Z',
            finishedAt: done ? '2025-01-01T00:00:05Z' : null,
            client: done ? { id: 'C1', slug: 'acme-dental-group', name: 'Acme Dental Group' } : null,
          },
        };
      },
    });
    const user = userEvent.setup();
    const { onProvisioned } = renderDialog();
    await fillValid(user);
    await user.click(screen.getByTestId('provision-submit'));

    const progress = await screen.findByTestId('provision-progress');
    expect(screen.getByRole('progressbar')).toBeInTheDocument();
    await waitFor(() => expect(progress).toHaveAttribute('data-status', 'SUCCEEDED'), { timeout: 8000 });
    expect(screen.getByTestId('provision-open-client')).toHaveAttribute('href', '/clients/acme-dental-group');
    expect(onProvisioned).toHaveBeenCalledTimes(1);

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
      // One key per submission, so a retried request starts one job.
      idempotencyKey: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    // Polling stops once the job finished.
    const count = polls;
    await new Promise((r) => setTimeout(r, 700));
    expect(polls).toBe(count);
  }, 20_000);

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
    const user = userEvent.setup();
    renderDialog();
    await fillValid(user);
    await user.click(screen.getByTestId('provision-submit'));
    expect(await screen.findByTestId('provision-error', {}, { timeout: 3000 })).toHaveTextContent('Schema acme already exists');
    await user.click(screen.getByRole('button', { name: 'Back to the form' }));
    expect(screen.getByTestId('provision-name')).toHaveValue('Acme Dental Group');
  }, 20_000);
});
