import { useNavigate } from 'react-router';
import { AuthLayout } from '../auth/AuthLayout';
import type { Viewer } from '../auth/ViewerContext';
import { useViewer } from '../auth/ViewerContext';
import { Button } from '../components/ui';
import type { LogoutMutation } from '../graphql/generated';
import { useMutation } from '../graphql/hooks';
import { LOGOUT_MUTATION } from '../graphql/operations';
import { useDocumentTitle } from '../lib/useDocumentTitle';

/** Where a staff member on a client's portal host should work: that client in the MSP workspace. */
export function workspaceLinkFor(viewer: Viewer): { label: string; url: string } | null {
  if (!viewer.mspWorkspaceUrl) return null;
  const client = viewer.currentClient;
  return client
    ? { label: `Open ${client.name} in the MSP workspace`, url: new URL(`clients/${encodeURIComponent(client.slug)}`, viewer.mspWorkspaceUrl).toString() }
    : { label: 'Go to the MSP workspace', url: viewer.mspWorkspaceUrl };
}

/**
 * MSP staff signed in on a client's portal host (a session from before sign-in there was
 * refused): no staff screens here — a way back to the workspace, and a way out.
 */
export function StaffOnClientPortal({ viewer }: { viewer: Viewer }) {
  useDocumentTitle('Client portal');
  const { markSignedOut } = useViewer();
  const navigate = useNavigate();
  const [logout, { loading }] = useMutation<LogoutMutation>(LOGOUT_MUTATION);
  const link = workspaceLinkFor(viewer);
  const name = viewer.currentClient?.name;

  async function signOut() {
    await logout();
    markSignedOut();
    navigate('/login', { replace: true });
  }

  return (
    <AuthLayout title={name ? `${name}’s portal` : 'A client’s portal'} subtitle="This address is for the client’s own people.">
      <div className="stack" data-testid="staff-on-client-portal">
        <p>
          You’re signed in as MSP staff. Staff work in the MSP workspace, where you can see
          {name ? ` everything about ${name}` : ' the clients you work for'}.
        </p>
        {link && (
          <a className="btn btn-primary btn-block" href={link.url} data-testid="workspace-link">
            {link.label}
          </a>
        )}
        <Button className="btn-block" loading={loading} onClick={() => void signOut()} data-testid="staff-portal-sign-out">
          Sign out here
        </Button>
      </div>
    </AuthLayout>
  );
}
