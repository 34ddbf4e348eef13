// Message formatting shared by the build-time `t()` and the browser-side `tc()`.

/**
 * A message is a string with `{name}` placeholders, or a plural set chosen by the
 * `count` variable through Intl.PluralRules (ru uses one/few/many, kk and en one/other).
 */
export type PluralMessage = {
  zero?: string;
  one?: string;
  two?: string;
  few?: string;
  many?: string;
  other: string;
};
export type Message = string | PluralMessage;
export type Vars = Record<string, string | number>;

const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<string, Intl.PluralRules>();

function numberFormat(locale: string): Intl.NumberFormat {
  let nf = numberFormats.get(locale);
  if (!nf) {
    // 'min2' keeps years and small counts ungrouped (2015, 1500) and groups 12 000.
    nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, useGrouping: 'min2' });
    numberFormats.set(locale, nf);
  }
  return nf;
}

function pluralCategory(locale: string, count: number): Intl.LDMLPluralRule {
  let pr = pluralRules.get(locale);
  if (!pr) {
    pr = new Intl.PluralRules(locale);
    pluralRules.set(locale, pr);
  }
  return pr.select(count);
}

export function formatMessage(message: Message, locale: string, vars: Vars = {}): string {
  let text: string;
  if (typeof message === 'string') {
    text = message;
  } else {
    const count = typeof vars.count === 'number' ? vars.count : Number(vars.count ?? 0);
    text = message[pluralCategory(locale, count)] ?? message.other;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? numberFormat(locale).format(value) : value;
  });
}

// Dates are formatted here, not by Intl.DateTimeFormat: browsers' locale data differ (some
// print Kazakh dates as "2026 M12 5"), and the PDF renderer must say the same thing.
const MONTHS: Record<'ru' | 'kk' | 'en', string[]> = {
  ru: ['января', 'февраля', 'марта', 'апреля', 'мая', 'июня', 'июля', 'августа', 'сентября', 'октября', 'ноября', 'декабря'],
  kk: ['қаңтар', 'ақпан', 'наурыз', 'сәуір', 'мамыр', 'маусым', 'шілде', 'тамыз', 'қыркүйек', 'қазан', 'қараша', 'желтоқсан'],
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
};

/**
 * "5 декабря 2026 г.", "2026 жылғы 5 желтоқсан", "Dec 5, 2026" (with ", 14:05" / ", 2:05 PM"
 * when `withTime`), in the visitor's time zone. Unknown languages fall back to Russian.
 */
export function formatDateIn(lang: string, date: Date, withTime = false): string {
  const l = lang === 'kk' || lang === 'en' ? lang : 'ru';
  const d = date.getDate();
  const m = MONTHS[l][date.getMonth()]!;
  const y = date.getFullYear();
  const day = l === 'ru' ? `${d} ${m} ${y} г.` : l === 'kk' ? `${y} жылғы ${d} ${m}` : `${m} ${d}, ${y}`;
  if (!withTime) return day;
  const mm = String(date.getMinutes()).padStart(2, '0');
  if (l === 'en') {
    const h = date.getHours() % 12 || 12;
    return `${day}, ${h}:${mm} ${date.getHours() < 12 ? 'AM' : 'PM'}`;
  }
  return `${day}, ${String(date.getHours()).padStart(2, '0')}:${mm}`;
}

/** Total minutes as the course page says it: "45 min", "2 hours", "1 h 20 min" (messages from the dictionary). */
export function durationMessage(minutes: number): {
  key: 'course.durationMin' | 'course.durationHours' | 'course.durationHoursMin';
  vars: Vars;
} {
  const m = Math.max(0, Math.round(minutes));
  if (m < 60) return { key: 'course.durationMin', vars: { count: m } };
  if (m % 60 === 0) return { key: 'course.durationHours', vars: { count: m / 60 } };
  return { key: 'course.durationHoursMin', vars: { h: Math.floor(m / 60), m: m % 60 } };
}

/** Sum of the lessons' durations over the curriculum. */
export const totalMinutes = (modules: { lessons: { durationMin?: number }[] }[]): number =>
  modules.reduce((n, mod) => n + mod.lessons.reduce((s, l) => s + (l.durationMin ?? 0), 0), 0);
