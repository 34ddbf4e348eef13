// "What you will learn" in the studio's course form: one textarea per language, one point per
// line, and line N of every language is point N — so a point missing in one language keeps
// its place with an empty line. No DOM here (site/outcomes.test.ts runs it in Node).
import { LANGS, type Lang } from '../i18n/langs';

type Texts = Partial<Record<Lang, string>>;
type Values = Record<string, string | undefined>;

/** As many points as the API takes (workers/catalog/routes.ts), each at most this long. */
export const OUTCOMES_MAX = 12;
export const OUTCOME_CHARS_MAX = 300;

const linesOf = (values: Values, lang: Lang) => (values[`outcomes.${lang}`] ?? '').split('\n').map((line) => line.trim());

/** `outcomes.ru` / `outcomes.kk` / `outcomes.en` → the API's list; lines empty in every language are dropped. */
export function outcomesFrom(values: Values): Texts[] {
  const lines = LANGS.map((l) => [l, linesOf(values, l)] as const);
  const count = Math.max(0, ...lines.map(([, ls]) => ls.length));
  const out: Texts[] = [];
  for (let i = 0; i < count; i++) {
    const point: Texts = {};
    for (const [l, ls] of lines) if (ls[i]) point[l] = ls[i];
    if (Object.keys(point).length) out.push(point);
  }
  return out;
}

/** The textarea text of one language: its line of every point, trailing empty lines left out. */
export function outcomesText(outcomes: Texts[] | undefined, lang: Lang): string {
  return (outcomes ?? [])
    .map((o) => o[lang] ?? '')
    .join('\n')
    .replace(/\n+$/, '');
}

/** The language whose lines break a limit (a line too long; too many points: the one with most lines), or null. */
export function outcomesProblem(values: Values): Lang | null {
  const tooLong = LANGS.find((l) => linesOf(values, l).some((line) => line.length > OUTCOME_CHARS_MAX));
  if (tooLong) return tooLong;
  if (outcomesFrom(values).length <= OUTCOMES_MAX) return null;
  const filled = (l: Lang) => linesOf(values, l).filter(Boolean).length;
  return [...LANGS].sort((a, b) => filled(b) - filled(a))[0]!;
}
