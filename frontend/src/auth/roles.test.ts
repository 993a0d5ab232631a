import { describe, expect, it } from 'vitest';
import { makeViewer } from '../test/mockGraphQL';
import { homePath } from './roles';

describe('homePath', () => {
  it('sends technicians to their queue, admins and account managers to clients, client users to their company', () => {
    expect(homePath(makeViewer({ mspRole: 'TECHNICIAN' }))).toBe('/queue');
    expect(homePath(makeViewer({ mspRole: 'ADMIN' }))).toBe('/clients');
    expect(homePath(makeViewer({ mspRole: 'ACCOUNT_MANAGER' }))).toBe('/clients');
    expect(homePath(makeViewer({ isMspStaff: false, mspRole: null }))).toBe('/company');
  });
});
