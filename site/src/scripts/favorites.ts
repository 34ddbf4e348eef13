// Favorites: course cards with a remove button.
import { api, errorMessage } from '../lib/api';
import { courseCard } from '../lib/courses';
import { announce, byId, h, setState } from '../lib/dom';
import { tc } from '../lib/i18n-client';
import type { FavoriteItem } from '../lib/learning-types';
import { loadMeList } from '../lib/me-list';

const region = byId('me-list');
const list = byId('me-list-items');

function renderItem(item: FavoriteItem): Node {
  const card = courseCard(item.course, 'h2');
  const remove = h('button', { type: 'button', class: 'link-button' }, tc('favorites.remove'));
  remove.addEventListener('click', async () => {
    if (remove.getAttribute('aria-disabled') === 'true') return;
    remove.setAttribute('aria-disabled', 'true');
    try {
      await api.delete(`/api/me/favorites/${encodeURIComponent(item.course.id)}`);
      card.remove();
      announce(region, tc('favorites.removed'));
      if (!list.childElementCount) setState(region, 'empty');
      else list.querySelector<HTMLAnchorElement>('a')?.focus();
    } catch (error) {
      announce(region, errorMessage(error));
      remove.removeAttribute('aria-disabled');
    }
  });
  (card.querySelector('article') ?? card).append(h('p', { class: 'learn-actions' }, remove));
  return card;
}

void loadMeList<FavoriteItem>({ region, list, path: '/api/me/favorites', renderItem });
