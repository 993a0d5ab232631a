import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * WCAG AA for the design tokens: every colour used for text reaches 4.5:1 on every surface it
 * can sit on (pages, cards, table stripes, hover rows, tinted pills and alerts, internal notes).
 * Component CSS colours text only through these tokens (or darker alert text on its own tint).
 */
const css = readFileSync(resolve(__dirname, 'styles.css'), 'utf8');
const tokens = new Map<string, string>();
for (const m of css.matchAll(/--([\w-]+):\s*(#[0-9a-fA-F]{6}|var\(--[\w-]+\))/g)) tokens.set(m[1]!, m[2]!);

function hex(name: string): string {
  let v = tokens.get(name);
  for (let i = 0; v?.startsWith('var('); i++) v = tokens.get(v.slice(6, -1));
  if (!v) throw new Error(`No colour token --${name}`);
  return v;
}

function luminance(h: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

const TEXT = ['text', 'text-2', 'text-3', 'accent-text', 'accent', 'green', 'blue', 'amber', 'red', 'violet'];
const SURFACES = [
  'surface', 'surface-2', 'bg', 'grey-75', 'grey-100', 'accent-soft', 'green-soft', 'blue-soft', 'amber-soft', 'red-soft', 'violet-soft', 'amber-tint',
];

describe('colour contrast of the design tokens (WCAG AA)', () => {
  it('computes ratios like the WCAG formula', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#737b86', '#ffffff')).toBeCloseTo(4.28, 2); // the old --grey-500
  });

  it.each(TEXT)('--%s reaches 4.5:1 on every surface', (text) => {
    const low = SURFACES.map((s) => [s, contrast(hex(text), hex(s))] as const).filter(([, ratio]) => ratio < 4.5);
    expect(low).toEqual([]);
  });

  it.each(['accent', 'red', 'green'])('white text on --%s (primary and danger buttons, P1 pill) reaches 4.5:1', (bg) => {
    expect(contrast('#ffffff', hex(bg))).toBeGreaterThanOrEqual(4.5);
  });
});
