import type { AppContext } from '../app.ts';
import { catalogPage, homePage, testsPage } from './lists.ts';
import { courseCover, coursePage, isLang, langRedirect, notFoundPage } from './pages.ts';
import { robotsTxt, sitemapFile, sitemapIndex } from './sitemap.ts';
import { devMailPage } from '../email/routes.ts';
import { imageResponse } from '../images/routes.ts';
import { teacherPage } from './teacher-page.ts';

// Private pages whose path ends with an id are built once per language as a shell at
// `<prefix>/_/` and stay static: nothing personal is ever rendered at the edge.
const SHELL_PREFIXES = ['lessons', 'attempts', 'results', 'host', 'certificates'];
// A first segment that looks like a language tag (`de`, `pt-br`) but is not ru/kk/en.
const LANG_LIKE = /^[a-z]{2}(?:-[a-z0-9]{2,8})?$/i;

/** Maps a site URL to the asset path that serves it (private id pages → their shell). */
export function assetPath(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean);
  const [lang, section, id, ...rest] = parts;
  if (lang && isLang(lang) && section && SHELL_PREFIXES.includes(section) && id && id !== '_' && rest.length === 0) {
    return `/${lang}/${section}/_/`;
  }
  return pathname;
}

/** Pages the Worker renders (or redirects) itself; undefined = a static asset. */
async function rendered(c: AppContext, pathname: string): Promise<Response | undefined> {
  if (pathname === '/robots.txt') return robotsTxt(c);
  if (pathname === '/sitemap.xml') return sitemapIndex(c);
  if (pathname === '/dev/mail' || pathname === '/dev/mail/') return devMailPage(c);
  if (pathname.startsWith('/images/')) return imageResponse(c, pathname.slice('/images/'.length));
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'sitemaps' && parts.length === 2) return sitemapFile(c, parts[1]!);
  const [lang, section, id, extra, ...more] = parts;
  if (!lang) return undefined;
  if (!isLang(lang)) return LANG_LIKE.test(lang) ? langRedirect(c, pathname.slice(lang.length + 1) || '/') : undefined;
  if (section === undefined) return homePage(c, lang);
  if (section === 'courses' && id === undefined) return catalogPage(c, lang);
  if (section === 'tests' && id === undefined) return testsPage(c, lang);
  if (section === 'teachers' && id !== undefined && id !== '_' && extra === undefined) return teacherPage(c, lang, id);
  if (section !== 'courses' || id === undefined || more.length) return undefined;
  if (extra === undefined) return coursePage(c, lang, id);
  if (extra === 'cover.svg') return courseCover(c, lang, id);
  return notFoundPage(c, lang);
}

/** Serves the site: rendered pages, else the built Astro site from the ASSETS binding (security headers come from the app). */
export async function serveSite(c: AppContext): Promise<Response> {
  const assets = c.env.ASSETS;
  if (!assets) return c.text('Site assets are not configured', 404);
  const url = new URL(c.req.url);
  const page = await rendered(c, url.pathname);
  if (page) {
    const res = new Response(page.body, page);
    res.headers.set('X-Request-Id', c.var.requestId);
    return res;
  }
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
