// Where to go after login or registration.
import { isLang, localePath } from '../i18n/langs';
import { safeNextPath } from './api';
import { pageLang } from './i18n-client';
import type { Role, User } from './types';

const HOME_BY_ROLE: Record<Role, string> = {
  learner: '/learn',
  parent: '/parent',
  teacher: '/studio',
  admin: '/admin',
};

/** The `next` parameter of this page, if it is a safe same-origin path. */
export function nextParam(): string | null {
  return safeNextPath(new URLSearchParams(location.search).get('next'), '') || null;
}

/** `next` if given, else the user's own section in the user's interface language. */
export function afterLoginPath(user: Pick<User, 'role' | 'language'>): string {
  const lang = isLang(user.language) ? user.language : pageLang();
  return nextParam() ?? localePath(lang, HOME_BY_ROLE[user.role] ?? '/');
}
