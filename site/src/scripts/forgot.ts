import { api } from '../lib/api';
import { byId } from '../lib/dom';
import { enhanceForm, showFormStatus } from '../lib/forms';
import { pageLang, tc } from '../lib/i18n-client';
import type { ApiRequest } from '../lib/types';

const form = byId<HTMLFormElement>('forgot-form');
enhanceForm(form, {
  // The answer is the same whether or not the account exists; so is the message.
  submit: ({ email = '' }) =>
    api.post('/api/auth/password/forgot', { email, language: pageLang() } satisfies ApiRequest<'/api/auth/password/forgot'>),
  onSuccess: () => showFormStatus(form, tc('forgot.sent')),
});
