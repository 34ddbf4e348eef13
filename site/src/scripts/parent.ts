import { api, errorMessage } from '../lib/api';
import { announce, byId, h, setState } from '../lib/dom';
import { clearFormErrors, enhanceForm, showFormStatus, type FormValues } from '../lib/forms';
import { tc } from '../lib/i18n-client';
import { requireUser } from '../lib/session';
import type { Child, Page } from '../lib/types';
import { childResults } from './parent-results';

const page = byId('parent');
const region = byId('children');
const list = byId<HTMLUListElement>('children-list');
const dialog = byId<HTMLDialogElement>('child-dialog');
const editForm = byId<HTMLFormElement>('child-edit-form');

let children: Child[] = [];
let editing: Child | null = null;

function payload(values: FormValues): Omit<Child, 'id' | 'createdAt'> {
  return { name: values.name ?? '', birthYear: Number(values.birthYear), language: values.language as Child['language'] };
}

function renderList(): void {
  list.replaceChildren(
    ...children.map((child) => {
      const edit = h(
        'button',
        { type: 'button', class: 'button button--secondary button--small' },
        tc('common.edit'),
        h('span', { class: 'visually-hidden' }, `: ${child.name}`),
      );
      const remove = h(
        'button',
        { type: 'button', class: 'button button--danger button--small' },
        tc('common.delete'),
        h('span', { class: 'visually-hidden' }, `: ${child.name}`),
      );
      edit.addEventListener('click', () => openEditor(child));
      remove.addEventListener('click', () => void removeChild(child));
      return h(
        'li',
        { 'data-child-id': child.id },
        h(
          'div',
          { class: 'item-list__main' },
          h('p', {}, h('strong', {}, child.name)),
          h('p', { class: 'muted' }, `${tc('parent.born', { year: String(child.birthYear) })} · ${tc(`langName.${child.language}`)}`),
        ),
        h('div', { class: 'actions' }, edit, remove),
        childResults(child),
      );
    }),
  );
  setState(region, children.length ? 'ready' : 'empty');
}

async function loadChildren(): Promise<void> {
  setState(region, 'loading');
  try {
    const { items } = await api.get<Page<Child>>('/api/me/children', { query: { limit: 100 }, lang: false });
    children = items;
    renderList();
  } catch (error) {
    setState(region, 'error', errorMessage(error));
  }
}

function openEditor(child: Child): void {
  editing = child;
  clearFormErrors(editForm);
  byId<HTMLInputElement>('edit-child-name').value = child.name;
  byId<HTMLInputElement>('edit-child-birth-year').value = String(child.birthYear);
  byId<HTMLSelectElement>('edit-child-language').value = child.language;
  dialog.showModal();
}

async function removeChild(child: Child): Promise<void> {
  if (!window.confirm(tc('parent.confirmDelete', { name: child.name }))) return;
  try {
    await api.delete(`/api/me/children/${encodeURIComponent(child.id)}`);
    children = children.filter((c) => c.id !== child.id);
    renderList();
    // The focused button is gone: continue from the list heading.
    byId('children-title').focus();
    announce(region, tc('parent.deleted'));
  } catch (error) {
    announce(region, errorMessage(error));
  }
}

async function main(): Promise<void> {
  setState(page, 'loading');
  let user: Awaited<ReturnType<typeof requireUser>>;
  try {
    user = await requireUser(['parent']);
  } catch (error) {
    return setState(page, 'error', errorMessage(error));
  }
  if (!user) return setState(page, 'forbidden');
  setState(page, 'ready');

  const thisYear = String(new Date().getFullYear());
  for (const input of document.querySelectorAll<HTMLInputElement>('input[data-year]')) input.max = thisYear;

  const addForm = byId<HTMLFormElement>('child-add-form');
  enhanceForm(addForm, {
    submit: (values) => {
      // The parent's consent, with the version of the text the page linked to.
      const box = byId<HTMLInputElement>('child-consent');
      return api.post<Child>('/api/me/children', {
        ...payload(values),
        consent: box.checked ? { version: box.dataset.version ?? '' } : undefined,
      });
    },
    onSuccess: (child) => {
      children = [...children, child];
      renderList();
      addForm.reset();
      showFormStatus(addForm, tc('parent.added'));
    },
  });

  enhanceForm(editForm, {
    submit: (values) => api.patch<Child>(`/api/me/children/${encodeURIComponent(editing?.id ?? '')}`, payload(values)),
    onSuccess: (updated) => {
      children = children.map((c) => (c.id === updated.id ? updated : c));
      renderList();
      dialog.close();
      // The list was redrawn: return focus to this child's edit button.
      list.querySelector<HTMLElement>(`[data-child-id="${CSS.escape(updated.id)}"] button`)?.focus();
      announce(region, tc('parent.updated'));
    },
  });
  dialog.querySelector('[data-dialog-close]')?.addEventListener('click', () => dialog.close());

  await loadChildren();
}

void main();
