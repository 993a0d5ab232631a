/**
 * Run-time configuration Django puts into the page it serves (`msp_portal/views.py` writes
 * `<script id="portal-config" type="application/json">` into index.html's head). Under the
 * Vite dev server, or if the element is missing or unreadable, the defaults apply.
 */
export type PortalConfig = {
  /** The MSP's name (setting MSP_NAME): page titles, the logo text, headers. */
  mspName: string;
};

export const CONFIG_ELEMENT_ID = 'portal-config';
export const DEFAULT_CONFIG: PortalConfig = { mspName: 'MSP Portal' };

/** Read the configuration from `doc` (exported for tests; the app uses `portalConfig()`). */
export function readPortalConfig(doc: Document = document): PortalConfig {
  const text = doc.getElementById(CONFIG_ELEMENT_ID)?.textContent;
  if (!text) return DEFAULT_CONFIG;
  try {
    const raw = JSON.parse(text) as Partial<Record<keyof PortalConfig, unknown>> | null;
    const mspName = typeof raw?.mspName === 'string' && raw.mspName.trim() ? raw.mspName.trim() : DEFAULT_CONFIG.mspName;
    return { mspName };
  } catch {
    return DEFAULT_CONFIG;
  }
}

let cached: PortalConfig | undefined;

/** The page's configuration, read once. */
export function portalConfig(): PortalConfig {
  cached ??= readPortalConfig();
  return cached;
}

/** Forget the cached configuration (tests that change the page's config element). */
export function resetPortalConfig() {
  cached = undefined;
}
