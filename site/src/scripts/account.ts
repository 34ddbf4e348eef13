import { api, errorMessage, request } from '../lib/api';
import { byId, setState } from '../lib/dom';
import { enhanceForm, showFormStatus } from '../lib/forms';
import { href, pageLang, tc } from '../lib/i18n-client';
import { requireUser, resetMe } from '../lib/session';
import type { ApiResponse, User } from '../lib/types';
import { imageProblem, uploadImage } from '../lib/upload';

const region = byId('account');

function showProfile(user: User): void {
  byId('account-name').textContent = user.name;
  byId('account-email').textContent = user.email;
  byId('account-role').textContent = tc(`role.${user.role}`);
  byId('account-language').textContent = tc(`langName.${user.language}`);
  byId('account-email-status').textContent = tc(user.emailVerified === false ? 'account.unverifiedShort' : 'account.verified');
  byId('account-verify').hidden = user.emailVerified !== false;
  const avatar = byId<HTMLImageElement>('account-avatar');
  avatar.hidden = !user.avatarUrl;
  if (user.avatarUrl) avatar.src = user.avatarUrl;
  byId<HTMLAnchorElement>('account-profile-link').href = href(`/teachers/${encodeURIComponent(user.id)}`);
  const isTeacher = user.role === 'teacher';
  for (const node of region.querySelectorAll<HTMLElement>('[data-teacher-only]')) node.hidden = !isTeacher;
  if (isTeacher && user.teacherStatus !== 'none') byId('account-teacher-status').textContent = tc(`teacherStatus.${user.teacherStatus}`);
  for (const item of region.querySelectorAll<HTMLElement>('[data-roles]')) {
    item.hidden = !(item.dataset.roles ?? '').split(' ').includes(user.role);
  }
}

async function main(): Promise<void> {
  setState(region, 'loading');
  let user: User | null;
  try {
    user = await requireUser();
  } catch (error) {
    return setState(region, 'error', errorMessage(error));
  }
  if (!user) return;
  showProfile(user);

  const form = byId<HTMLFormElement>('account-form');
  byId<HTMLInputElement>('account-edit-name').value = user.name;
  byId<HTMLSelectElement>('account-edit-language').value = user.language;
  enhanceForm(form, {
    submit: ({ name = '', language = '' }) => api.patch<ApiResponse<'/api/me', 'patch'>>('/api/me', { name, language }),
    onSuccess: ({ user: updated }) => {
      resetMe(updated);
      showProfile(updated);
      showFormStatus(form, tc('common.saved'));
    },
  });

  const avatarForm = byId<HTMLFormElement>('avatar-form');
  const avatarInput = byId<HTMLInputElement>('avatar-file');
  enhanceForm(avatarForm, {
    validate: () => {
      const file = avatarInput.files?.[0];
      const problem = file ? imageProblem(file) : null;
      return problem ? { avatar: tc(problem) } : undefined;
    },
    submit: () => uploadImage(avatarInput.files![0]!, { purpose: 'avatar' }),
    onSuccess: async (image) => {
      avatarForm.reset();
      const fresh: User = { ...user, avatarUrl: image.url };
      resetMe(fresh);
      showProfile(fresh);
      showFormStatus(avatarForm, tc('account.avatarSaved'));
    },
  });

  const bioForm = byId<HTMLFormElement>('bio-form');
  for (const l of ['ru', 'kk', 'en'] as const) byId<HTMLTextAreaElement>(`bio-${l}`).value = user.bio?.[l] ?? '';
  enhanceForm(bioForm, {
    submit: ({ ru = '', kk = '', en = '' }) => api.patch<ApiResponse<'/api/me', 'patch'>>('/api/me', { bio: { ru, kk, en } }),
    onSuccess: ({ user: updated }) => {
      resetMe(updated);
      showFormStatus(bioForm, tc('common.saved'));
    },
  });

  const resend = byId<HTMLFormElement>('verify-resend-form');
  enhanceForm(resend, {
    submit: () => api.post<ApiResponse<'/api/me/email/verify', 'post'>>('/api/me/email/verify', { language: pageLang() }),
    onSuccess: ({ sent }) => showFormStatus(resend, tc(sent ? 'account.resent' : 'account.alreadyVerified')),
  });

  const password = byId<HTMLFormElement>('password-form');
  enhanceForm(password, {
    // The server revokes every other session and sets this browser's new cookies.
    submit: ({ currentPassword = '', newPassword = '' }) => api.post('/api/me/password', { currentPassword, newPassword }),
    onSuccess: () => {
      password.reset();
      showFormStatus(password, tc('account.passwordChanged'));
    },
  });

  enhanceForm(byId<HTMLFormElement>('delete-form'), {
    submit: ({ password: current = '' }) => request('/api/me', { method: 'DELETE', body: { password: current } }),
    onSuccess: () => {
      resetMe(null);
      location.assign(href('/'));
    },
  });

  enhanceForm(byId<HTMLFormElement>('logout-form'), {
    submit: () => api.post('/api/auth/logout'),
    onSuccess: () => {
      resetMe(null);
      location.assign(href('/'));
    },
  });

  setState(region, 'ready');
}

void main();
