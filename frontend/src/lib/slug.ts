/**
 * Client slugs become subdomains (acme.portal.example) and Postgres schema
 * names, so they are DNS-label-safe: lowercase a–z, 0–9 and single hyphens,
 * no leading/trailing hyphen, at most SLUG_MAX_LENGTH characters.
 * The server is the authority (INVALID_SLUG / DUPLICATE_SLUG); this only
 * derives a sensible default and gives early feedback.
 */
export const SLUG_MAX_LENGTH = 50;
export const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

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
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, maxLength).replace(/-+$/g, '');
}

/** null when valid, otherwise a short explanation for the user. */
export function slugProblem(slug: string): string | null {
  if (!slug) return 'Required.';
  if (slug.length > SLUG_MAX_LENGTH) return `At most ${SLUG_MAX_LENGTH} characters.`;
  if (!SLUG_PATTERN.test(slug)) return 'Use lowercase letters, digits and single hyphens (not at the start or end).';
  return null;
}
