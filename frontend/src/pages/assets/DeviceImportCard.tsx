import type {
  ApplyDeviceImportMutation,
  ApplyDeviceImportMutationVariables,
  DeviceImportQuery,
  DiscardDeviceImportMutation,
  DiscardDeviceImportMutationVariables,
  PreviewDeviceImportMutation,
  PreviewDeviceImportMutationVariables,
} from '../../graphql/generated';
import { useMutation } from '../../graphql/hooks';
import {
  APPLY_DEVICE_IMPORT_MUTATION,
  DEVICE_IMPORT_QUERY,
  DISCARD_DEVICE_IMPORT_MUTATION,
  PREVIEW_DEVICE_IMPORT_MUTATION,
} from '../../graphql/operations';
import { CsvImportPanel } from './CsvImportPanel';

/** Staff: import a device list (CSV) into the client's inventory, with a preview first. */
export function DeviceImportCard({ clientSlug, onApplied, pollEveryMs }: { clientSlug: string; onApplied?: () => void; pollEveryMs?: number }) {
  const [preview] = useMutation<PreviewDeviceImportMutation, PreviewDeviceImportMutationVariables>(PREVIEW_DEVICE_IMPORT_MUTATION);
  const [apply] = useMutation<ApplyDeviceImportMutation, ApplyDeviceImportMutationVariables>(APPLY_DEVICE_IMPORT_MUTATION);
  const [discard] = useMutation<DiscardDeviceImportMutation, DiscardDeviceImportMutationVariables>(DISCARD_DEVICE_IMPORT_MUTATION);
  return (
    <CsvImportPanel
      title="Import devices"
      testId="device-import"
      columnsHint={
        <>
          Columns: <span className="mono">name, type</span> (required), <span className="mono">os, os_version, serial, owner_email, site, criticality, managed, warranty_end, last_seen</span>.
          The serial number is the key (rows without one match by name); importing the same file twice changes nothing. Nothing is written until you confirm.
        </>
      }
      preview={async (fileName, dataBase64) => {
        const r = (await preview({ clientSlug, fileName, dataBase64 }))?.previewDeviceImport;
        return r && { job: r.deviceImport, errors: r.errors };
      }}
      apply={async (importId) => {
        const r = (await apply({ clientSlug, importId }))?.applyDeviceImport;
        return r && { job: r.deviceImport, errors: r.errors };
      }}
      discard={async (importId) => {
        const r = (await discard({ clientSlug, importId }))?.discardDeviceImport;
        return r && { job: null, errors: r.errors };
      }}
      pollQuery={DEVICE_IMPORT_QUERY}
      pollVariables={(id) => ({ clientSlug, id })}
      pickJob={(data) => (data as DeviceImportQuery).deviceImport}
      onApplied={onApplied}
      pollEveryMs={pollEveryMs}
    />
  );
}
