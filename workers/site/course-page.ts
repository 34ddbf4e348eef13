// The course page rendered at the edge: the built Astro shell (/{lang}/courses/_/) filled with
// the course by HTMLRewriter. Astro stays the one source of the markup, styles and islands
// (scripts/course.ts hydrates the same elements); the Worker only writes text into them.
import type { CourseDetail } from '../catalog/browse.ts';
import { durationMessage, totalMinutes } from '../../site/src/i18n/format.ts';
import { t } from '../../site/src/i18n/index.ts';
import { esc, headTags, jsonLd, LOCALES, metaDescription, type Lang } from './html.ts';

/** Same texts as site/src/lib/courses.ts writes in the browser, so hydration changes nothing. */
export function formatPrice(price: CourseDetail['price'], lang: Lang): string {
  if (!price || price.amount <= 0) return t(lang, 'price.free');
  const major = price.amount / 100;
  try {
    return new Intl.NumberFormat(LOCALES[lang], {
      style: 'currency',
      currency: price.currency,
      maximumFractionDigits: Number.isInteger(major) ? 0 : 2,
    }).format(major);
  } catch {
    return `${major} ${price.currency}`;
  }
}

export function formatRating(rating: CourseDetail['rating'], lang: Lang): string {
  if (!rating || rating.count <= 0) return t(lang, 'course.noRatings');
  return t(lang, 'course.rating', { avg: rating.average, count: rating.count });
}

const levelName = (level: string, lang: Lang) =>
  ['beginner', 'intermediate', 'advanced'].includes(level) ? t(lang, `level.${level}` as 'level.beginner') : level;

export const coursePath = (lang: Lang, id: string) => `/${lang}/courses/${id}`;
export const coverPath = (lang: Lang, id: string) => `/${lang}/courses/${id}/cover.svg`;

/** schema.org Course with its rating and, for paid courses, its offer. */
export function courseJsonLd(course: CourseDetail, lang: Lang, url: string, image: string) {
  const data: Record<string, unknown> = {
    '@context': 'https://schema.org',
    '@type': 'Course',
    '@id': url,
    url,
    name: course.title,
    description: course.description || course.title,
    inLanguage: course.titleLang,
    image,
    provider: { '@type': 'Organization', name: 'Sabaq', sameAs: new URL('/', url).href },
    creator: { '@type': 'Person', name: course.teacher.name },
    educationalLevel: levelName(course.level, lang),
    isAccessibleForFree: !course.price,
    hasCourseInstance: {
      '@type': 'CourseInstance',
      courseMode: 'Online',
      courseWorkload: `PT${Math.max(1, Math.round(course.modules.reduce((n, m) => n + m.lessons.reduce((s, l) => s + l.durationMin, 0), 0)))}M`,
    },
  };
  if (course.category) data.about = course.category.title;
  if (course.rating.count > 0) {
    data.aggregateRating = {
      '@type': 'AggregateRating',
      ratingValue: course.rating.average,
      ratingCount: course.rating.count,
      bestRating: 5,
      worstRating: 1,
    };
  }
  if (course.price) {
    data.offers = {
      '@type': 'Offer',
      category: 'Paid',
      price: course.price.amount / 100,
      priceCurrency: course.price.currency,
      availability: 'https://schema.org/InStock',
      url,
    };
  }
  return data;
}

function curriculumHtml(course: CourseDetail, lang: Lang, textLang: Lang | undefined): string {
  const langAttr = textLang ? ` lang="${textLang}"` : '';
  return course.modules
    .map(
      (m) =>
        `<li><h3${langAttr}>${esc(m.title)}</h3><ol>${m.lessons
          .map(
            (l) =>
              `<li data-lesson="${esc(l.id)}"><a href="/${lang}/lessons/${esc(l.id)}"${langAttr}>${esc(l.title)}</a>${l.preview ? ` <span class="tag">${esc(t(lang, 'course.preview'))}</span>` : ''}</li>`,
          )
          .join('')}</ol></li>`,
    )
    .join('');
}

const text = (value: string): HTMLRewriterElementContentHandlers => ({ element: (el) => void el.setInnerContent(value) });
const show = (visible: boolean): HTMLRewriterElementContentHandlers => ({
  element: (el) => void (visible ? el.removeAttribute('hidden') : el.setAttribute('hidden', '')),
});

/** Fills the course shell with `course`; the result is the same for every visitor. */
export function renderCoursePage(shell: Response, course: CourseDetail, lang: Lang, origin: string): Response {
  const url = new URL(coursePath(lang, course.id), origin).href;
  const textLang = course.titleLang !== lang ? course.titleLang : undefined;
  const description = metaDescription(course.description || `${course.title}. ${t(lang, 'course.teacher', { name: course.teacher.name })}`);
  // Uploaded covers are stored as site paths (/images/…); Open Graph needs an absolute URL.
  const image = new URL(course.coverUrl ?? coverPath(lang, course.id), origin).href;
  const head =
    headTags({ origin, lang, rest: `/courses/${course.id}`, title: course.title, description, image, imageAlt: course.title }) +
    jsonLd(courseJsonLd(course, lang, url, image));
  const rewriter = new HTMLRewriter()
    .on('title', text(`${course.title} — Sabaq`))
    .on('meta[name="description"]', { element: (el) => void el.setAttribute('content', description) })
    // The shell is noindex; a published course is not.
    .on('meta[name="robots"]', { element: (el) => void el.remove() })
    .on('link[rel="alternate"][hreflang]', { element: (el) => void el.remove() })
    .on('head', { element: (el) => void el.append(head, { html: true }) })
    .on('a[data-lang-link]', {
      element: (el) => void el.setAttribute('href', coursePath(el.getAttribute('data-lang-link') as Lang, course.id)),
    })
    // scripts/course.ts sees data-prerendered and does not blank the region while it loads.
    .on('#course', {
      element: (el) => {
        el.setAttribute('data-prerendered', '');
        el.setAttribute('aria-busy', 'false');
      },
    })
    .on('#course > noscript', { element: (el) => void el.remove() })
    .on('#course > [data-state="ready"]', show(true))
    .on('#course-title', {
      element: (el) => {
        el.setInnerContent(course.title);
        if (textLang) el.setAttribute('lang', textLang);
      },
    })
    .on(
      '#course-fallback',
      textLang
        ? {
            element: (el) => {
              el.setInnerContent(t(lang, 'course.fallbackLang', { lang: t(lang, `langName.${textLang}`) }));
              el.removeAttribute('hidden');
            },
          }
        : {},
    )
    .on('#course-description', {
      element: (el) => {
        el.setInnerContent(course.description);
        if (textLang) el.setAttribute('lang', textLang);
      },
    })
    .on('#course-cover', {
      element: (el) => {
        el.setAttribute('src', course.coverUrl ?? coverPath(lang, course.id));
        el.removeAttribute('hidden');
      },
    })
    .on('#course-teacher', {
      element: (el) =>
        void el.setInnerContent(
          `<a href="/${lang}/teachers/${esc(course.teacher.id)}" id="course-teacher-link">${esc(course.teacher.name)}</a>`,
          {
            html: true,
          },
        ),
    })
    .on('#course-language', text(t(lang, `langName.${course.language}`)))
    .on('#course-level', text(levelName(course.level, lang)))
    .on('#course-rating', text(formatRating(course.rating, lang)))
    .on('#course-duration', text(duration(lang, course)))
    .on('#course-learners', text(t(lang, 'course.learners', { count: course.enrollmentCount })))
    .on('#course-price', text(formatPrice(course.price, lang)))
    .on('#course-curriculum', { element: (el) => void el.setInnerContent(curriculumHtml(course, lang, textLang), { html: true }) })
    .on('#course-curriculum-empty', show(course.modules.length === 0))
    .on('#course-outcomes-section', show((course.outcomes ?? []).length > 0))
    .on('#course-outcomes', {
      element: (el) =>
        void el.setInnerContent((course.outcomes ?? []).map((o) => `<li${textLang ? ` lang="${textLang}"` : ''}>${esc(o)}</li>`).join(''), {
          html: true,
        }),
    })
    .on('#reviews-summary', text(formatRating(course.rating, lang)));
  const res = rewriter.transform(new Response(shell.body, { status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' } }));
  return res;
}

/** The course's total duration from its lessons, in the page language. */
function duration(lang: Lang, course: CourseDetail): string {
  const { key, vars } = durationMessage(totalMinutes(course.modules));
  return t(lang, key, vars);
}

/** A 1200×630 cover for link previews: the title on the brand colour, drawn as SVG. */
/** Background and band colours per category (white text passes WCAG AA on each); unknown slugs hash into the list. */
const COVER_COLOURS: [string, string][] = [
  ['#0b5fae', '#084a88'],
  ['#1b7f4b', '#145f38'],
  ['#a33b2b', '#7e2d21'],
  ['#6b3fa0', '#52307b'],
  ['#8a5a00', '#6b4600'],
  ['#0f7580', '#0b5a62'],
  ['#b0305e', '#8a2549'],
  ['#3d4f63', '#2c3a49'],
];

export function coverColours(slug: string | undefined): [string, string] {
  if (!slug) return COVER_COLOURS[0]!;
  let h = 0;
  for (const ch of slug) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COVER_COLOURS[h % COVER_COLOURS.length]!;
}

export function courseCoverSvg(
  course: Pick<CourseDetail, 'title' | 'teacher' | 'titleLang'> & { category?: { slug: string } | null },
): string {
  const [bg, band] = coverColours(course.category?.slug);
  const words = course.title.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && `${line} ${w}`.length > 26) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  const shown = lines.slice(0, 4);
  if (lines.length > 4) shown[3] = `${shown[3]!.replace(/.{0,1}$/, '')}…`;
  const tspans = shown.map((l, i) => `<tspan x="80" dy="${i === 0 ? 0 : 84}">${esc(l)}</tspan>`).join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="630" viewBox="0 0 1200 630" lang="${course.titleLang}">` +
    `<rect width="1200" height="630" fill="${bg}"/><rect x="0" y="560" width="1200" height="70" fill="${band}"/>` +
    `<text x="80" y="${300 - (shown.length - 1) * 42}" font-family="DejaVu Sans, Arial, sans-serif" font-size="68" font-weight="700" fill="#fff">${tspans}</text>` +
    `<text x="80" y="606" font-family="DejaVu Sans, Arial, sans-serif" font-size="32" fill="#fff">Sabaq · ${esc(course.teacher.name)}</text></svg>`
  );
}
