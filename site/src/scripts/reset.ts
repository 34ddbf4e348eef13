import { api } from '../lib/api';
import { byId } from '../lib/dom';
import { enhanceForm } from '../lib/forms';
import { resetMe } from '../lib/session';
import type { ApiRequest } from '../lib/types';

const token = new URLSearchParams(location.search).get('token') ?? '';
const form = byId<HTMLFormElement>('reset-form');
if (!token) {
  form.hidden = true;
  byId('reset-no-token').hidden = false;
  byId('reset-again').hidden = true;
} else {
  enhanceForm(form, {
    submit: ({ newPassword = '' }) =>
      api.post('/api/auth/password/reset', { token, newPassword } satisfies ApiRequest<'/api/auth/password/reset'>),
    onSuccess: () => {
      // Every session was revoked, this browser's included.
      resetMe(null);
      form.hidden = true;
      byId('reset-again').hidden = true;
      byId('reset-done').hidden = false;
      byId('reset-login-link').focus();
    },
  });
}
