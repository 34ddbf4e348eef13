// Pages the Worker renders with their content (ISR): see site/README.md, "Pages rendered at
// the edge". Everything else under the site is the static Astro build.
import { sql } from 'drizzle-orm';
import type { HttpDb } from '../../db/client.ts';
import { ctxOf, type AppContext } from '../app.ts';
import { queryRows } from '../lib/sql.ts';
import { z } from '@hono/zod-openapi';
import { canSeeUnpublished, getCourse, type CourseDetail } from '../catalog/browse.ts';
import { identify } from '../identity/auth.ts';
import { isId } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { courseCoverSvg, coursePath, coverPath, renderCoursePage } from './course-page.ts';
import { LANGS, type Lang } from './html.ts';
import { cachedPage, hasSession, type PageCachePolicy, type Rendered } from './page-cache.ts';

const Gone = z.object({ gone: z.boolean() });
/** Same freshness as the course JSON (catalog/routes.ts); writes purge sooner. */
export const COURSE_PAGE_POLICY: PageCachePolicy = { sMaxAge: 300, staleWhileRevalidate: 3600 };

export const isLang = (s: string | undefined): s is Lang => (LANGS as readonly string[]).includes(s ?? '');

/** The static Astro file behind a path, fetched without the visitor's headers (no 304s, no cookies). */
export function assetFetch(c: AppContext, path: string): Promise<Response> {
  return c.env.ASSETS!.fetch(new Request(new URL(path, c.req.url)));
}

/** The 404 page of a language: real 404 status, noindex (Base.astro), never shared. */
export async function notFoundPage(c: AppContext, lang: Lang): Promise<Response> {
  const page = await assetFetch(c, `/${lang}/404`);
  return new Response(page.body, { status: 404, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** The 410 page: the content was public once (unpublished since, or deleted). noindex, never shared. */
export async function gonePage(c: AppContext, lang: Lang): Promise<Response> {
  const page = await assetFetch(c, `/${lang}/gone`);
  return new Response(page.body, { status: 410, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' } });
}

/** Whether a course that is not public now was public once: unpublished after publication, or deleted (a tombstone). */
async function wasPublic(c: AppContext, id: string): Promise<boolean> {
  const [row] = await queryRows(
    ctxOf(c).services.db.db as HttpDb,
    sql`select exists (select 1 from courses where id = ${id}::uuid and not published and published_at is not null)
        or exists (select 1 from course_tombstones where course_id = ${id}::uuid) as gone`,
    Gone,
  );
  return Boolean(row?.gone);
}

/** Best of ru/kk/en from Accept-Language (by q), else the default. */
export function preferredLang(acceptLanguage: string | undefined): Lang {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { base: tag.trim().toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return (ranked.find((x) => isLang(x.base))?.base as Lang | undefined) ?? LANGS[0];
}

/** `/de/courses/x` → 302 to the visitor's best language with the same rest of the path. */
export function langRedirect(c: AppContext, rest: string): Response {
  const url = new URL(c.req.url);
  const lang = preferredLang(c.req.header('accept-language'));
  return new Response(null, {
    status: 302,
    headers: { Location: `/${lang}${rest}${url.search}`, Vary: 'Accept-Language', 'Cache-Control': 'no-store' },
  });
}

type CourseRead = { course: CourseDetail } | { missing: true } | { failed: unknown };

async function readCourse(c: AppContext, id: string, lang: Lang): Promise<CourseRead> {
  try {
    return { course: await getCourse(ctxOf(c), id, lang) };
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') return { missing: true };
    return { failed: err };
  }
}

/** The static shell (scripts load the course from the API): personal, never stored. */
async function shell(c: AppContext, lang: Lang): Promise<Response> {
  const page = await assetFetch(c, `/${lang}/courses/_/`);
  return new Response(page.body, {
    status: 200,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'private, no-store' },
  });
}

/**
 * `/{lang}/courses/:id`. Published: the rendered page, shared and cached. Unknown, malformed or
 * never published: the 404 page; unpublished after publication or deleted: the 410 page — except
 * for the author (or an admin) of an unpublished course, who gets the static shell, privately. Postgres down: the shell too, so the page still loads.
 */
export async function coursePage(c: AppContext, lang: Lang, id: string): Promise<Response> {
  if (!isId(id)) return notFoundPage(c, lang);
  const origin = new URL(c.req.url).origin;
  return cachedPage(c, new URL(coursePath(lang, id), origin).href, COURSE_PAGE_POLICY, async (): Promise<Rendered> => {
    const read = await readCourse(c, id, lang);
    if ('course' in read) {
      const shellPage = await assetFetch(c, `/${lang}/courses/_/`);
      return { response: renderCoursePage(shellPage, read.course, lang, origin), shareable: true };
    }
    if ('failed' in read) {
      c.var.log.error('course page render failed, serving the shell', { id, err: String(read.failed) });
      return { response: await shell(c, lang), shareable: false };
    }
    if (hasSession(c.req.raw)) {
      // Only here is the session read, and the answer is never stored.
      const actor = await identify(c).catch(() => undefined);
      if (actor && (await canSeeUnpublished(ctxOf(c), actor, id))) return { response: await shell(c, lang), shareable: false };
    }
    // Never published: 404. Public once: 410, so search engines drop it at once.
    const gone = await wasPublic(c, id).catch(() => false);
    return { response: gone ? await gonePage(c, lang) : await notFoundPage(c, lang), shareable: false };
  });
}

/** `/{lang}/courses/:id/cover.svg`: the generated preview image, cached like the page. */
export async function courseCover(c: AppContext, lang: Lang, id: string): Promise<Response> {
  if (!isId(id)) return notFoundPage(c, lang);
  const origin = new URL(c.req.url).origin;
  return cachedPage(c, new URL(coverPath(lang, id), origin).href, COURSE_PAGE_POLICY, async (): Promise<Rendered> => {
    const read = await readCourse(c, id, lang);
    if (!('course' in read)) return { response: await notFoundPage(c, lang), shareable: false };
    return {
      response: new Response(courseCoverSvg(read.course), { headers: { 'Content-Type': 'image/svg+xml; charset=utf-8' } }),
      shareable: true,
    };
  });
}
