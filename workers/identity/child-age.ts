/**
 * What a child profile means: someone under 18. The one definition of the allowed birth
 * years, used by the API's schema and the site's form (site/src/pages/[lang]/parent.astro).
 * No imports, so the site can bundle it as is.
 */
export const CHILD_MAX_AGE_YEARS = 18;

/** Birth years allowed for a child profile this year: the last 18 years, up to this one. */
export function childBirthYears(now: Date = new Date()): { min: number; max: number } {
  const max = now.getUTCFullYear();
  return { min: max - CHILD_MAX_AGE_YEARS, max };
}
