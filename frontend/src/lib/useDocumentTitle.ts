import { useEffect } from 'react';

export const APP_NAME = 'Client Portal';

/** "Clients · Client Portal" */
export function useDocumentTitle(title: string | null | undefined) {
  useEffect(() => {
    document.title = title ? `${title} · ${APP_NAME}` : APP_NAME;
  }, [title]);
}
