// Notifications: newest first, unread ones marked; mark one or all read; new ones appear
// live (the header's socket), and "read" in another tab is reflected here too.
import { api, errorMessage, isApiError } from '../lib/api';
import { announce, byId, h, setState } from '../lib/dom';
import { href, tc, tcMaybe } from '../lib/i18n-client';
import type { NotificationItem } from '../lib/learning-types';
import { onLive } from '../lib/live';
import { formatDate } from '../lib/progress';
import { requireUser } from '../lib/session';
import type { Page } from '../lib/types';

const region = byId('me-list');
const list = byId('me-list-items');
const readAll = byId<HTMLButtonElement>('notifications-read-all');
const more = byId<HTMLButtonElement>('notifications-more');
let cursor: string | null = null;

function courseTitle(data: Record<string, unknown>): string {
  const title = data.courseTitle;
  if (typeof title === 'string') return title;
  if (title && typeof title === 'object') {
    const t = title as Record<string, string | undefined>;
    return t[document.documentElement.lang] || t.ru || t.kk || t.en || '';
  }
  return '';
}

/** The sentence for a notification, in the page language. */
function notificationText(n: NotificationItem): string {
  const vars = { course: courseTitle(n.data), rating: String(n.data.rating ?? '') };
  const kind = n.kind === 'report_ready' && n.data.reportKind === 'certificate' ? 'certificate_ready' : n.kind;
  return tcMaybe(`notifications.kind.${kind}`, vars) ?? tc('notifications.kind.other');
}

function target(n: NotificationItem): string | undefined {
  const { resultId, courseId, certificateCode, reportKind } = n.data;
  if (typeof resultId === 'string') return href(`/results/${encodeURIComponent(resultId)}`);
  // A finished course leads to its certificate: the verification page, or the list with the PDF.
  if (n.kind === 'course_completed' && typeof certificateCode === 'string')
    return href(`/certificates/${encodeURIComponent(certificateCode)}`);
  if (reportKind === 'certificate') return href('/certificates');
  return typeof courseId === 'string' ? href(`/courses/${encodeURIComponent(courseId)}`) : undefined;
}

function markItemRead(li: HTMLElement): void {
  li.classList.remove('notification--unread');
  li.querySelector('[data-new]')?.remove();
  li.querySelector('[data-mark-read]')?.remove();
}

function item(n: NotificationItem): HTMLLIElement {
  const url = target(n);
  const sentence = url ? h('a', { href: url }, notificationText(n)) : notificationText(n);
  const li = h(
    'li',
    { class: n.readAt ? 'notification' : 'notification notification--unread', 'data-id': n.id },
    h(
      'div',
      { class: 'item-list__main' },
      h(
        'p',
        { class: 'notification__text' },
        n.readAt ? null : h('span', { class: 'tag', 'data-new': '' }, tc('notifications.new')),
        n.readAt ? null : ' ',
        sentence,
      ),
      h('time', { datetime: n.createdAt, class: 'muted' }, formatDate(n.createdAt, true)),
    ),
  );
  if (!n.readAt) {
    const mark = h('button', { type: 'button', class: 'link-button', 'data-mark-read': '' }, tc('notifications.markRead'));
    mark.addEventListener('click', async () => {
      try {
        await api.put(`/api/me/notifications/${encodeURIComponent(n.id)}/read`);
        markItemRead(li);
        li.querySelector('a')?.focus();
      } catch (error) {
        if (!(isApiError(error) && error.notified)) announce(region, errorMessage(error));
      }
    });
    li.append(mark);
  }
  return li;
}

function syncReadAll(): void {
  readAll.hidden = !list.querySelector('.notification--unread');
}

/** Newest first by (createdAt, id), as the API orders them. */
function isNewer(a: NotificationItem, li: HTMLElement): boolean {
  const at = li.querySelector('time')?.getAttribute('datetime') ?? '';
  return a.createdAt > at || (a.createdAt === at && a.id > (li.dataset.id ?? ''));
}

/**
 * Puts fetched items into the list without dropping what is already there: a live
 * notification may have arrived while this page of the list was being read. Items already
 * shown only take the read mark (from another tab).
 */
function merge(items: NotificationItem[]): void {
  for (const n of items) {
    const shown = list.querySelector<HTMLElement>(`[data-id="${CSS.escape(n.id)}"]`);
    if (shown) {
      if (n.readAt) markItemRead(shown);
      continue;
    }
    const after = [...list.children].find((li) => isNewer(n, li as HTMLElement));
    list.insertBefore(item(n), after ?? null);
  }
}

async function firstPage(): Promise<Page<NotificationItem>> {
  return api.get<Page<NotificationItem>>('/api/me/notifications', { query: { limit: 20 }, lang: false });
}

async function load(next = false): Promise<void> {
  const page = next
    ? await api.get<Page<NotificationItem>>('/api/me/notifications', { query: { limit: 20, cursor }, lang: false })
    : await firstPage();
  cursor = page.nextCursor;
  if (next) list.append(...page.items.map(item));
  else merge(page.items);
  more.hidden = !cursor;
  setState(region, list.childElementCount ? 'ready' : 'empty');
  syncReadAll();
}

/** Once the socket is (re)connected: what arrived while it was connecting or down. */
async function catchUp(): Promise<void> {
  merge((await firstPage()).items);
  if (list.childElementCount) setState(region, 'ready');
  syncReadAll();
}

readAll.addEventListener('click', async () => {
  try {
    await api.post('/api/me/notifications/read-all');
    for (const li of list.querySelectorAll<HTMLElement>('.notification--unread')) markItemRead(li);
    syncReadAll();
    announce(region, tc('notifications.allRead'));
  } catch (error) {
    if (!(isApiError(error) && error.notified)) announce(region, errorMessage(error));
  }
});
more.addEventListener('click', () => void load(true).catch((error: unknown) => announce(region, errorMessage(error))));

onLive((event) => {
  if (event.type === 'notification') {
    if (list.querySelector(`[data-id="${CSS.escape(event.notification.id)}"]`)) return;
    list.prepend(item(event.notification));
    setState(region, 'ready');
    syncReadAll();
    announce(region, tc('notifications.arrived', { text: notificationText(event.notification) }));
  } else if (event.type === 'read') {
    const all = event.ids === 'all';
    for (const li of list.querySelectorAll<HTMLElement>('.notification--unread')) {
      if (all || event.ids.includes(li.dataset.id ?? '')) markItemRead(li);
    }
    syncReadAll();
  } else if (event.type === 'ready') {
    // Merged, so it is harmless when the first load is still on its way.
    void catchUp().catch(() => undefined);
  }
});

void (async () => {
  setState(region, 'loading');
  try {
    if (!(await requireUser())) return;
    await load();
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
})();
