/**
 * Client slugs become subdomains (acme.portal.example) and Postgres schema
 * names. The server's rule (INVALID_SLUG): 3–40 characters, lowercase letters,
 * digits and single hyphens, starting with a letter (and not ending with a
 * hyphen). The server stays the authority (also for DUPLICATE_SLUG); this
 * derives a sensible default and gives early feedback.
 */
export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 40;
export const SLUG_PATTERN = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

const LIGATURES: Record<string, string> = { ß: 'ss', æ: 'ae', ø: 'o', œ: 'oe', đ: 'd', ł: 'l', þ: 'th' };

export function slugify(name: string, maxLength: number = SLUG_MAX_LENGTH): string {
  const ascii = name
    .toLowerCase()
    .replace(/[ßæøœđłþ]/g, (c) => LIGATURES[c] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // strip accents
    .replace(/&/g, ' and ')
    .replace(/['’`]/g, ''); // O'Brien -> obrien
  const slug = ascii
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^[^a-z]+/, '') // must start with a letter: "3M Company" -> "m-company"
    .replace(/-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/g, '');
}

/** null when valid, otherwise a short explanation for the user. */
export function slugProblem(slug: string): string | null {
  if (!slug) return 'Required.';
  if (slug.length < SLUG_MIN_LENGTH || slug.length > SLUG_MAX_LENGTH)
    return `Use ${SLUG_MIN_LENGTH}–${SLUG_MAX_LENGTH} characters.`;
  if (!SLUG_PATTERN.test(slug))
    return 'Use lowercase letters, digits and single hyphens, starting with a letter.';
  return null;
}
