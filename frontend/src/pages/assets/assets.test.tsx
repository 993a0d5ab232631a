import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import type { CsvImportFieldsFragment } from '../../graphql/generated';
import { mockGraphQL } from '../../test/mockGraphQL';
import { DeviceImportCard } from './DeviceImportCard';
import { DevicesSection, deviceFilters } from './DevicesSection';
import { importPercent, importStatusText } from './csvImport';
import { formatCoverage, trendCoordinates } from './mfa';

afterEach(() => vi.unstubAllGlobals());

function job(overrides: Partial<CsvImportFieldsFragment> = {}): CsvImportFieldsFragment {
  return {
    __typename: 'CsvImport',
    id: 'j1',
    fileName: 'devices.csv',
    status: 'PREVIEWED',
    totalRows: 3,
    processedRows: 0,
    toCreate: 2,
    toUpdate: 0,
    unchanged: 1,
    toRemove: 0,
    errorCount: 0,
    canApply: true,
    failure: '',
    createdAt: '2026-12-03T10:00:00Z',
    appliedAt: null,
    sameFileAppliedAt: null,
    errors: [],
    ...overrides,
  } as CsvImportFieldsFragment;
}

describe('helpers', () => {
  it('read the device filters from the URL, ignoring unknown values', () => {
    expect(deviceFilters(new URLSearchParams('owner=3&type=LAPTOP&protection=MISSING&managed=no&q=pc&criticality=EXTREME&site=U2l0ZTox'))).toEqual({
      siteId: 'U2l0ZTox',
      ownerId: '3',
      deviceType: 'LAPTOP',
      protectionStatus: 'MISSING',
      managed: false,
      search: 'pc',
    });
  });

  it('show import progress as rows of the file', () => {
    expect(importPercent({ status: 'APPLYING', processedRows: 250, totalRows: 1000 })).toBe(25);
    expect(importPercent({ status: 'APPLIED', processedRows: 0, totalRows: 0 })).toBe(100);
    expect(importStatusText({ status: 'APPLYING', processedRows: 1250, totalRows: 5000 })).toBe('Importing · 1,250 of 5,000 rows');
  });

  it('format coverage and place the trend on 0–100 %', () => {
    expect(formatCoverage(null)).toBe('No accounts');
    expect(formatCoverage(62.5)).toBe('62.5 %');
    const coords = trendCoordinates(
      [
        { day: '2026-12-01', percent: 0 },
        { day: '2026-12-02', percent: null },
        { day: '2026-12-03', percent: 100 },
      ],
      100,
      50,
      0,
    );
    expect(coords.map(({ x, y }) => [x, y])).toEqual([
      [0, 50],
      [100, 0],
    ]);
  });
});

function Location() {
  return <span data-testid="location">{useLocation().search}</span>;
}

describe('DevicesSection', () => {
  it('puts its filters in the URL and sends them to the server', async () => {
    const api = mockGraphQL({
      Sites: () => ({ sites: { totalCount: 0, edges: [] } }),
      Contacts: () => ({ contacts: [{ id: '3', fullName: 'Ann Archer', email: 'ann@alpha.test', jobTitle: '', isBusinessCritical: false }] }),
      Devices: () => ({
        devices: {
          totalCount: 1,
          pageInfo: { hasNextPage: false, endCursor: null },
          edges: [
            {
              node: {
                id: 'RGV2aWNlOjE=',
                name: 'lt-01',
                deviceType: 'LAPTOP',
                os: 'Windows',
                osVersion: '11',
                criticality: 'MEDIUM',
                isManaged: true,
                serial: 'SN-1',
                warrantyEndsOn: null,
                lastSeenAt: null,
                protectionStatus: 'MISSING',
                protectionProduct: '',
                patchStatus: 'CURRENT',
                isActive: true,
                owner: { id: '3', fullName: 'Ann Archer', email: 'ann@alpha.test' },
                site: null,
              },
            },
          ],
        },
      }),
    });
    render(
      <MemoryRouter initialEntries={['/clients/alpha?tab=devices']}>
        <Routes>
          <Route
            path="/clients/:slug"
            element={
              <>
                <DevicesSection clientSlug="alpha" canEdit />
                <Location />
              </>
            }
          />
        </Routes>
      </MemoryRouter>,
    );
    const row = await screen.findByTestId('device-row');
    expect(within(row).getByText('Missing')).toBeInTheDocument();
    expect(within(row).getByText('Ann Archer')).toBeInTheDocument();
    fireEvent.change(screen.getByTestId('device-filter-protection'), { target: { value: 'MISSING' } });
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('?tab=devices&protection=MISSING'));
    await waitFor(() => expect(api.calls.filter((c) => c.operationName === 'Devices').at(-1)?.variables).toMatchObject({ clientSlug: 'alpha', protectionStatus: 'MISSING' }));
  });
});

describe('DeviceImportCard', () => {
  it('previews row errors and does not offer to import a file with errors', async () => {
    mockGraphQL({
      PreviewDeviceImport: () => ({
        previewDeviceImport: {
          deviceImport: job({
            errorCount: 1,
            canApply: false,
            errors: [{ line: 3, column: 'type', code: 'UNKNOWN_VALUE', message: "Unknown device type 'toaster'." }],
          }),
          errors: [],
        },
      }),
    });
    render(<DeviceImportCard clientSlug="alpha" />);
    const file = new File(['name,type\npc,laptop\nx,toaster\n'], 'devices.csv', { type: 'text/csv' });
    fireEvent.change(screen.getByTestId('device-import-file'), { target: { files: [file] } });
    const table = await screen.findByTestId('device-import-errors');
    expect(within(table).getByText("Unknown device type 'toaster'.")).toBeInTheDocument();
    expect(screen.getByTestId('device-import-apply')).toBeDisabled();
  });

  it('applies a clean file and follows the job until it is imported', async () => {
    let polls = 0;
    const api = mockGraphQL({
      PreviewDeviceImport: () => ({ previewDeviceImport: { deviceImport: job(), errors: [] } }),
      ApplyDeviceImport: () => ({ applyDeviceImport: { deviceImport: job({ status: 'QUEUED', canApply: false }), errors: [] } }),
      DeviceImport: () => {
        polls += 1;
        return { deviceImport: polls < 2 ? job({ status: 'APPLYING', processedRows: 2, canApply: false }) : job({ status: 'APPLIED', processedRows: 3, canApply: false }) };
      },
    });
    const onApplied = vi.fn();
    render(<DeviceImportCard clientSlug="alpha" onApplied={onApplied} pollEveryMs={5} />);
    fireEvent.change(screen.getByTestId('device-import-file'), { target: { files: [new File(['name,type\npc,laptop\n'], 'd.csv')] } });
    fireEvent.click(await screen.findByTestId('device-import-apply'));
    await waitFor(() => expect(screen.getByTestId('device-import-summary').getAttribute('data-status')).toBe('APPLIED'));
    expect(screen.getByTestId('device-import-progress').getAttribute('aria-valuenow')).toBe('100');
    await waitFor(() => expect(onApplied).toHaveBeenCalledTimes(1));
    expect(api.ops()).toContain('DeviceImport');
  });

  it('shows a refused file’s reason', async () => {
    mockGraphQL({
      PreviewDeviceImport: () => ({
        previewDeviceImport: { deviceImport: null, errors: [{ field: 'file', code: 'INVALID', message: 'Unknown column(s): colour.' }] },
      }),
    });
    render(<DeviceImportCard clientSlug="alpha" />);
    fireEvent.change(screen.getByTestId('device-import-file'), { target: { files: [new File(['colour\nred\n'], 'x.csv')] } });
    expect(await screen.findByTestId('device-import-problem')).toHaveTextContent('Unknown column(s): colour.');
  });
});
