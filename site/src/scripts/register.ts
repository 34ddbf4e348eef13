import { api } from '../lib/api';
import { afterLoginPath, nextParam } from '../lib/auth';
import { byId } from '../lib/dom';
import { enhanceForm } from '../lib/forms';
import { href } from '../lib/i18n-client';
import { getMe, resetMe } from '../lib/session';
import type { Role } from '../lib/types';

const next = nextParam();
if (next) byId<HTMLAnchorElement>('register-login-link').search = `?next=${encodeURIComponent(next)}`;

enhanceForm(byId<HTMLFormElement>('register-form'), {
  submit: ({ name = '', email = '', password = '', language = '', role = '' }) => {
    // The versions of the texts this page linked to, recorded with the account.
    const box = byId<HTMLInputElement>('register-consent');
    const consent = box.checked ? { terms: box.dataset.terms ?? '', privacy: box.dataset.privacy ?? '' } : undefined;
    return api.post('/api/auth/register', { name, email, password, language, role: role as Role, consent });
  },
  onSuccess: async () => {
    // Registration normally signs the browser in; if it did not, log in next.
    resetMe();
    const user = await getMe().catch(() => null);
    const login = href(next ? `/login?next=${encodeURIComponent(next)}` : '/login');
    location.assign(user ? afterLoginPath(user) : login);
  },
});
