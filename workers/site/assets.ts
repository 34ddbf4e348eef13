import type { AppContext } from '../app.ts';

const LANGS = new Set(['ru', 'kk', 'en']);
// Pages whose path ends with an id are built once per language as a shell at `<prefix>/_/`.
const SHELL_PREFIXES = ['courses', 'lessons', 'attempts', 'results', 'host'];

/** Maps a site URL to the asset path that serves it (id pages → their shell). */
export function assetPath(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean);
  const [lang, section, id, ...rest] = parts;
  if (lang && LANGS.has(lang) && section && SHELL_PREFIXES.includes(section) && id && id !== '_' && rest.length === 0) {
    return `/${lang}/${section}/_/`;
  }
  return pathname;
}

/** Serves the built Astro site from the ASSETS binding (security headers come from the app). */
export async function serveSite(c: AppContext): Promise<Response> {
  const assets = c.env.ASSETS;
  if (!assets) return c.text('Site assets are not configured', 404);
  const url = new URL(c.req.url);
  const target = assetPath(url.pathname);
  const req = target === url.pathname ? c.req.raw : new Request(new URL(target + url.search, url), c.req.raw);
  const upstream = await assets.fetch(req);
  const res = new Response(upstream.body, upstream);
  if (url.pathname.startsWith('/_astro/') && res.status === 200) {
    // Hashed file names: safe to cache forever.
    res.headers.set('Cache-Control', 'public, max-age=31536000, immutable');
  }
  res.headers.set('X-Request-Id', c.var.requestId);
  return res;
}
