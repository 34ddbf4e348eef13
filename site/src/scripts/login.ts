import { api } from '../lib/api';
import { afterLoginPath, nextParam } from '../lib/auth';
import { byId } from '../lib/dom';
import { enhanceForm } from '../lib/forms';
import { resetMe } from '../lib/session';
import type { Schemas } from '../lib/types';

type LoginResponse = Schemas['Session'];

const next = nextParam();
if (next) {
  byId('login-needed').hidden = false;
  // Keep the destination when the visitor chooses to register instead.
  const register = byId<HTMLAnchorElement>('login-register-link');
  register.search = `?next=${encodeURIComponent(next)}`;
}

enhanceForm(byId<HTMLFormElement>('login-form'), {
  // The browser session lives in the HttpOnly cookies the server sets; the tokens in the
  // body are for API clients and are deliberately not stored here.
  submit: ({ email = '', password = '' }) => api.post<LoginResponse>('/api/auth/login', { email, password }),
  onSuccess: ({ user }) => {
    resetMe(user);
    location.assign(afterLoginPath(user));
  },
});
