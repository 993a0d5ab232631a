import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { homePath, needsSecondFactor } from '../auth/roles';
import { useViewer } from '../auth/ViewerContext';
import { StaffOnClientPortal } from './StaffOnClientPortal';

/** Requires a signed-in viewer who passed any required 2FA; otherwise sends them to /login. */
export function RequireViewer({ children }: { children: ReactNode }) {
  const { viewer, signedOut } = useViewer();
  const location = useLocation();
  if (!viewer || needsSecondFactor(viewer)) {
    // A session that lapsed comes back here after signing in; a deliberate sign-out must
    // not hand the signed-out person's page to whoever signs in next on this browser.
    const here = location.pathname + location.search;
    const next = here === '/' || signedOut ? '' : `?next=${encodeURIComponent(here)}`;
    return <Navigate to={`/login${next}`} replace />;
  }
  // Staff pages don't work on a client's portal host: send staff back to their workspace.
  if (viewer.isMspStaff && viewer.onClientPortal) return <StaffOnClientPortal viewer={viewer} />;
  return <>{children}</>;
}

export function StaffOnly({ children }: { children: ReactNode }) {
  const { viewer } = useViewer();
  if (viewer && !viewer.isMspStaff) return <Navigate to={homePath(viewer)} replace />;
  return <>{children}</>;
}

export function ClientUsersOnly({ children }: { children: ReactNode }) {
  const { viewer } = useViewer();
  if (viewer && viewer.isMspStaff) return <Navigate to={homePath(viewer)} replace />;
  return <>{children}</>;
}

export function HomeRedirect() {
  const { viewer } = useViewer();
  if (!viewer) return <Navigate to="/login" replace />;
  return <Navigate to={homePath(viewer)} replace />;
}
