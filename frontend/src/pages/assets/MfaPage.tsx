import { useViewer } from '../../auth/ViewerContext';
import { defaultClientSlug, roleInClient } from '../../auth/roles';
import { EmptyState } from '../../components/ui';
import { clientUserSlug } from '../../lib/tickets';
import { useDocumentTitle } from '../../lib/useDocumentTitle';
import { MfaSection } from './MfaSection';

/** The IT lead's MFA coverage page: accounts without MFA first, the KPI and its trend, the IdP import. */
export function MfaPage() {
  useDocumentTitle('MFA coverage');
  const { viewer } = useViewer();
  if (!viewer || roleInClient(viewer, defaultClientSlug(viewer)) !== 'IT_LEAD') {
    return (
      <div className="page">
        <EmptyState title="For your company’s IT leads">MFA coverage lists your colleagues’ accounts, so only IT leads see it.</EmptyState>
      </div>
    );
  }
  return (
    <div className="page">
      <div className="page-header">
        <div>
          <h1 className="page-title">MFA coverage</h1>
          <p className="page-subtitle">Which of your company’s accounts are protected by a second factor — the standard your MSP pushes for.</p>
        </div>
      </div>
      <MfaSection clientSlug={clientUserSlug(viewer)} />
    </div>
  );
}
