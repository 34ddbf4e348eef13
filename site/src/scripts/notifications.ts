// Notifications. Capability 10 adds mark-as-read, "read all" and live updates.
import { byId, h } from '../lib/dom';
import { locale } from '../lib/i18n-client';
import { loadMeList } from '../lib/me-list';

/** Provisional shape until capability 10 fixes it. */
interface NotificationItem {
  id: string;
  title?: string;
  text?: string;
  createdAt?: string;
  readAt?: string | null;
}

function when(iso: string | undefined): Node | null {
  if (!iso) return null;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  const label = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
  return h('time', { datetime: iso, class: 'muted' }, label);
}

void loadMeList<NotificationItem>({
  region: byId('me-list'),
  list: byId('me-list-items'),
  path: '/api/me/notifications',
  renderItem: (n) =>
    h(
      'li',
      {},
      h(
        'div',
        { class: 'item-list__main' },
        h('p', {}, n.readAt ? n.title ?? '' : h('strong', {}, n.title ?? '')),
        n.text ? h('p', {}, n.text) : null,
        when(n.createdAt),
      ),
    ),
});
