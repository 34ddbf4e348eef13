// Browser-side translations. The page embeds the strings it needs as JSON
// (`<script type="application/json" id="sabaq-strings">`, written by Base.astro), so
// client bundles carry no dictionaries.
import type { Key } from '../i18n/en';
import { formatDateIn, formatMessage, type Message, type Vars } from '../i18n/format';
import { DEFAULT_LANG, LOCALES, isLang, localePath, type Lang } from '../i18n/langs';

let strings: Partial<Record<Key, Message>> | undefined;

function load(): Partial<Record<Key, Message>> {
  if (!strings) {
    const node = document.getElementById('sabaq-strings');
    try {
      strings = node?.textContent ? (JSON.parse(node.textContent) as Partial<Record<Key, Message>>) : {};
    } catch {
      strings = {};
    }
  }
  return strings;
}

/** The page language, from `<html lang>`. */
export function pageLang(): Lang {
  const lang = document.documentElement.lang;
  return isLang(lang) ? lang : DEFAULT_LANG;
}

export function locale(): string {
  return LOCALES[pageLang()];
}

/** Translate on the client. The key's namespace must be listed in the page's `clientStrings`. */
export function tc(key: Key, vars?: Vars): string {
  const message = load()[key];
  if (message === undefined) {
    console.warn(`[i18n] "${key}" is not embedded in this page; add its namespace to clientStrings`);
    return key;
  }
  return formatMessage(message, locale(), vars);
}

/** Like `tc` but returns undefined when the key is not embedded (for optional lookups). */
export function tcMaybe(key: string, vars?: Vars): string | undefined {
  const message = load()[key as Key];
  return message === undefined ? undefined : formatMessage(message, locale(), vars);
}

/** A path in the current page language: `href('/courses')` → `/kk/courses`. */
export function href(rest: string): string {
  return localePath(pageLang(), rest);
}

/** A date (and time) in the page language, by the project's formatter: the same in every browser. */
export function formatDate(iso: string | null | undefined, withTime = false): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return formatDateIn(pageLang(), date, withTime);
}
