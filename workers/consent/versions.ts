/**
 * Versions of the texts users agree to. A new version of a text is a new date here; the
 * privacy page of the site (site/src/pages/[lang]/privacy.astro) shows it, and clients send the
 * version they showed (GET /api/privacy), so an acceptance always names the text that was read.
 */
export const CONSENT_VERSIONS = { terms: '2026-12-06', privacy: '2026-12-06', child_data: '2026-12-06' } as const;
