// Runs on every page (bundled once by Header.astro): keeps the language links pointing
// at the current URL, remembers the chosen language, and shows the signed-in state.
import { LANG_STORAGE_KEY, isLang, splitLangPath } from '../i18n/langs';
import { api, takeResumed } from '../lib/api';
import { tc } from '../lib/i18n-client';
import { showNotice } from '../lib/notice';
import { href } from '../lib/i18n-client';
import { connectLive, onLive } from '../lib/live';
import { getMe } from '../lib/session';

function rememberLang(lang: string): void {
  try {
    localStorage.setItem(LANG_STORAGE_KEY, lang);
  } catch {
    // storage may be disabled; the cookie still works
  }
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  // biome-ignore lint/suspicious/noDocumentCookie: the Cookie Store API is missing in Firefox and Safari
  document.cookie = `${LANG_STORAGE_KEY}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax${secure}`;
}

function updateLangLinks(): void {
  for (const link of document.querySelectorAll<HTMLAnchorElement>('a[data-lang-link]')) {
    const lang = link.dataset.langLink;
    if (!isLang(lang)) continue;
    // The same page in another language, id shells and query strings included. Set now
    // and again on click, since pages may change the URL (filters) after loading.
    const target = () => `/${lang}${splitLangPath(location.pathname).rest}${location.search}${location.hash}`;
    link.href = target();
    link.addEventListener('click', () => {
      link.href = target();
      rememberLang(lang);
    });
  }
}

async function showSession(): Promise<void> {
  const user = await getMe().catch(() => null);
  if (!user) return;

  const account = document.querySelector<HTMLAnchorElement>('[data-account-link]');
  if (account) {
    account.href = href('/account');
    account.textContent = user.name || user.email;
    if (location.pathname === account.pathname) account.setAttribute('aria-current', 'page');
    else account.removeAttribute('aria-current');
  }
  for (const item of document.querySelectorAll<HTMLElement>('[data-roles]')) {
    item.hidden = !(item.dataset.roles ?? '').split(' ').includes(user.role);
  }

  startBell();
}

const POLL_MS = 60_000;

/**
 * The bell's unread count: read once, then kept current by the live socket. Every event
 * re-reads the count, and only the answer to the latest read is shown: a read that started
 * before a notification was committed can come back after that notification's push, and
 * must not set the badge back. The socket's "ready" re-reads too, so a push sent while the
 * socket was still connecting (or down) is caught up; while it is down the count is polled.
 */
function startBell(): void {
  const badge = document.querySelector<HTMLElement>('[data-unread-badge]');
  const number = badge?.querySelector<HTMLElement>('[data-unread-count]');
  if (!badge || !number) return;
  let count = 0;
  let latest = 0;
  let poll: number | undefined;
  const show = (n: number) => {
    count = Math.max(0, n);
    number.textContent = count > 99 ? '99+' : String(count);
    badge.hidden = !(count > 0);
  };
  const refresh = async () => {
    const mine = ++latest;
    try {
      const res = await api.get<{ count: number }>('/api/me/notifications/unread-count', { on401: 'throw', lang: false });
      if (mine === latest) show(res.count);
    } catch {
      // the badge is optional; errors were already reported by api.ts where useful
    }
  };
  void refresh();
  onLive((event) => {
    // Shown at once, then confirmed by a read that starts after the event arrived.
    if (event.type === 'notification') show(count + 1);
    void refresh();
  });
  connectLive({
    onStatus: (up) => {
      window.clearInterval(poll);
      if (!up) poll = window.setInterval(() => void refresh(), POLL_MS);
    },
  });
}

updateLangLinks();
void showSession();

// Back after logging in again (the session had expired): the click that led to the login may
// not have gone through.
if (takeResumed()) showNotice(tc('common.resumed'), 'info');
