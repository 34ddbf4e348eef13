// `/` → `/{lang}/`: the saved choice (localStorage, else the `sabaq_lang` cookie), else
// the browser's languages, else Russian. The Worker may do the same at the edge from
// the cookie and Accept-Language; this page is the fallback.
import { DEFAULT_LANG, LANG_STORAGE_KEY, LANGS, isLang, type Lang } from '../i18n/langs';

function saved(): Lang | null {
  try {
    const stored = localStorage.getItem(LANG_STORAGE_KEY);
    if (isLang(stored)) return stored;
  } catch {
    // storage disabled
  }
  const cookie = new RegExp(`(?:^|;\\s*)${LANG_STORAGE_KEY}=([a-z]+)`).exec(document.cookie)?.[1];
  return isLang(cookie) ? cookie : null;
}

function fromBrowser(): Lang | null {
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = (tag || '').toLowerCase().split('-')[0];
    if ((LANGS as readonly string[]).includes(base ?? '')) return base as Lang;
  }
  return null;
}

const lang = saved() ?? fromBrowser() ?? DEFAULT_LANG;
location.replace(`/${lang}/${location.search}${location.hash}`);
