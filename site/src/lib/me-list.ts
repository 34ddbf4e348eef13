// Pages that list the signed-in user's things (my learning, favorites, notifications,
// studio): require a login (and optionally a role), load one list, show it or the empty state.
import { api, errorMessage } from './api';
import { setState } from './dom';
import { requireUser } from './session';
import type { Page, Role, User } from './types';

export interface MeListOptions<T> {
  /** Status.astro region with data-state="ready" (holding `list`), "empty" and "forbidden". */
  region: HTMLElement;
  list: HTMLElement;
  path: string;
  roles?: readonly Role[];
  /** Runs after the login check, before loading; return false to stop (e.g. a pending teacher). */
  beforeLoad?: (user: User) => boolean;
  renderItem: (item: T) => Node;
}

export async function loadMeList<T>({ region, list, path, roles, beforeLoad, renderItem }: MeListOptions<T>): Promise<void> {
  setState(region, 'loading');
  try {
    const user = await requireUser(roles);
    if (!user) return setState(region, 'forbidden');
    if (beforeLoad && !beforeLoad(user)) return;
    const { items } = await api.get<Page<T>>(path, { query: { limit: 50 } });
    list.replaceChildren(...items.map(renderItem));
    setState(region, items.length ? 'ready' : 'empty');
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
}
