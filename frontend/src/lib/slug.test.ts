import { describe, expect, it } from 'vitest';
import { SLUG_MAX_LENGTH, slugProblem, slugProblemWhileTyping, slugify } from './slug';

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
    // Digits are kept, also leading ones (the form then asks for a leading letter).
    ['123 Main St', '123-main-st'],
    ['3M Company', '3m-company'],
    ['123 Widgets', '123-widgets'],
    ['Route 66 Diner', 'route-66-diner'],
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

  it('produces a valid slug for every name that starts with a letter', () => {
    for (const name of ['Zürich Finanz AG', 'Ø & Æ', 'x'.repeat(80), 'Ünïcödé—Dash', 'Widgets 123']) {
      const s = slugify(name);
      expect(slugProblem(s)).toBeNull();
    }
    expect(slugify('  -- ')).toBe('');
  });

  it('explains a leading digit instead of dropping it', () => {
    expect(slugProblem(slugify('123 Widgets'))).toBe('Start with a letter.');
  });
});

describe('slugProblem', () => {
  it('accepts valid slugs', () => {
    expect(slugProblem('acme')).toBeNull();
    expect(slugProblem('acme-2')).toBeNull();
  });
  it.each([
    ['1-bad', 'Start with a letter.'],
    ['-acme', 'Start with a letter.'],
    ['Acme', 'Use lowercase letters only.'],
    ['acme dental', 'Use only lowercase letters, digits and hyphens (no spaces or other characters).'],
    ['acme_dental', 'Use only lowercase letters, digits and hyphens (no spaces or other characters).'],
    ['acme--dental', 'Use single hyphens between words.'],
    ['acme-', 'Don’t end with a hyphen.'],
    ['ab', 'Use 3–40 characters.'],
    ['', 'Required.'],
  ])('explains what is wrong with %j', (slug, message) => {
    expect(slugProblem(slug)).toBe(message);
  });
  it.each(['', 'ab', 'Acme', 'acme--dental', '-acme', '1acme', 'acme-', 'acme dental', 'a'.repeat(SLUG_MAX_LENGTH + 1)])('rejects %j', (s) => {
    expect(slugProblem(s)).not.toBeNull();
  });
});

describe('slugProblemWhileTyping', () => {
  it('stays quiet while the slug is on its way to a valid one', () => {
    for (const s of ['', 'a', 'ab', 'acme-', 'acme-d']) expect(slugProblemWhileTyping(s)).toBeNull();
  });
  it('speaks up as soon as typing on cannot fix it', () => {
    expect(slugProblemWhileTyping('1')).toBe('Start with a letter.');
    expect(slugProblemWhileTyping('A')).toBe('Use lowercase letters only.');
    expect(slugProblemWhileTyping('acme--')).toBe('Use single hyphens between words.');
    expect(slugProblemWhileTyping('acme d')).not.toBeNull();
  });
});
