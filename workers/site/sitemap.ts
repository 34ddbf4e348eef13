// robots.txt and the sitemap index: every published course once per language, in files of
// at most 50,000 URLs, read from Postgres with a keyset cursor (catalog/sitemap.ts).
import { ctxOf, type AppContext } from '../app.ts';
import { sitemapCourses, sitemapFiles } from '../catalog/sitemap.ts';
import { isId } from '../lib/context.ts';
import { esc, LANGS } from './html.ts';

// Crawlers may keep these a few minutes; the file list itself is recomputed after every
// publish, unpublish or delete (catalog generation), and each file is read fresh.
const SHORT_LIVED = { 'Cache-Control': 'public, max-age=0, s-maxage=300', 'CDN-Cache-Control': 'public, s-maxage=300' };

const filePath = (after: string) => `/sitemaps/courses-${after || '0'}.xml`;

export function robotsTxt(c: AppContext): Response {
  const origin = new URL(c.req.url).origin;
  const body = [
    'User-agent: *',
    'Disallow: /api/',
    ...LANGS.flatMap((l) => [`Disallow: /${l}/learn`, `Disallow: /${l}/account`, `Disallow: /${l}/studio`, `Disallow: /${l}/admin`]),
    '',
    `Sitemap: ${origin}/sitemap.xml`,
    '',
  ].join('\n');
  return new Response(body, { headers: { 'Content-Type': 'text/plain; charset=utf-8', ...SHORT_LIVED } });
}

export async function sitemapIndex(c: AppContext): Promise<Response> {
  const origin = new URL(c.req.url).origin;
  const { after } = await sitemapFiles(ctxOf(c));
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' +
    [
      `<sitemap><loc>${esc(new URL('/sitemaps/pages.xml', origin).href)}</loc></sitemap>`,
      ...after.map((a) => `<sitemap><loc>${esc(new URL(filePath(a), origin).href)}</loc></sitemap>`),
    ].join('') +
    '</sitemapindex>';
  return new Response(body, { headers: { 'Content-Type': 'application/xml; charset=utf-8', ...SHORT_LIVED } });
}

const urlEntry = (origin: string, rest: string, lastmod?: string) =>
  LANGS.map(
    (l) =>
      `<url><loc>${esc(new URL(`/${l}${rest}`, origin).href)}</loc>${lastmod ? `<lastmod>${lastmod}</lastmod>` : ''}` +
      LANGS.map((a) => `<xhtml:link rel="alternate" hreflang="${a}" href="${esc(new URL(`/${a}${rest}`, origin).href)}"/>`).join('') +
      `</url>`,
  ).join('');

const urlset = (entries: string) =>
  '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">' +
  entries +
  '</urlset>';

/** `/sitemaps/pages.xml` (home, catalog, tests) and `/sitemaps/courses-<after>.xml`; else undefined. */
export async function sitemapFile(c: AppContext, name: string): Promise<Response | undefined> {
  const origin = new URL(c.req.url).origin;
  if (name === 'pages.xml') {
    return new Response(urlset(['/', '/courses', '/tests'].map((p) => urlEntry(origin, p)).join('')), {
      headers: { 'Content-Type': 'application/xml; charset=utf-8', ...SHORT_LIVED },
    });
  }
  const m = /^courses-([0-9a-f-]{36}|0)\.xml$/.exec(name);
  if (!m || (m[1] !== '0' && !isId(m[1]!))) return undefined;
  const rows = await sitemapCourses(ctxOf(c), m[1] === '0' ? '' : m[1]!);
  return new Response(urlset(rows.map((r) => urlEntry(origin, `/courses/${r.id}`, r.updatedAt)).join('')), {
    headers: { 'Content-Type': 'application/xml; charset=utf-8', ...SHORT_LIVED },
  });
}
