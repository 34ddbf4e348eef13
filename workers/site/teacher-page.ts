// `/{lang}/teachers/:id`: the public teacher profile, rendered at the edge into its Astro shell
// (site/src/pages/[lang]/teachers/[id]) and cached like the course page. No script is needed:
// the page is complete as rendered.
import { ctxOf, type AppContext } from '../app.ts';
import { getTeacherProfile } from '../identity/profiles.ts';
import type { TeacherProfile } from '../identity/schemas.ts';
import { isId } from '../lib/context.ts';
import { AppError } from '../lib/errors.ts';
import { t } from '../../site/src/i18n/index.ts';
import { formatRating } from './course-page.ts';
import { headTags, metaDescription, type Lang } from './html.ts';
import { cardHtml } from './lists.ts';
import { cachedPage, type PageCachePolicy, type Rendered } from './page-cache.ts';
import { assetFetch, notFoundPage } from './pages.ts';

/** A profile changes rarely; course edits show within a minute. */
export const TEACHER_PAGE_POLICY: PageCachePolicy = { sMaxAge: 60, staleWhileRevalidate: 600 };

export const teacherPath = (lang: Lang, id: string) => `/${lang}/teachers/${id}`;

function render(shell: Response, p: TeacherProfile, lang: Lang, origin: string): Response {
  const description = metaDescription(p.bio || t(lang, 'teacher.metaDescription', { name: p.name }));
  const head = headTags({
    origin,
    lang,
    rest: `/teachers/${p.id}`,
    title: p.name,
    description,
    image: p.avatarUrl ?? undefined,
    imageAlt: p.name,
  });
  const bioLang = p.bioLang !== lang ? p.bioLang : undefined;
  const cards = p.courses.map((c) => cardHtml(c, lang)).join('');
  return new HTMLRewriter()
    .on('title', { element: (el) => void el.setInnerContent(`${p.name} — Sabaq`) })
    .on('meta[name="description"]', { element: (el) => void el.setAttribute('content', description) })
    .on('meta[name="robots"]', { element: (el) => void el.remove() })
    .on('link[rel="alternate"][hreflang]', { element: (el) => void el.remove() })
    .on('head', { element: (el) => void el.append(head, { html: true }) })
    .on('a[data-lang-link]', {
      element: (el) => void el.setAttribute('href', teacherPath(el.getAttribute('data-lang-link') as Lang, p.id)),
    })
    .on('#teacher-name', { element: (el) => void el.setInnerContent(p.name) })
    .on('#teacher-avatar', {
      element: (el) => {
        if (!p.avatarUrl) return void el.remove();
        el.setAttribute('src', p.avatarUrl);
        el.removeAttribute('hidden');
      },
    })
    .on('#teacher-bio', {
      element: (el) => {
        if (!p.bio) return void el.remove();
        el.setInnerContent(p.bio);
        if (bioLang) el.setAttribute('lang', bioLang);
        el.removeAttribute('hidden');
      },
    })
    .on('#teacher-rating', { element: (el) => void el.setInnerContent(formatRating(p.rating, lang)) })
    .on('#teacher-course-count', { element: (el) => void el.setInnerContent(String(p.courses.length)) })
    .on('#teacher-courses', { element: (el) => void (cards ? el.setInnerContent(cards, { html: true }) : el.remove()) })
    .on('#teacher-no-courses', { element: (el) => void (cards ? el.remove() : el.removeAttribute('hidden')) })
    .transform(new Response(shell.body, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } }));
}

export async function teacherPage(c: AppContext, lang: Lang, id: string): Promise<Response> {
  if (!isId(id)) return notFoundPage(c, lang);
  const origin = new URL(c.req.url).origin;
  return cachedPage(c, new URL(teacherPath(lang, id), origin).href, TEACHER_PAGE_POLICY, async (): Promise<Rendered> => {
    try {
      const profile = await getTeacherProfile(ctxOf(c), id, lang);
      const shell = await assetFetch(c, `/${lang}/teachers/_/`);
      return { response: render(shell, profile, lang, origin), shareable: true };
    } catch (err) {
      if (err instanceof AppError && err.code === 'not_found') return { response: await notFoundPage(c, lang), shareable: false };
      throw err;
    }
  });
}
