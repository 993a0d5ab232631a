/**
 * A page that loads the client it is about anyway (the ticket page) hands its name to the
 * Shell's top bar, so the Shell sends no `TopbarClient` request of its own on that page.
 */
import { createContext, useContext, useEffect } from 'react';

export type PageClient = { slug: string; name: string };

export const PageClientContext = createContext<(client: PageClient | null) => void>(() => {});

/** Publish the page's client (or nothing) to the top bar while the page is shown. */
export function usePublishPageClient(client: PageClient | null | undefined) {
  const publish = useContext(PageClientContext);
  const slug = client?.slug ?? null;
  const name = client?.name ?? null;
  useEffect(() => {
    publish(slug !== null && name !== null ? { slug, name } : null);
  }, [publish, slug, name]);
  useEffect(() => () => publish(null), [publish]);
}
