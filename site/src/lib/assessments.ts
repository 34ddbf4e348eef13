// Shapes of the assessments API (workers/assessments/routes.ts) and small helpers shared by
// the tests catalog, attempt, result, parent and studio pages.
// Needs the client string namespace `testKind` (and `tests` for questionCount/timeLimit).
import { LANGS, isLang, type Lang } from '../i18n/langs';
import { formatDate, href, pageLang, tc } from './i18n-client';
import type { Schemas } from './types';

export type Localized = Schemas['LocalizedText'];
export type PublishedTest = Schemas['PublishedTestItem'];
export type TestKind = PublishedTest['kind'];
export type TeacherTest = Schemas['TeacherTestItem'];
export type TakerQuestion = Schemas['TakerQuestion'];
export type Answer = Schemas['Answer'];
export type Attempt = Schemas['Attempt'];
export type ScaleResult = Schemas['ScaleResult'];
export type Result = Schemas['Result'];

export interface Picked {
  text: string;
  /** Set when the text is not in the page language (for a `lang` attribute). */
  lang: Lang | undefined;
}

/** A localized text in the page language, else the first language that has it. */
export function localText(texts: Localized | null | undefined, prefer?: Lang): Picked {
  const page = pageLang();
  for (const l of [page, prefer, ...LANGS]) {
    if (!isLang(l)) continue;
    const text = texts?.[l]?.trim();
    if (text) return { text, lang: l === page ? undefined : l };
  }
  return { text: '', lang: undefined };
}

export const kindName = (kind: TestKind) => tc(`testKind.${kind}`);

export const formatDateTime = (iso: string | null | undefined, withTime = true): string => formatDate(iso, withTime);

/** Whole minutes, rounded up, for time limits. */
export const minutesOf = (seconds: number) => Math.max(1, Math.ceil(seconds / 60));

export const attemptUrl = (id: string) => href(`/attempts/${encodeURIComponent(id)}`);
export const resultUrl = (id: string, notice?: 'timeup' | 'submitted') =>
  href(`/results/${encodeURIComponent(id)}`) + (notice ? `?notice=${notice}` : '');
