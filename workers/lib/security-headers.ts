import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../app.ts';

const HSTS = 'max-age=63072000; includeSubDomains';

/**
 * Pages (the site, and the few HTML pages under /api: API docs, the mock provider's checkout,
 * the dev mailbox): the full set. The site ships no inline scripts or styles; videos embed only
 * from the two allowed hosts; image uploads PUT straight to R2 through presigned URLs.
 */
const DOCUMENT_HEADERS: readonly (readonly [string, string])[] = [
  [
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
      "connect-src 'self' https://*.r2.cloudflarestorage.com; frame-src https://www.youtube-nocookie.com https://player.vimeo.com; " +
      "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'",
  ],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Origin-Agent-Cluster', '?1'],
  ['Permissions-Policy', 'camera=(), microphone=(), geolocation=()'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', HSTS],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-DNS-Prefetch-Control', 'off'],
  ['X-Download-Options', 'noopen'],
  ['X-Frame-Options', 'SAMEORIGIN'],
  ['X-Permitted-Cross-Domain-Policies', 'none'],
  ['X-XSS-Protection', '0'],
];

/**
 * API answers (JSON, CSV, PDF…): the set OWASP's REST Security Cheat Sheet gives for APIs. The
 * document-only headers above (opener and agent-cluster isolation, permissions, DNS prefetch,
 * legacy IE/Flash switches) do nothing for a response that is never rendered as a page, and
 * setting them cost every API request ~5 % of its CPU (14 header writes). `default-src 'none'`
 * is stricter than the pages' policy: an API answer opened as a document runs nothing.
 */
const API_HEADERS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'"],
  ['Cross-Origin-Resource-Policy', 'same-origin'],
  ['Referrer-Policy', 'no-referrer'],
  ['Strict-Transport-Security', HSTS],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
];

/**
 * Security headers on every answer, written once on the final response. A route that set its
 * own Content-Security-Policy (a stricter one, e.g. uploaded images) keeps it.
 */
export const securityHeaders = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const h = c.res.headers;
    const api = c.req.path.startsWith('/api/') && !h.get('content-type')?.startsWith('text/html');
    const ownPolicy = h.has('content-security-policy');
    for (const [name, value] of api ? API_HEADERS : DOCUMENT_HEADERS) {
      if (ownPolicy && name === 'Content-Security-Policy') continue;
      h.set(name, value);
    }
  });
