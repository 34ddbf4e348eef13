// The course form (StudioCourseForm.astro): categories, reading values into the API's
// course document, filling it from an authored course, and mapping API errors back.
import type { Lang } from '../i18n/langs';
import { LANGS, isLang } from '../i18n/langs';
import { api } from '../lib/api';
import { h } from '../lib/dom';
import type { FieldErrors, FormValues } from '../lib/forms';
import { pageLang, tc } from '../lib/i18n-client';
import { outcomesFrom, outcomesProblem, outcomesText } from '../lib/outcomes';
import type { ApiRequest, Category, Page, Schemas } from '../lib/types';
import type { FieldMap, FieldMessages } from './studio-errors';
import { enhanceLangTabs } from './studio-tabs';

export type Texts = Partial<Record<Lang, string>>;

/** A course as GET /api/teacher/courses(/:id) returns it to its author. */
export type AuthoredCourse = Schemas['AuthoredCourse'] & { modules?: AuthoredModule[] };
export type AuthoredModule = Schemas['AuthoredCourseDetail']['modules'][number];
export type AuthoredLesson = AuthoredModule['lessons'][number];

/** The body of POST /api/courses (PATCH takes any part of it). */
export type CourseInput = ApiRequest<'/api/courses'>;
type Currency = NonNullable<CourseInput['price']>['currency'];
type Level = NonNullable<CourseInput['level']>;

/** The text to show for a localized value: the page language first, then the course's, then any. */
export function pickText(texts: Texts | null | undefined, courseLang?: Lang): { text: string; lang: Lang | undefined } {
  const order = [pageLang(), courseLang, ...LANGS].filter(isLang);
  for (const l of order) {
    const text = texts?.[l]?.trim();
    if (text) return { text, lang: l === pageLang() ? undefined : l };
  }
  return { text: '—', lang: undefined };
}

/** `{ "title.ru": "x", "title.kk": "" }` → `{ ru: "x" }` (empty languages left out). */
export function textsFrom(values: FormValues, field: string): Texts {
  const out: Texts = {};
  for (const l of LANGS) {
    const value = values[`${field}.${l}`]?.trim();
    if (value) out[l] = value;
  }
  return out;
}

export function parseTags(raw: string | undefined): string[] {
  return [
    ...new Set(
      (raw ?? '')
        .split(/[,;\n]/)
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ];
}

/** Major units as typed ("4990", "4 990,50") → minor units (tiyn), or NaN. */
export function toMinor(raw: string | undefined): number {
  const text = (raw ?? '').replace(/\s/g, '').replace(',', '.');
  if (!text) return 0;
  const n = Number(text);
  return Number.isFinite(n) ? Math.round(n * 100) : Number.NaN;
}

export function courseInput(values: FormValues): CourseInput {
  return {
    title: textsFrom(values, 'title'),
    description: textsFrom(values, 'description'),
    outcomes: outcomesFrom(values),
    language: (isLang(values.language) ? values.language : pageLang()) as Lang,
    level: (values.level || 'beginner') as Level,
    category: values.category || null,
    tags: parseTags(values.tags),
    price: { amount: toMinor(values.price), currency: (values.currency || 'KZT') as Currency },
  };
}

/** Client checks beyond the browser's: a title in some language, outcomes, tags, price. */
export function validateCourse(values: FormValues, form: HTMLFormElement): FieldErrors {
  const errors: FieldErrors = {};
  if (!Object.keys(textsFrom(values, 'title')).length) errors[titleControl(form)] = tc('studio.err.titleNeeded');
  const outcomes = outcomesProblem(values);
  if (outcomes) errors[`outcomes.${outcomes}`] = tc('studio.err.outcomes');
  const tags = parseTags(values.tags);
  if (tags.length > 20 || tags.some((t) => t.length > 40)) errors.tags = tc('studio.err.tags');
  const amount = toMinor(values.price);
  if (!Number.isInteger(amount) || amount < 0 || amount > 100_000_000) errors.price = tc('studio.err.price');
  return errors;
}

/** The title field errors without a language go to: the shown tab's title, else the page language's. */
export function titleControl(form: HTMLFormElement, field = 'title'): string {
  const shown = form.querySelector<HTMLElement>('[data-lang-panel]:not([hidden])')?.dataset.langPanel;
  return `${field}.${isLang(shown) ? shown : pageLang()}`;
}

export function courseFieldMap(form: HTMLFormElement): FieldMap {
  return (path) => {
    if (path === 'title') return titleControl(form);
    // `outcomes.3.en` → that language's textarea; `outcomes` or `outcomes.3` → the shown one.
    const outcome = /^outcomes(?:\.\d+)?(?:\.(ru|kk|en))?$/.exec(path);
    if (outcome) return outcome[1] ? `outcomes.${outcome[1]}` : titleControl(form, 'outcomes');
    if (path === 'description') return `description.${pageLang()}`;
    if (path.startsWith('price.currency')) return 'currency';
    if (path.startsWith('price')) return 'price';
    if (path.startsWith('tags')) return 'tags';
    if (path === 'category' || path === 'language' || path === 'level' || /^(title|description)\.(ru|kk|en)$/.test(path)) return path;
    return null;
  };
}

export const courseMessages: FieldMessages = {
  ...Object.fromEntries(LANGS.map((l) => [`outcomes.${l}`, () => tc('studio.err.outcomes')])),
  price: () => tc('studio.err.price'),
  tags: () => tc('studio.err.tags'),
  category: () => tc('studio.err.category'),
};

let categories: Promise<Category[]> | undefined;

export function loadCategories(): Promise<Category[]> {
  categories ??= api.get<Page<Category> | { items: Category[] }>('/api/categories').then(
    (r) => r.items,
    () => [],
  );
  return categories;
}

/** Tabs, categories and the initial values of a course form. */
export async function prepareCourseForm(form: HTMLFormElement): Promise<void> {
  const tabs = form.querySelector<HTMLElement>('[data-lang-tabs]');
  if (tabs) enhanceLangTabs(tabs, pageLang());
  const select = form.querySelector<HTMLSelectElement>('[data-category-select]');
  if (select && select.options.length <= 1) {
    for (const c of await loadCategories()) select.append(h('option', { value: c.slug }, c.title));
  }
}

function setValue(form: HTMLFormElement, name: string, value: string): void {
  const control = form.elements.namedItem(name);
  if (control instanceof HTMLInputElement || control instanceof HTMLSelectElement || control instanceof HTMLTextAreaElement)
    control.value = value;
}

export async function fillCourseForm(form: HTMLFormElement, course: AuthoredCourse): Promise<void> {
  for (const l of LANGS) {
    setValue(form, `title.${l}`, course.title?.[l] ?? '');
    setValue(form, `description.${l}`, course.description?.[l] ?? '');
    setValue(form, `outcomes.${l}`, outcomesText(course.outcomes, l));
  }
  setValue(form, 'language', course.language);
  setValue(form, 'level', course.level);
  const slug = (await loadCategories()).find((c) => c.id === course.categoryId)?.slug ?? '';
  setValue(form, 'category', slug);
  setValue(form, 'tags', course.tags.join(', '));
  setValue(form, 'price', course.price ? String(course.price.amount / 100) : '0');
  setValue(form, 'currency', course.price?.currency ?? 'KZT');
}
