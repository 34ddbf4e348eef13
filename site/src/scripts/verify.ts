import { api, errorMessage } from '../lib/api';
import { byId } from '../lib/dom';
import { tc } from '../lib/i18n-client';
import { resetMe } from '../lib/session';
import type { ApiRequest } from '../lib/types';

const status = byId('verify-status');
const token = new URLSearchParams(location.search).get('token') ?? '';

async function main(): Promise<void> {
  if (!token) {
    status.textContent = tc('reset.noToken');
    status.classList.add('state--error');
    return;
  }
  try {
    await api.post('/api/auth/email/verify', { token } satisfies ApiRequest<'/api/auth/email/verify'>);
    // The cached "me" still says unverified.
    resetMe();
    status.textContent = tc('verify.done');
    status.dataset.result = 'ok';
  } catch (error) {
    status.textContent = errorMessage(error);
    status.classList.add('state--error');
    status.dataset.result = 'error';
  }
}

void main();
