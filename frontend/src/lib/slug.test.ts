import { describe, expect, it } from 'vitest';
import { SLUG_MAX_LENGTH, slugProblem, slugify } from './slug';

describe('slugify', () => {
  it.each([
    ['Acme Dental Group', 'acme-dental-group'],
    ['  Acme   Dental  ', 'acme-dental'],
    ['Smith & Sons Ltd.', 'smith-and-sons-ltd'],
    ['Müller Bäckerei GmbH', 'muller-backerei-gmbh'],
    ['Café Crème', 'cafe-creme'],
    ['Straße 42', 'strasse-42'],
    ["O'Brien Legal", 'obrien-legal'],
    ['---Hello---World---', 'hello-world'],
    ['ACME_corp/IT', 'acme-corp-it'],
    ['123 Main St', 'main-st'],
    ['3M Company', 'm-company'],
    ['', ''],
    ['!!!', ''],
  ])('%j → %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it('truncates to the maximum length without a trailing hyphen', () => {
    const s = slugify('a'.repeat(38) + ' bcdef');
    expect(s.length).toBeLessThanOrEqual(SLUG_MAX_LENGTH);
    expect(s.endsWith('-')).toBe(false);
    expect(s).toBe('a'.repeat(38) + '-b');
    expect(slugify('a'.repeat(39) + ' b')).toBe('a'.repeat(39));
  });

  it('always produces a slug that passes validation (or an empty one)', () => {
    for (const name of ['Zürich Finanz AG', 'Ø & Æ', 'x'.repeat(80), '  -- ', 'Ünïcödé—Dash']) {
      const s = slugify(name);
      if (s.length >= 3) expect(slugProblem(s)).toBeNull();
    }
  });
});

describe('slugProblem', () => {
  it('accepts valid slugs', () => {
    expect(slugProblem('acme')).toBeNull();
    expect(slugProblem('acme-2')).toBeNull();
  });
  it.each(['', 'ab', 'Acme', 'acme--dental', '-acme', '1acme', 'acme-', 'acme dental', 'a'.repeat(SLUG_MAX_LENGTH + 1)])('rejects %j', (s) => {
    expect(slugProblem(s)).not.toBeNull();
  });
});
