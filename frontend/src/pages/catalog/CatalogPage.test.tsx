import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StaticViewerProvider } from '../../auth/ViewerContext';
import type { CatalogPolicyFieldsFragment, SlaCatalogQuery, ViewerFieldsFragment } from '../../graphql/generated';
import { makeViewer, mockGraphQL } from '../../test/mockGraphQL';
import { CatalogPage } from './CatalogPage';
import { ClientSlaCard } from './ClientSlaCard';

afterEach(() => vi.unstubAllGlobals());

const admin = makeViewer({ mspRole: 'ADMIN' });
const technician = makeViewer({ mspRole: 'TECHNICIAN' });
const accountManager = makeViewer({ mspRole: 'ACCOUNT_MANAGER' });

const STANDARD: CatalogPolicyFieldsFragment = {
  id: '1',
  name: 'Standard',
  description: 'P1 around the clock; P2–P4 in UK business hours.',
  isDefault: true,
  warningThresholds: [0.75, 0.9],
  calendarId: '10',
  targets: [
    { priority: 'P1', firstResponseMinutes: 30, nextUpdateMinutes: 60, resolutionMinutes: 240, aroundTheClock: true },
    { priority: 'P2', firstResponseMinutes: 60, nextUpdateMinutes: 240, resolutionMinutes: 480, aroundTheClock: false },
    { priority: 'P3', firstResponseMinutes: 240, nextUpdateMinutes: 480, resolutionMinutes: 1440, aroundTheClock: false },
    { priority: 'P4', firstResponseMinutes: 480, nextUpdateMinutes: null, resolutionMinutes: 2400, aroundTheClock: false },
  ],
};
const PREMIUM: CatalogPolicyFieldsFragment = { ...STANDARD, id: '2', name: 'Premium', isDefault: false, description: '' };

function catalog(): SlaCatalogQuery {
  const levels = ['HIGH', 'MEDIUM', 'LOW'] as const;
  const itil = { HIGH: { HIGH: 'P1', MEDIUM: 'P2', LOW: 'P3' }, MEDIUM: { HIGH: 'P2', MEDIUM: 'P3', LOW: 'P4' }, LOW: { HIGH: 'P3', MEDIUM: 'P4', LOW: 'P4' } } as const;
  return {
    slaCatalog: {
      calendars: [
        {
          id: '10',
          name: 'UK business hours',
          timezone: 'Europe/London',
          alwaysOpen: false,
          holidayCountry: 'GB',
          holidaySubdivision: 'ENG',
          windows: [0, 1, 2, 3, 4].flatMap((weekday) => [
            { weekday, start: '09:00', end: '12:30' },
            { weekday, start: '13:00', end: '17:30' },
          ]),
          closures: [{ date: '2025-12-24', reason: 'Office party' }],
        },
        { id: '11', name: 'Around the clock', timezone: 'UTC', alwaysOpen: true, holidayCountry: '', holidaySubdivision: '', windows: [], closures: [] },
      ],
      policies: [STANDARD],
      triageMatrix: levels.flatMap((impact) =>
        levels.map((urgency) => ({ impact, urgency, priority: itil[impact][urgency], configured: impact === 'LOW' && urgency === 'LOW' })),
      ),
    },
  };
}

function renderPage(viewer: ViewerFieldsFragment, handlers: Parameters<typeof mockGraphQL>[0] = {}) {
  const api = mockGraphQL({ SlaCatalog: () => catalog(), ...handlers });
  render(
    <MemoryRouter initialEntries={['/catalog']}>
      <StaticViewerProvider viewer={viewer}>
        <CatalogPage />
      </StaticViewerProvider>
    </MemoryRouter>,
  );
  return api;
}

const calendarPayload = (errors: unknown[], calendar: unknown = null) => ({ saveBusinessCalendar: { calendar, errors } });

describe('CatalogPage — business calendars', () => {
  it('lists calendars with their hours, holidays and closures', async () => {
    renderPage(admin);
    const row = await screen.findByTestId('catalog-calendar-10');
    expect(row).toHaveTextContent('UK business hours');
    expect(row).toHaveTextContent('Used by Standard');
    expect(row).toHaveTextContent('Mon–Fri 09:00–12:30, 13:00–17:30');
    expect(row).toHaveTextContent('GB-ENG');
    expect(row).toHaveTextContent('1 date');
    expect(screen.getByTestId('catalog-calendar-11')).toHaveTextContent('24x7');
  });

  it('checks windows before sending: end after start, 24:00 only as an end', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin);
    await user.click(await screen.findByTestId('calendar-edit-10'));
    const editor = screen.getByTestId('calendar-editor');
    const end = within(editor).getByTestId('window-0-0-end');
    await user.clear(end);
    await user.type(end, '08:00');
    const start = within(editor).getByTestId('window-1-1-start');
    await user.clear(start);
    await user.type(start, '24:00');
    await user.click(within(editor).getByTestId('calendar-save'));
    expect(within(within(editor).getByTestId('calendar-day-0')).getByRole('alert')).toHaveTextContent('A window must end after it starts.');
    expect(within(within(editor).getByTestId('calendar-day-1')).getByRole('alert')).toHaveTextContent('cannot start at 24:00');
    expect(api.ops()).not.toContain('SaveBusinessCalendar');
  });

  it('sends split shifts and a 24:00 end, and shows the server’s errors on the right row and input', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin, {
      SaveBusinessCalendar: () =>
        calendarPayload([
          { field: 'name', code: 'DUPLICATE', message: "A calendar called 'Night desk' already exists." },
          { field: 'windows.1', code: 'INVALID', message: 'Write times as HH:MM (end of day is 24:00).' },
        ]),
    });
    await user.click(await screen.findByTestId('calendar-new'));
    const editor = screen.getByTestId('calendar-editor');
    await user.type(within(editor).getByTestId('calendar-name'), 'Night desk');
    // Monday: a split shift to midnight; the other weekdays closed.
    for (const day of [4, 3, 2, 1]) await user.click(within(editor).getByTestId(`window-${day}-0-remove`));
    // Its name is what it shows, then the day (axe-core's label-content-name-mismatch).
    expect(within(editor).getByTestId('window-add-0')).toHaveAccessibleName('+ Add window on Monday');
    await user.click(within(editor).getByTestId('window-add-0'));
    await user.clear(within(editor).getByTestId('window-0-0-end'));
    await user.type(within(editor).getByTestId('window-0-0-end'), '12:00');
    await user.clear(within(editor).getByTestId('window-0-1-start'));
    await user.type(within(editor).getByTestId('window-0-1-start'), '18:00');
    await user.type(within(editor).getByTestId('window-0-1-end'), '24:00');
    await user.click(within(editor).getByTestId('closure-add'));
    await user.type(within(editor).getByTestId('closure-date-0'), '2025-12-24');
    await user.type(within(editor).getByTestId('closure-reason-0'), 'Office party');
    await user.click(within(editor).getByTestId('calendar-save'));

    await waitFor(() => expect(api.ops()).toContain('SaveBusinessCalendar'));
    expect(api.calls.find((c) => c.operationName === 'SaveBusinessCalendar')?.variables).toEqual({
      input: {
        name: 'Night desk',
        timezone: 'Europe/London',
        alwaysOpen: false,
        holidayCountry: '',
        holidaySubdivision: '',
        windows: [
          { weekday: 0, start: '09:00', end: '12:00' },
          { weekday: 0, start: '18:00', end: '24:00' },
        ],
        closures: [{ date: '2025-12-24', reason: 'Office party' }],
      },
    });
    expect(await within(editor).findByText("A calendar called 'Night desk' already exists.")).toBeInTheDocument();
    const window1 = within(editor).getByTestId('window-0-1-start').closest('.window-item') as HTMLElement;
    expect(within(window1).getByRole('alert')).toHaveTextContent('Write times as HH:MM');
    expect(within(editor).getByTestId('window-0-0-start').closest('.window-item')).not.toHaveTextContent('Write times');
  });

  it('closes the editor and reloads the catalog after a save', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin, { SaveBusinessCalendar: () => calendarPayload([], catalog().slaCatalog.calendars[0]) });
    await user.click(await screen.findByTestId('calendar-edit-10'));
    await user.click(screen.getByTestId('calendar-save'));
    expect(await screen.findByText('Calendar “UK business hours” saved.')).toBeInTheDocument();
    expect(screen.queryByTestId('calendar-editor')).toBeNull();
    expect(api.ops().filter((o) => o === 'SlaCatalog')).toHaveLength(2);
    const sent = api.calls.find((c) => c.operationName === 'SaveBusinessCalendar')?.variables.input as { id: string; windows: unknown[] };
    expect(sent.id).toBe('10');
    expect(sent.windows).toHaveLength(10);
  });
});

describe('CatalogPage — SLA policies', () => {
  it('shows targets friendly and sends minutes and fractions; the server’s zero error lands on its cell', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin, {
      SaveSlaTargets: () => ({
        saveSlaTargets: {
          policy: null,
          errors: [
            { field: 'targets.P2.firstResponseMinutes', code: 'INVALID', message: 'P2: targets are positive minutes; leave a target empty for none.' },
            { field: 'warningThresholds', code: 'INVALID', message: 'Warn at increasing fractions between 0 and 1, e.g. 0.75, 0.9.' },
          ],
        },
      }),
    });
    const card = await screen.findByTestId('policy-1');
    expect(within(card).getByTestId('target-P1-resolutionMinutes')).toHaveValue('4h');
    expect(within(card).getByTestId('target-P4-nextUpdateMinutes')).toHaveValue('');
    expect(within(card).getByTestId('target-P1-aroundTheClock')).toBeChecked();
    expect(within(card).getByTestId('policy-thresholds')).toHaveValue('75, 90');
    expect(within(card).getByTestId('targets-save')).toBeDisabled();

    const p2 = within(card).getByTestId('target-P2-firstResponseMinutes');
    await user.clear(p2);
    await user.type(p2, '0');
    const p3 = within(card).getByTestId('target-P3-resolutionMinutes');
    await user.clear(p3);
    await user.type(p3, '90');
    await user.tab();
    expect(p3).toHaveValue('1h 30m');
    const thresholds = within(card).getByTestId('policy-thresholds');
    await user.clear(thresholds);
    await user.type(thresholds, '90, 50');
    await user.click(within(card).getByTestId('targets-save'));

    await waitFor(() => expect(api.ops()).toContain('SaveSlaTargets'));
    const vars = api.calls.find((c) => c.operationName === 'SaveSlaTargets')?.variables as { policyId: string; targets: { priority: string }[]; warningThresholds: number[] };
    expect(vars.policyId).toBe('1');
    expect(vars.warningThresholds).toEqual([0.9, 0.5]);
    expect(vars.targets.find((t) => t.priority === 'P2')).toEqual({ priority: 'P2', firstResponseMinutes: 0, nextUpdateMinutes: 240, resolutionMinutes: 480, aroundTheClock: false });
    expect(vars.targets.find((t) => t.priority === 'P3')).toMatchObject({ resolutionMinutes: 90 });

    const p2Cell = within(card).getByTestId('target-P2-firstResponseMinutes').closest('.target-cell') as HTMLElement;
    expect(await within(p2Cell).findByRole('alert')).toHaveTextContent('P2: targets are positive minutes');
    expect(within(card).getByTestId('policy-thresholds').closest('.field')).toHaveTextContent('Warn at increasing fractions');
  });

  it('refuses unreadable targets before sending', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin);
    const card = await screen.findByTestId('policy-1');
    await user.clear(within(card).getByTestId('target-P1-firstResponseMinutes'));
    await user.type(within(card).getByTestId('target-P1-firstResponseMinutes'), 'soon');
    await user.click(within(card).getByTestId('targets-save'));
    expect(within(card).getByTestId('target-P1-firstResponseMinutes')).toHaveAttribute('aria-invalid', 'true');
    expect(api.ops()).not.toContain('SaveSlaTargets');
  });
});

describe('CatalogPage — New / Edit policy', () => {
  const policyPayload = (errors: unknown[], policy: unknown = null) => ({ saveSlaPolicy: { policy, errors } });

  it('creates a policy with targets P1–P4 prefilled from the default policy, then reloads the catalog', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin, {
      SaveSlaPolicy: (v) => {
        const input = v['input'] as { name: string; description: string; calendarId: string; isDefault: boolean };
        return policyPayload([], { ...STANDARD, ...input, id: '3', warningThresholds: [0.75, 0.9] });
      },
    });
    await user.click(await screen.findByTestId('policy-new'));
    const editor = screen.getByTestId('policy-editor');
    // Prefilled from the MSP default (Standard): its calendar and its targets.
    expect(within(editor).getByTestId('policy-calendar')).toHaveValue('10');
    expect(within(editor).getByTestId('target-P1-resolutionMinutes')).toHaveValue('4h');
    expect(within(editor).getByTestId('target-P1-aroundTheClock')).toBeChecked();
    expect(within(editor).getByTestId('policy-default')).not.toBeChecked();

    await user.type(within(editor).getByTestId('policy-name'), 'Gold');
    await user.type(within(editor).getByTestId('policy-description'), 'Faster P1 and P2.');
    await user.selectOptions(within(editor).getByTestId('policy-calendar'), '11');
    await user.click(within(editor).getByTestId('policy-default'));
    const p1 = within(editor).getByTestId('target-P1-firstResponseMinutes');
    await user.clear(p1);
    await user.type(p1, '15');
    await user.clear(within(editor).getByTestId('target-P4-resolutionMinutes'));
    await user.click(within(editor).getByTestId('policy-save'));

    expect(await screen.findByText('Policy “Gold” saved.')).toBeInTheDocument();
    expect(screen.queryByTestId('policy-editor')).toBeNull();
    expect(api.ops().filter((o) => o === 'SlaCatalog')).toHaveLength(2);
    expect(api.calls.find((c) => c.operationName === 'SaveSlaPolicy')?.variables).toEqual({
      input: {
        name: 'Gold',
        description: 'Faster P1 and P2.',
        calendarId: '11',
        isDefault: true,
        targets: [
          { priority: 'P1', firstResponseMinutes: 15, nextUpdateMinutes: 60, resolutionMinutes: 240, aroundTheClock: true },
          { priority: 'P2', firstResponseMinutes: 60, nextUpdateMinutes: 240, resolutionMinutes: 480, aroundTheClock: false },
          { priority: 'P3', firstResponseMinutes: 240, nextUpdateMinutes: 480, resolutionMinutes: 1440, aroundTheClock: false },
          { priority: 'P4', firstResponseMinutes: 480, nextUpdateMinutes: null, resolutionMinutes: null, aroundTheClock: false },
        ],
      },
    });
  });

  it('shows a DUPLICATE name on the name field and a target error on its cell, and keeps the form open', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin, {
      SaveSlaPolicy: () =>
        policyPayload([
          { field: 'name', code: 'DUPLICATE', message: "A policy called 'Standard' already exists." },
          { field: 'targets.P2.firstResponseMinutes', code: 'INVALID', message: 'P2: targets are positive minutes; leave a target empty for none.' },
        ]),
    });
    await user.click(await screen.findByTestId('policy-new'));
    const editor = screen.getByTestId('policy-editor');
    await user.type(within(editor).getByTestId('policy-name'), 'Standard');
    await user.click(within(editor).getByTestId('policy-save'));

    const nameField = within(editor).getByTestId('policy-name').closest('.field') as HTMLElement;
    expect(await within(nameField).findByRole('alert')).toHaveTextContent("A policy called 'Standard' already exists.");
    expect(within(editor).getByTestId('policy-name')).toHaveAttribute('aria-invalid', 'true');
    const p2Cell = within(editor).getByTestId('target-P2-firstResponseMinutes').closest('.target-cell') as HTMLElement;
    expect(within(p2Cell).getByRole('alert')).toHaveTextContent('P2: targets are positive minutes');
    expect(within(editor).queryByText('The policy wasn’t saved')).toBeNull();
    expect(screen.getByTestId('policy-editor')).toBeInTheDocument();
    expect(api.ops().filter((o) => o === 'SlaCatalog')).toHaveLength(1);
  });

  it('edits a policy’s name, description and calendar without sending targets; the default stays the default', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin, {
      SaveSlaPolicy: (v) => policyPayload([], { ...STANDARD, name: (v['input'] as { name: string }).name }),
    });
    await user.click(await screen.findByTestId('policy-edit-1'));
    const editor = within(screen.getByTestId('policy-1')).getByTestId('policy-editor');
    expect(within(editor).getByTestId('policy-name')).toHaveValue('Standard');
    expect(within(editor).getByTestId('policy-default')).toBeChecked();
    expect(within(editor).getByTestId('policy-default')).toBeDisabled();
    expect(within(editor).queryByTestId('target-P1-firstResponseMinutes')).toBeNull();
    await user.clear(within(editor).getByTestId('policy-name'));
    await user.type(within(editor).getByTestId('policy-name'), 'Standard UK');
    await user.selectOptions(within(editor).getByTestId('policy-calendar'), '11');
    await user.click(within(editor).getByTestId('policy-save'));

    expect(await screen.findByText('Policy “Standard UK” saved.')).toBeInTheDocument();
    expect(api.calls.find((c) => c.operationName === 'SaveSlaPolicy')?.variables).toEqual({
      input: { id: '1', name: 'Standard UK', description: STANDARD.description, calendarId: '11', isDefault: true },
    });
  });

  it('asks for a name before sending', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin);
    await user.click(await screen.findByTestId('policy-new'));
    await user.click(screen.getByTestId('policy-save'));
    expect(screen.getByTestId('policy-name').closest('.field')).toHaveTextContent('Name the policy.');
    expect(api.ops()).not.toContain('SaveSlaPolicy');
  });
});

describe('CatalogPage — triage matrix', () => {
  it('marks default cells and saves a changed cell at once', async () => {
    const user = userEvent.setup();
    const api = renderPage(admin, {
      SaveTriageRule: (v) => ({ saveTriageRule: { cell: { impact: v['impact'], urgency: v['urgency'], priority: v['priority'], configured: true }, errors: [] } }),
    });
    const matrix = await screen.findByTestId('triage-matrix');
    const cell = within(matrix).getByTestId('triage-cell-HIGH-LOW');
    expect(cell).toHaveTextContent('default');
    expect(within(matrix).getByTestId('triage-cell-LOW-LOW')).not.toHaveTextContent('default');
    await user.selectOptions(within(matrix).getByTestId('triage-HIGH-LOW'), 'P2');
    await waitFor(() => expect(cell).not.toHaveTextContent('default'));
    expect(api.calls.find((c) => c.operationName === 'SaveTriageRule')?.variables).toEqual({ impact: 'HIGH', urgency: 'LOW', priority: 'P2' });
    expect(within(matrix).getByTestId('triage-HIGH-LOW')).toHaveValue('P2');
  });

  it('puts the old priority back and says why when the server refuses', async () => {
    const user = userEvent.setup();
    renderPage(admin, {
      SaveTriageRule: () => ({ saveTriageRule: { cell: null, errors: [{ field: null, code: 'PERMISSION_DENIED', message: 'Only MSP admins can do that.' }] } }),
    });
    const matrix = await screen.findByTestId('triage-matrix');
    await user.selectOptions(within(matrix).getByTestId('triage-MEDIUM-MEDIUM'), 'P1');
    expect(await within(within(matrix).getByTestId('triage-cell-MEDIUM-MEDIUM')).findByRole('alert')).toHaveTextContent('Only MSP admins can do that.');
    expect(within(matrix).getByTestId('triage-MEDIUM-MEDIUM')).toHaveValue('P3');
  });
});

describe('CatalogPage — other staff', () => {
  it('is read only for technicians', async () => {
    renderPage(technician);
    await screen.findByTestId('catalog-calendar-10');
    expect(screen.getByTestId('catalog-read-only')).toBeInTheDocument();
    expect(screen.queryByTestId('calendar-new')).toBeNull();
    expect(screen.queryByTestId('calendar-edit-10')).toBeNull();
    expect(screen.queryByTestId('policy-new')).toBeNull();
    expect(screen.queryByTestId('policy-edit-1')).toBeNull();
    expect(screen.queryByTestId('targets-save')).toBeNull();
    expect(screen.getByTestId('target-P1-firstResponseMinutes')).toBeDisabled();
    expect(screen.queryByTestId('triage-HIGH-HIGH')).toBeNull();
  });

  it('shows the server’s refusal when the catalog can’t be read', async () => {
    renderPage(technician, { SlaCatalog: () => ({ __errors: [{ message: 'denied', extensions: { code: 'PERMISSION_DENIED' } }] }) });
    expect(await screen.findByText('You do not have permission to do that.')).toBeInTheDocument();
  });
});

describe('ClientSlaCard', () => {
  function renderCard(viewer: ViewerFieldsFragment, handlers: Parameters<typeof mockGraphQL>[0] = {}) {
    const api = mockGraphQL({
      ClientSla: () => ({ clientSla: { explicit: false, policy: STANDARD } }),
      SlaPolicyOptions: () => ({ slaCatalog: { policies: [PREMIUM, STANDARD] } }),
      ...handlers,
    });
    render(
      <StaticViewerProvider viewer={viewer}>
        <ClientSlaCard clientSlug="acme" />
      </StaticViewerProvider>,
    );
    return api;
  }

  it('shows the MSP default and lets an account manager choose No SLA', async () => {
    const user = userEvent.setup();
    const api = renderCard(accountManager, { SetClientSla: () => ({ setClientSla: { clientSla: { explicit: true, policy: null }, errors: [] } }) });
    const card = await screen.findByTestId('client-sla');
    expect(await within(card).findByTestId('client-sla-policy')).toHaveTextContent('MSP default: Standard');
    expect(api.calls.find((c) => c.operationName === 'ClientSla')?.variables).toEqual({ clientSlug: 'acme' });
    await waitFor(() => expect(within(card).getByRole('option', { name: 'MSP default (Standard)' })).toBeInTheDocument());
    await user.selectOptions(within(card).getByTestId('client-sla-select'), 'No SLA');
    await user.click(within(card).getByTestId('client-sla-save'));
    await waitFor(() => expect(within(card).getByTestId('client-sla-policy')).toHaveTextContent('No SLA'));
    expect(api.calls.find((c) => c.operationName === 'SetClientSla')?.variables).toEqual({ clientSlug: 'acme', noSla: true });
  });

  it('sends a chosen policy, or nothing for the MSP default, and shows a policy error under the select', async () => {
    const user = userEvent.setup();
    const api = renderCard(admin, {
      ClientSla: () => ({ clientSla: { explicit: true, policy: null } }),
      SetClientSla: (v) =>
        v['policyId']
          ? { setClientSla: { clientSla: null, errors: [{ field: 'policyId', code: 'NOT_FOUND', message: 'No such SLA policy.' }] } }
          : { setClientSla: { clientSla: { explicit: false, policy: STANDARD }, errors: [] } },
    });
    const card = await screen.findByTestId('client-sla');
    expect(await within(card).findByTestId('client-sla-policy')).toHaveTextContent('No SLA');
    await waitFor(() => expect(within(card).getByRole('option', { name: 'Premium' })).toBeInTheDocument());
    await user.selectOptions(within(card).getByTestId('client-sla-select'), 'Premium');
    await user.click(within(card).getByTestId('client-sla-save'));
    expect(await within(card).findByRole('alert')).toHaveTextContent('No such SLA policy.');
    await user.selectOptions(within(card).getByTestId('client-sla-select'), 'MSP default (Standard)');
    await user.click(within(card).getByTestId('client-sla-save'));
    await waitFor(() => expect(within(card).getByTestId('client-sla-policy')).toHaveTextContent('MSP default: Standard'));
    const sets = api.calls.filter((c) => c.operationName === 'SetClientSla').map((c) => c.variables);
    expect(sets).toEqual([{ clientSlug: 'acme', policyId: '2' }, { clientSlug: 'acme' }]);
  });

  it('is read only for technicians', async () => {
    const api = renderCard(technician, { ClientSla: () => ({ clientSla: { explicit: true, policy: PREMIUM } }) });
    const card = await screen.findByTestId('client-sla');
    expect(await within(card).findByTestId('client-sla-policy')).toHaveTextContent('Premium');
    expect(within(card).queryByTestId('client-sla-select')).toBeNull();
    expect(api.ops()).not.toContain('SlaPolicyOptions');
  });
});
