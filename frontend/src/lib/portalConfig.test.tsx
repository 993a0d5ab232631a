import { render, renderHook, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Logo } from '../components/Logo';
import { CONFIG_ELEMENT_ID, DEFAULT_CONFIG, readPortalConfig, resetPortalConfig } from './portalConfig';
import { useDocumentTitle } from './useDocumentTitle';

/** What msp_portal/views.py puts into the page's head. */
function serveConfig(json: string) {
  const script = document.createElement('script');
  script.id = CONFIG_ELEMENT_ID;
  script.type = 'application/json';
  script.textContent = json;
  document.head.appendChild(script);
  resetPortalConfig();
}

afterEach(() => {
  document.getElementById(CONFIG_ELEMENT_ID)?.remove();
  resetPortalConfig();
});

describe('portal configuration (MSP name)', () => {
  it('reads the MSP name the server put into the page', () => {
    // json_script escapes "<", ">" and "&" as \u003C, \u003E, \u0026.
    serveConfig('{"mspName": "Harbor \\u0026 Finch IT \\u003Cb\\u003E"}');
    expect(readPortalConfig()).toEqual({ mspName: 'Harbor & Finch IT <b>' });
  });

  it('falls back to "MSP Portal" without the element, with bad JSON or an empty name', () => {
    expect(readPortalConfig()).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.mspName).toBe('MSP Portal');
    serveConfig('{not json');
    expect(readPortalConfig()).toEqual(DEFAULT_CONFIG);
    document.getElementById(CONFIG_ELEMENT_ID)?.remove();
    serveConfig('{"mspName": "  "}');
    expect(readPortalConfig()).toEqual(DEFAULT_CONFIG);
  });

  it('names the logo and every page title after the MSP', () => {
    serveConfig('{"mspName": "Harbor IT"}');
    render(<Logo />);
    expect(screen.getByText('Harbor IT')).toBeInTheDocument();
    expect(screen.queryByText('Client Portal')).toBeNull();
    renderHook(() => useDocumentTitle('Queue'));
    expect(document.title).toBe('Queue · Harbor IT');
    renderHook(() => useDocumentTitle(null));
    expect(document.title).toBe('Harbor IT');
  });
});
