/**
 * Client slugs become subdomains (acme.portal.example) and Postgres schema
 * names. The server's rule (INVALID_SLUG): 3–40 characters, lowercase letters,
 * digits and single hyphens, starting with a letter (and not ending with a
 * hyphen). The server stays the authority (also for DUPLICATE_SLUG); this
 * derives a suggestion from the client's name and explains what is wrong with
 * a slug. It never rewrites a slug a person typed.
 */
export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 40;
export const SLUG_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const LIGATURES: Record<string, string> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', đ: 'd', ł: 'l', þ: 'th' };

/**
 * The slug suggested for a client name: lowercase ASCII words joined by single
 * hyphens. Digits are kept, also at the start ("123 Widgets" → "123-widgets"),
 * even though the server wants a leading letter: the form then says so next to
 * the field instead of silently dropping part of the name.
 */
export function slugify(name: string, maxLength: number = SLUG_MAX_LENGTH): string {
  const ascii = name
    .toLowerCase()
    .replace(/[ßæøœđłþ]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // strip accents
    .replace(/&/g, ' and ')
    .replace(/['’`]/g, ''); // O'Brien -> obrien
  const slug = ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/g, '');
}

/** null when valid, otherwise a short explanation for the user (the most useful one first). */
export function slugProblem(slug: string): string | null {
  if (!slug) return 'Required.';
  if (/[A-Z]/.test(slug)) return 'Use lowercase letters only.';
  if (/[^a-z0-9-]/.test(slug)) return 'Use only lowercase letters, digits and hyphens (no spaces or other characters).';
  if (!/^[a-z]/.test(slug)) return 'Start with a letter.';
  if (slug.includes('--')) return 'Use single hyphens between words.';
  if (slug.endsWith('-')) return 'Don’t end with a hyphen.';
  if (slug.length < SLUG_MIN_LENGTH || slug.length > SLUG_MAX_LENGTH)
    return `Use ${SLUG_MIN_LENGTH}–${SLUG_MAX_LENGTH} characters.`;
  if (!SLUG_PATTERN.test(slug)) return 'Use lowercase letters, digits and single hyphens, starting with a letter.';
  return null;
}

/**
 * The problem worth showing while someone is still typing: everything except
 * "too short" and "ends with a hyphen", which every slug is on its way to a
 * valid one. Those are reported on blur and on submit.
 */
export function slugProblemWhileTyping(slug: string): string | null {
  if (!slug) return null;
  const problem = slugProblem(slug);
  if (problem === null) return null;
  const prefixOfValid = /^[a-z][a-z0-9]*(?:-[a-z0-9]*)*$/.test(slug) && !slug.includes('--') && slug.length <= SLUG_MAX_LENGTH;
  return prefixOfValid ? null : problem;
}
