// Shapes of the assessments API (workers/assessments/routes.ts) and small helpers shared by
// the tests catalog, attempt, result, parent and studio pages.
// Needs the client string namespace `testKind` (and `tests` for questionCount/timeLimit).
import { LANGS, isLang, type Lang } from '../i18n/langs';
import { formatDate, href, pageLang, tc } from './i18n-client';

export type Localized = Partial<Record<Lang, string>>;
export type TestKind = 'quiz' | 'assessment';

export interface PublishedTest {
  id: string;
  kind: TestKind;
  courseId: string | null;
  title: string;
  titleLang: Lang;
  description: string | null;
  descriptionLang: Lang | null;
  version: number;
  questionCount: number;
  timeLimitSec: number | null;
  publishedAt: string;
}

export interface TeacherTest {
  id: string;
  kind: TestKind;
  courseId: string | null;
  title: Localized;
  status: 'draft' | 'published';
  version: number;
  publishedVersion: number | null;
  questionCount: number;
  createdAt: string;
  updatedAt: string;
  publishedAt: string | null;
}

export type TakerQuestion =
  | { key: string; type: 'likert'; text: Localized; min: number; max: number; labels?: Localized[] }
  | { key: string; type: 'single' | 'multiple'; text: Localized; options: { key: string; text: Localized }[] }
  | { key: string; type: 'text'; text: Localized; maxLength?: number };

export type Answer = { value: number } | { option: string } | { options: string[] } | { text: string };

export interface Attempt {
  id: string;
  testId: string;
  version: number;
  kind: TestKind;
  title: Localized;
  childId: string | null;
  status: 'open' | 'submitted';
  startedAt: string;
  deadlineAt: string | null;
  submittedAt: string | null;
  autoSubmitted: boolean;
  serverTime: string;
  timeLimitSec: number | null;
  questions: TakerQuestion[];
  answers: Record<string, Answer>;
  resultId: string | null;
}

export interface ScaleResult {
  key: string;
  title: Localized;
  score: number;
  min: number;
  max: number;
  bandIndex: number | null;
  band: { label: Localized; text: Localized } | null;
}

export interface Result {
  id: string;
  attemptId: string;
  testId: string;
  version: number;
  kind: TestKind;
  title: Localized;
  childId: string | null;
  scales: ScaleResult[];
  score?: number;
  correct?: number;
  total?: number;
  passed?: boolean;
  submittedAt: string;
  autoSubmitted: boolean;
  createdAt: string;
}

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
