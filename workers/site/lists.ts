// Home and catalog pages rendered at the edge: the built Astro page filled with the same
// cached list reads the JSON endpoints use (catalog/browse.ts). Card markup mirrors
// site/src/lib/courses.ts courseCard(), which re-renders the same cards after hydration.
import { ctxOf, type AppContext } from '../app.ts';
import { listPublishedTests } from '../assessments/listing.ts';
import { listCategories, listCourses } from '../catalog/browse.ts';
import type { CatalogFilters } from '../catalog/filters.ts';
import type { CourseCard } from '../catalog/views.ts';
import { t } from '../../site/src/i18n/index.ts';
import { coverPath, formatPrice, formatRating } from './course-page.ts';
import { esc, headTags, LANGS, metaDescription, type Lang } from './html.ts';
import { cachedPage, type PageCachePolicy, type Rendered } from './page-cache.ts';
import { assetFetch } from './pages.ts';

/** Lists follow the list cache (60 s); a listed change purges the unfiltered pages sooner. */
export const LIST_PAGE_POLICY: PageCachePolicy = { sMaxAge: 60, staleWhileRevalidate: 600 };
/** Same numbers as site/src/scripts/home.ts and catalog.ts, so both share one cache entry. */
const FEATURED_LIMIT = 6;
const CATALOG_PAGE_SIZE = 12;
/** site/src/scripts/tests.ts's page size. */
const TESTS_PAGE_SIZE = 20;
const TEST_KINDS = ['quiz', 'assessment'] as const;

/** The rendered tests pages, purged when a test is published (assessments/routes.ts). */
export const TESTS_PAGE_PATHS = LANGS.flatMap((l) => [`/${l}/tests`, ...TEST_KINDS.map((k) => `/${l}/tests?kind=${k}`)]);

export function cardHtml(course: CourseCard, lang: Lang): string {
  const textLang = course.titleLang !== lang ? ` lang="${course.titleLang}"` : '';
  return (
    `<li class="card"><article class="course-card">` +
    `<img class="course-card__cover" src="${esc(course.coverUrl ?? coverPath(lang, course.id))}" alt="" width="640" height="360" loading="lazy" decoding="async">` +
    `<h3 class="course-card__title"${textLang}><a href="/${lang}/courses/${esc(course.id)}" class="card__link">${esc(course.title)}</a></h3>` +
    (course.featured ? `<p class="tag">${esc(t(lang, 'course.featured'))}</p>` : '') +
    (course.description ? `<p class="course-card__summary"${textLang}>${esc(course.description)}</p>` : '') +
    `<p class="course-card__teacher">${esc(t(lang, 'course.teacher', { name: course.teacher.name }))}</p>` +
    `<ul class="course-card__meta"><li><span aria-hidden="true" class="star">★ </span>${esc(formatRating(course.rating, lang))}</li>` +
    `<li>${esc(t(lang, 'course.learners', { count: course.enrollmentCount }))}</li>` +
    `<li>${esc(t(lang, `langName.${course.language}`))}</li>` +
    `<li class="course-card__price">${esc(formatPrice(course.price, lang))}</li></ul></article></li>`
  );
}

/** A Status.astro region filled at the edge: its ready (or empty) state shown, no <noscript> note. */
function fillRegion(rewriter: HTMLRewriter, id: string, html: string): HTMLRewriter {
  const state = html ? 'ready' : 'empty';
  return rewriter
    .on(`#${id}`, {
      element: (el) => {
        el.setAttribute('data-prerendered', '');
        el.setAttribute('aria-busy', 'false');
      },
    })
    .on(`#${id} > noscript`, { element: (el) => void el.remove() })
    .on(`#${id} > [data-state="${state}"]`, { element: (el) => void el.removeAttribute('hidden') })
    .on(`#${id} > ul`, { element: (el) => void el.setInnerContent(html, { html: true }) });
}

function withHead(rewriter: HTMLRewriter, head: string): HTMLRewriter {
  return rewriter
    .on('link[rel="alternate"][hreflang]', { element: (el) => void el.remove() })
    .on('head', { element: (el) => void el.append(head, { html: true }) });
}

const html = (res: Response) => new Response(res.body, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } });

/**
 * Renders with `fill`; if the data cannot be read (Postgres down), the static page instead:
 * its scripts load the lists (or say the service is unavailable). Never stored.
 */
async function orStatic(c: AppContext, path: string, fill: () => Promise<Rendered>): Promise<Rendered> {
  try {
    return await fill();
  } catch (err) {
    c.var.log.error('list page render failed, serving the static page', { path, err: String(err) });
    const page = await assetFetch(c, path);
    return {
      response: new Response(page.body, {
        status: 200,
        headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' },
      }),
      shareable: false,
    };
  }
}

/** `/{lang}/`: categories and featured courses. */
export function homePage(c: AppContext, lang: Lang): Promise<Response> {
  const origin = new URL(c.req.url).origin;
  return cachedPage(c, new URL(`/${lang}/`, origin).href, LIST_PAGE_POLICY, () =>
    orStatic(c, `/${lang}/`, async (): Promise<Rendered> => {
      const ctx = ctxOf(c);
      const [cats, featured, page] = await Promise.all([
        listCategories(ctx, lang),
        listCourses(ctx, { lang, featured: true, limit: FEATURED_LIMIT }),
        assetFetch(c, `/${lang}/`),
      ]);
      const chips = cats.items
        .map((k) => `<li><a href="/${lang}/courses?category=${encodeURIComponent(k.slug)}">${esc(k.title)}</a></li>`)
        .join('');
      const cards = featured.items
        .filter((k) => k.featured)
        .map((k) => cardHtml(k, lang))
        .join('');
      const title = `Sabaq — ${t(lang, 'site.tagline')}`;
      let rw = withHead(new HTMLRewriter(), headTags({ origin, lang, rest: '/', title, description: t(lang, 'site.description') }));
      rw = fillRegion(fillRegion(rw, 'categories', chips), 'featured', cards);
      return { response: rw.transform(html(page)), shareable: true };
    }),
  );
}

const FILTER_VALUES: Record<string, (v: string) => boolean> = {
  category: (v) => /^[a-z0-9][a-z0-9-]{0,63}$/.test(v),
  language: (v) => (LANGS as readonly string[]).includes(v),
  level: (v) => ['beginner', 'intermediate', 'advanced'].includes(v),
  price: (v) => v === 'free' || v === 'paid',
  minRating: (v) => /^\d(\.\d{1,2})?$/.test(v) && Number(v) <= 5,
  sort: (v) => v === 'newest' || v === 'rating' || v === 'popularity',
};

/**
 * The catalog filters of a URL in a fixed order (the cache key and canonical URL), or
 * undefined when a value is invalid (the static page then shows the API's error).
 * Parameters that are not filters (utm_…) are ignored.
 */
export function catalogQuery(search: URLSearchParams): URLSearchParams | undefined {
  const out = new URLSearchParams();
  for (const [name, valid] of Object.entries(FILTER_VALUES)) {
    const v = search.get(name);
    if (!v) continue;
    if (!valid(v)) return undefined;
    out.set(name, v);
  }
  return out;
}

/** `/{lang}/courses?filters`: the first page of the catalog for those filters. */
export async function catalogPage(c: AppContext, lang: Lang): Promise<Response | undefined> {
  const url = new URL(c.req.url);
  const query = catalogQuery(url.searchParams);
  if (!query) return undefined;
  const qs = query.size ? `?${query}` : '';
  return cachedPage(c, new URL(`/${lang}/courses${qs}`, url.origin).href, LIST_PAGE_POLICY, () =>
    orStatic(c, `/${lang}/courses`, async (): Promise<Rendered> => {
      const filters: CatalogFilters = Object.fromEntries(query) as CatalogFilters;
      if (query.has('minRating')) filters.minRating = Number(query.get('minRating'));
      const [list, cats, page] = await Promise.all([
        listCourses(ctxOf(c), { ...filters, lang, limit: CATALOG_PAGE_SIZE }),
        filters.category ? listCategories(ctxOf(c), lang) : undefined,
        assetFetch(c, `/${lang}/courses`),
      ]);
      // A category page is the catalog filtered by it: its name leads the title and heading.
      const category = cats?.items.find((k) => k.slug === filters.category)?.title;
      const heading = category ? `${category} — ${t(lang, 'catalog.title')}` : t(lang, 'catalog.title');
      const title = `${heading} — Sabaq`;
      const description = metaDescription(list.items.map((k) => k.title).join(' · ') || t(lang, 'site.description'));
      let rw = withHead(new HTMLRewriter(), headTags({ origin: url.origin, lang, rest: `/courses${qs}`, title, description }))
        .on('meta[name="description"]', { element: (el) => void el.setAttribute('content', description) })
        .on('title', { element: (el) => void el.setInnerContent(title) })
        .on('main h1', { element: (el) => void el.setInnerContent(heading) })
        // Links to this page in other languages keep the filters.
        .on('a[data-lang-link]', { element: (el) => void el.setAttribute('href', `/${el.getAttribute('data-lang-link')}/courses${qs}`) })
        .on('#catalog-more', { element: (el) => void (list.nextCursor ? el.removeAttribute('hidden') : undefined) });
      for (const [name, value] of query) {
        if (name === 'category') continue; // its options arrive with the categories (scripts/catalog.ts)
        rw = rw.on(`#filter-${name === 'minRating' ? 'rating' : name} option[value="${value}"]`, {
          element: (el) => void el.setAttribute('selected', ''),
        });
      }
      rw = fillRegion(rw, 'catalog-results', list.items.map((k) => cardHtml(k, lang)).join(''));
      return { response: rw.transform(html(page)), shareable: true };
    }),
  );
}

type PublishedTest = Awaited<ReturnType<typeof listPublishedTests>>['items'][number];

/** One test of the list; mirrors site/src/scripts/tests.ts item(), which re-renders it with its handlers. */
function testItemHtml(test: PublishedTest, lang: Lang): string {
  const facts = [
    t(lang, `testKind.${test.kind}`),
    t(lang, 'tests.questions', { count: test.questionCount }),
    test.timeLimitSec
      ? t(lang, 'tests.timeLimit', { minutes: Math.max(1, Math.ceil(test.timeLimitSec / 60)) })
      : t(lang, 'tests.noTimeLimit'),
  ].join(' · ');
  const titleLang = test.titleLang !== lang ? ` lang="${test.titleLang}"` : '';
  const descLang = test.descriptionLang && test.descriptionLang !== lang ? ` lang="${test.descriptionLang}"` : '';
  return (
    `<li data-test-id="${esc(test.id)}"><div class="item-list__main">` +
    `<h3 class="tests-list__title"${titleLang}>${esc(test.title)}</h3><p class="muted">${esc(facts)}</p>` +
    (test.description ? `<p class="tests-list__description"${descLang}>${esc(test.description)}</p>` : '') +
    `<p class="field-error" role="alert"></p></div>` +
    `<div class="actions tests-list__actions"><button type="button" class="button" data-start="${esc(test.id)}"><span>${esc(t(lang, 'tests.start'))}</span>` +
    `<span class="visually-hidden">: ${esc(test.title)}</span></button></div></li>`
  );
}

/** `/{lang}/tests[?kind=quiz|assessment]`: the first page of published tests, readable before JavaScript. */
export async function testsPage(c: AppContext, lang: Lang): Promise<Response | undefined> {
  const url = new URL(c.req.url);
  const kindParam = url.searchParams.get('kind') || undefined;
  if (kindParam && !(TEST_KINDS as readonly string[]).includes(kindParam)) return undefined;
  const kind = kindParam as (typeof TEST_KINDS)[number] | undefined;
  const qs = kind ? `?kind=${kind}` : '';
  return cachedPage(c, new URL(`/${lang}/tests${qs}`, url.origin).href, LIST_PAGE_POLICY, () =>
    orStatic(c, `/${lang}/tests`, async (): Promise<Rendered> => {
      const [list, page] = await Promise.all([
        listPublishedTests(ctxOf(c), { lang, kind, limit: TESTS_PAGE_SIZE }),
        assetFetch(c, `/${lang}/tests`),
      ]);
      const heading = kind ? `${t(lang, `testKind.${kind}`)} — ${t(lang, 'tests.title')}` : t(lang, 'tests.title');
      const title = `${heading} — Sabaq`;
      const description = metaDescription(list.items.map((x) => x.title).join(' · ') || t(lang, 'tests.lead'));
      let rw = withHead(new HTMLRewriter(), headTags({ origin: url.origin, lang, rest: `/tests${qs}`, title, description }))
        .on('meta[name="description"]', { element: (el) => void el.setAttribute('content', description) })
        .on('title', { element: (el) => void el.setInnerContent(title) })
        .on('a[data-lang-link]', { element: (el) => void el.setAttribute('href', `/${el.getAttribute('data-lang-link')}/tests${qs}`) })
        .on('#tests-more', { element: (el) => void (list.nextCursor ? el.removeAttribute('hidden') : undefined) });
      if (kind) rw = rw.on(`#tests-kind option[value="${kind}"]`, { element: (el) => void el.setAttribute('selected', '') });
      rw = fillRegion(rw, 'tests-results', list.items.map((x) => testItemHtml(x, lang)).join(''));
      return { response: rw.transform(html(page)), shareable: true };
    }),
  );
}
