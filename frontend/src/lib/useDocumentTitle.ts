import { useEffect } from 'react';
import { portalConfig } from './portalConfig';

/** "Clients · Harbor IT": the page's title followed by the MSP's name (setting MSP_NAME). */
export function documentTitle(title: string | null | undefined): string {
  const name = portalConfig().mspName;
  return title ? `${title} · ${name}` : name;
}

export function useDocumentTitle(title: string | null | undefined) {
  useEffect(() => {
    document.title = documentTitle(title);
  }, [title]);
}
