// Build-time i18n: used in `.astro` frontmatter. Client scripts must NOT import this
// module (it carries all three dictionaries); they use `lib/i18n-client.ts` instead.
import { en, type Dictionary, type Key } from './en';
import { formatMessage, type Message, type Vars } from './format';
import { kk } from './kk';
import { LANGS, LOCALES, isLang, type Lang } from './langs';
import { ru } from './ru';

export * from './langs';
export type { Key, Dictionary, Message, Vars };

const dictionaries: Record<Lang, Dictionary> = { ru, kk, en };

/** Translate a key for a language, filling `{name}` placeholders (and choosing plurals by `count`). */
export function t(lang: Lang, key: Key, vars?: Vars): string {
  return formatMessage(dictionaries[lang][key], LOCALES[lang], vars);
}

/** `getStaticPaths` for every page under `src/pages/[lang]/`: one page per language. */
export function langStaticPaths() {
  return LANGS.map((lang) => ({ params: { lang }, props: { lang } }));
}

/**
 * `getStaticPaths` for id shells (`src/pages/[lang]/courses/[id]/index.astro`): one page
 * per language at `/{lang}/courses/_/index.html`; the Worker rewrites every real id to it.
 * (A literal `_` folder would not work: Astro skips files and folders starting with `_`.)
 */
export const SHELL_ID = '_';
export function shellStaticPaths() {
  return LANGS.map((lang) => ({ params: { lang, id: SHELL_ID }, props: { lang } }));
}

/** The language of a page under `[lang]/`, from `Astro.params`. */
export function pageLang(params: Record<string, string | undefined>): Lang {
  const lang = params.lang;
  if (!isLang(lang)) throw new Error(`Unknown language in route: ${String(lang)}`);
  return lang;
}

/**
 * The subset of a dictionary a page ships to the browser: every key in the given
 * namespaces (`'catalog'` → all `catalog.*` keys). Serialized into the page by Base.astro.
 */
export function clientDictionary(lang: Lang, namespaces: readonly string[]): Partial<Dictionary> {
  const prefixes = namespaces.map((ns) => `${ns}.`);
  const out: Partial<Record<Key, Message>> = {};
  for (const [key, message] of Object.entries(dictionaries[lang]) as [Key, Message][]) {
    if (prefixes.some((p) => key.startsWith(p))) out[key] = message;
  }
  return out;
}
