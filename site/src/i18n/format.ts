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
