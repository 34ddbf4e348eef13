// The signed-in user, fetched at most once per page and shared by the header and the page.
import { api, hasSession, isApiError, redirectToLogin } from './api';
import type { Role, User } from './types';

let me: Promise<User | null> | undefined;

/** The current user, or null when logged out. Anonymous visitors cost no API call. */
export function getMe(): Promise<User | null> {
  me ??= hasSession()
    ? api.get<{ user: User }>('/api/me', { on401: 'throw', lang: false }).then(
        (res) => res.user,
        (error: unknown) => {
          if (isApiError(error) && error.status === 401) return null;
          throw error;
        },
      )
    : Promise.resolve(null);
  return me;
}

/** Forget the cached user (after login, logout or a profile change). */
export function resetMe(user?: User | null): void {
  me = user === undefined ? undefined : Promise.resolve(user);
}

/**
 * For pages that need a login: resolves with the user, or sends the visitor to the
 * login page. With `roles`, resolves with null when the user lacks every one of them,
 * so the page can show its "not for you" state.
 */
export async function requireUser(roles?: readonly Role[]): Promise<User | null> {
  const user = await getMe();
  if (!user) return redirectToLogin();
  if (roles && !roles.includes(user.role)) return null;
  return user;
}
