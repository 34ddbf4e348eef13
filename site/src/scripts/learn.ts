// My learning: every enrolled course with its progress, the lesson to resume at, and
// completion. One API call (GET /api/me/learning).
import { courseCard } from '../lib/courses';
import { byId, h, nodes } from '../lib/dom-nodes';
import { href, tc } from '../lib/i18n-client';
import type { LearningItem } from '../lib/learning-types';
import { loadMeList } from '../lib/me-list';
import { formatDate, progressBar } from '../lib/progress';

function renderItem(item: LearningItem): Node {
  const card = courseCard(item.course, 'h2');
  const article = card.querySelector('article') ?? card;
  const actions = h('p', { class: 'learn-actions' });
  if (!item.available) {
    actions.append(h('span', { class: 'muted' }, tc('learn.unavailable')));
  } else if (item.nextLesson) {
    const label = item.progress.completed === 0 ? tc('learn.start') : tc('learn.continue', { title: item.nextLesson.title });
    actions.append(h('a', { class: 'button button--small', href: href(`/lessons/${encodeURIComponent(item.nextLesson.id)}`) }, label));
  }
  article.append(
    ...nodes(
      item.status === 'completed'
        ? h('p', { class: 'done-mark' }, `✓ ${tc('progress.completedOn', { date: formatDate(item.completedAt) })}`)
        : null,
      progressBar(item.progress),
      actions.childElementCount ? actions : null,
    ),
  );
  return card;
}

void loadMeList<LearningItem>({
  region: byId('me-list'),
  list: byId('me-list-items'),
  path: '/api/me/learning',
  renderItem,
});
