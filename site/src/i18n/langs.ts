// Language constants shared by pages (build time) and client scripts (browser).
// Keep this file free of dictionaries so client bundles stay small.

export const LANGS = ['ru', 'kk', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'ru';

/** Names of the languages in themselves, for the language switcher. */
export const ENDONYMS: Record<Lang, string> = { ru: 'Русский', kk: 'Қазақша', en: 'English' };

/** BCP 47 locale used for Intl formatting. */
export const LOCALES: Record<Lang, string> = { ru: 'ru-RU', kk: 'kk-KZ', en: 'en-GB' };

/** Saved language choice: localStorage key and cookie name (the Worker may read the cookie on `/`). */
export const LANG_STORAGE_KEY = 'sabaq_lang';

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

/**
 * Splits `/kk/courses/abc?x=1` into the language and the rest (`/courses/abc`).
 * The rest of the home page is `/`.
 */
export function splitLangPath(pathname: string): { lang: Lang | null; rest: string } {
  const match = /^\/([a-z]{2})(\/.*)?$/.exec(pathname);
  if (match && isLang(match[1])) return { lang: match[1], rest: match[2] || '/' };
  return { lang: null, rest: pathname || '/' };
}

/** `localePath('kk', '/courses')` → `/kk/courses`; `localePath('kk', '/')` → `/kk/`. */
export function localePath(lang: Lang, rest = '/'): string {
  const path = rest.startsWith('/') ? rest : `/${rest}`;
  return `/${lang}${path}`;
}
