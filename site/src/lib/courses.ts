// Rendering of course data shared by the home, catalog, search and course pages.
// Needs the client string namespaces: course, price, level, langName.
import type { Lang } from '../i18n/langs';
import { h } from './dom';
import { href, locale, pageLang, tc, tcMaybe } from './i18n-client';
import type { CourseCard, CourseHit, Price } from './types';

export const COURSE_STRINGS = ['course', 'price', 'level', 'langName'] as const;

export function languageName(lang: Lang): string {
  return tc(`langName.${lang}`);
}

export function levelName(level: string): string {
  return tcMaybe(`level.${level}`) ?? level;
}

/** The API gives amounts in minor units (tiyn, kopeks, cents). */
export function formatPrice(price: Price | null): string {
  if (!price || price.amount <= 0) return tc('price.free');
  const major = price.amount / 100;
  try {
    return new Intl.NumberFormat(locale(), {
      style: 'currency',
      currency: price.currency,
      maximumFractionDigits: Number.isInteger(major) ? 0 : 2,
    }).format(major);
  } catch {
    return `${major} ${price.currency}`;
  }
}

export function formatRating(rating: CourseCard['rating']): string {
  if (!rating || rating.count <= 0) return tc('course.noRatings');
  return tc('course.rating', { avg: rating.average, count: rating.count });
}

/** `lang` attribute for texts that fell back to another language, else undefined. */
export function textLang(course: Pick<CourseCard, 'titleLang'>): Lang | undefined {
  return course.titleLang && course.titleLang !== pageLang() ? course.titleLang : undefined;
}

/** A search snippet: plain text where matches are wrapped in <mark>…</mark>. Nothing else is parsed. */
export function highlighted(snippet: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let inMark = false;
  for (const part of snippet.split(/(<mark>|<\/mark>)/)) {
    if (part === '<mark>' || part === '</mark>') {
      inMark = part === '<mark>';
    } else if (part) {
      fragment.append(inMark ? h('mark', {}, part) : part);
    }
  }
  return fragment;
}

export function courseUrl(id: string): string {
  return href(`/courses/${encodeURIComponent(id)}`);
}

/** The uploaded cover, else the generated one (the title on the category's colour, workers/site/course-page.ts). */
export function coverSrc(course: { id: string; coverUrl?: string | null }): string {
  return course.coverUrl || href(`/courses/${encodeURIComponent(course.id)}/cover.svg`);
}

/** A catalog card as an `<li>` for a `<ul class="card-grid">`. */
export function courseCard(course: CourseCard | CourseHit, heading: 'h2' | 'h3' = 'h3'): HTMLLIElement {
  const lang = textLang(course);
  const summary = 'highlight' in course ? highlighted(course.highlight) : course.description;
  return h(
    'li',
    { class: 'card' },
    h(
      'article',
      { class: 'course-card' },
      h('img', {
        class: 'course-card__cover',
        src: coverSrc(course),
        alt: '',
        width: 640,
        height: 360,
        loading: 'lazy',
        decoding: 'async',
      }),
      h(heading, { class: 'course-card__title', lang }, h('a', { href: courseUrl(course.id), class: 'card__link' }, course.title)),
      course.featured ? h('p', { class: 'tag' }, tc('course.featured')) : null,
      summary ? h('p', { class: 'course-card__summary', lang }, summary) : null,
      h('p', { class: 'course-card__teacher' }, tc('course.teacher', { name: course.teacher?.name ?? '' })),
      h(
        'ul',
        { class: 'course-card__meta' },
        h('li', {}, h('span', { 'aria-hidden': 'true', class: 'star' }, '★ '), formatRating(course.rating)),
        h('li', {}, tc('course.learners', { count: course.enrollmentCount ?? 0 })),
        h('li', {}, languageName(course.language)),
        h('li', { class: 'course-card__price' }, formatPrice(course.price)),
      ),
    ),
  );
}
