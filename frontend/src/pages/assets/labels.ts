import type { DeviceCriticality, DeviceKind, PatchStatus, ProtectionStatus, SiteKind } from '../../graphql/generated';

/** Compile-time check that a runtime list names every member of a generated enum. */
type Exhaustive<T extends string, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? L : never;

function list<T extends string>() {
  return <const L extends readonly T[]>(l: Exhaustive<T, L>) => l;
}

export const DEVICE_KINDS = list<DeviceKind>()([
  'WORKSTATION',
  'LAPTOP',
  'SERVER',
  'VIRTUAL_MACHINE',
  'NETWORK',
  'FIREWALL',
  'MOBILE',
  'PRINTER',
  'OTHER',
]);
export const DEVICE_KIND_LABEL: Record<DeviceKind, string> = {
  WORKSTATION: 'Workstation',
  LAPTOP: 'Laptop',
  SERVER: 'Server',
  VIRTUAL_MACHINE: 'Virtual machine',
  NETWORK: 'Network device',
  FIREWALL: 'Firewall',
  MOBILE: 'Mobile',
  PRINTER: 'Printer',
  OTHER: 'Other',
};
export const CRITICALITIES = list<DeviceCriticality>()(['LOW', 'MEDIUM', 'HIGH', 'BUSINESS_CRITICAL']);
export const CRITICALITY_LABEL: Record<DeviceCriticality, string> = {
  LOW: 'Low',
  MEDIUM: 'Medium',
  HIGH: 'High',
  BUSINESS_CRITICAL: 'Business-critical',
};
export const PROTECTION_STATUSES = list<ProtectionStatus>()(['PROTECTED', 'OUTDATED', 'MISSING', 'UNKNOWN']);
export const PROTECTION_LABEL: Record<ProtectionStatus, string> = {
  PROTECTED: 'Protected',
  OUTDATED: 'Outdated',
  MISSING: 'Missing',
  UNKNOWN: 'Not reported',
};
export const PATCH_STATUSES = list<PatchStatus>()(['CURRENT', 'PENDING', 'OVERDUE', 'UNKNOWN']);
export const PATCH_LABEL: Record<PatchStatus, string> = {
  CURRENT: 'Up to date',
  PENDING: 'Updates pending',
  OVERDUE: 'Updates overdue',
  UNKNOWN: 'Not reported',
};
export const SITE_KINDS = list<SiteKind>()(['OFFICE', 'DATA_ROOM', 'HOME_OFFICE']);
export const SITE_KIND_LABEL: Record<SiteKind, string> = {
  OFFICE: 'Office',
  DATA_ROOM: 'Data room',
  HOME_OFFICE: 'Home office',
};

export type Tone = 'green' | 'amber' | 'red' | 'grey';
export const PROTECTION_TONE: Record<ProtectionStatus, Tone> = {
  PROTECTED: 'green',
  OUTDATED: 'amber',
  MISSING: 'red',
  UNKNOWN: 'grey',
};
export const PATCH_TONE: Record<PatchStatus, Tone> = {
  CURRENT: 'green',
  PENDING: 'amber',
  OVERDUE: 'red',
  UNKNOWN: 'grey',
};
