import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { SESSION_PROBLEM_EVENT, type GraphQLRequestError } from '../graphql/client';
import type { ViewerFieldsFragment, ViewerQuery } from '../graphql/generated';
import { clearQueryCache, useQuery } from '../graphql/hooks';
import { VIEWER_QUERY } from '../graphql/operations';

export type Viewer = ViewerFieldsFragment;

type ViewerContextValue = {
  viewer: Viewer | null;
  /** true until the first viewer query finished */
  loading: boolean;
  error: GraphQLRequestError | undefined;
  /** Re-fetch the viewer from the server. */
  refresh: () => Promise<Viewer | null>;
  /** Replace the viewer with one returned by a mutation (login, verifyOtp, …). */
  setViewer: (viewer: Viewer | null) => void;
  /**
   * True after a deliberate sign-out (until someone signs in again): the login guard
   * then sends people to plain /login, not back to the signed-out person's page (`?next=`).
   */
  signedOut: boolean;
  /** Forget the viewer after a deliberate sign-out (see `signedOut`). */
  markSignedOut: () => void;
};

const ViewerContext = createContext<ViewerContextValue | null>(null);

export function ViewerProvider({ children }: { children: ReactNode }) {
  const q = useQuery<ViewerQuery>(VIEWER_QUERY);
  // `override` wins over the query result once a mutation handed us a fresher viewer.
  const [override, setOverride] = useState<{ viewer: Viewer | null; signedOut?: boolean } | null>(null);

  const { refetch } = q;
  const refresh = useCallback(async () => {
    const data = await refetch();
    const v = data?.viewer ?? null;
    if (data) setOverride({ viewer: v });
    return v;
  }, [refetch]);

  // Answers kept for the tab (useQuery's cacheFor) belong to the person who asked: forget them.
  const setViewer = useCallback((viewer: Viewer | null) => {
    clearQueryCache();
    setOverride({ viewer });
  }, []);
  const markSignedOut = useCallback(() => {
    clearQueryCache();
    setOverride({ viewer: null, signedOut: true });
  }, []);

  // A request failed because the session ended (or 2FA lapsed): re-ask who we are.
  // The route guards then redirect to /login. Debounced so a burst of failing
  // requests triggers one check.
  const refreshRef = useRef(refresh);
  refreshRef.current = refresh;
  useEffect(() => {
    let timer: number | undefined;
    const onProblem = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => void refreshRef.current(), 100);
    };
    window.addEventListener(SESSION_PROBLEM_EVENT, onProblem);
    return () => {
      window.removeEventListener(SESSION_PROBLEM_EVENT, onProblem);
      window.clearTimeout(timer);
    };
  }, []);

  const value = useMemo<ViewerContextValue>(
    () => ({
      viewer: override ? override.viewer : (q.data?.viewer ?? null),
      loading: !override && q.data === undefined && !q.error,
      error: override ? undefined : q.error,
      refresh,
      setViewer,
      signedOut: !!override?.signedOut,
      markSignedOut,
    }),
    [override, q.data, q.error, refresh, setViewer, markSignedOut],
  );
  return <ViewerContext.Provider value={value}>{children}</ViewerContext.Provider>;
}

export function useViewer(): ViewerContextValue {
  const ctx = useContext(ViewerContext);
  if (!ctx) throw new Error('useViewer must be used inside <ViewerProvider>');
  return ctx;
}

/** For tests and stories: a fixed viewer context. */
export function StaticViewerProvider({
  viewer,
  children,
  setViewer = () => {},
  refresh,
}: {
  viewer: Viewer | null;
  children: ReactNode;
  setViewer?: (v: Viewer | null) => void;
  refresh?: () => Promise<Viewer | null>;
}) {
  const value = useMemo<ViewerContextValue>(
    () => ({
      viewer,
      loading: false,
      error: undefined,
      refresh: refresh ?? (async () => viewer),
      setViewer,
      signedOut: false,
      markSignedOut: () => setViewer(null),
    }),
    [viewer, setViewer, refresh],
  );
  return <ViewerContext.Provider value={value}>{children}</ViewerContext.Provider>;
}
