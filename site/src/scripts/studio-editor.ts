// The course editor (`/{lang}/studio?course=<id>`): publish state, modules and lessons
// (add, rename, delete, reorder with up/down buttons — one PUT with the full id list per
// move, announced in a live region), the lesson editor dialog and the course details form.
import { setupCover } from './studio-cover';
import { ENDONYMS, LANGS, isLang, type Lang } from '../i18n/langs';
import { api, errorMessage, isApiError } from '../lib/api';
import { courseUrl } from '../lib/courses';
import { byId, h } from '../lib/dom';
import { clearFormErrors, enhanceForm, showFormStatus, type FieldErrors, type FormValues } from '../lib/forms';
import { href, pageLang, tc } from '../lib/i18n-client';
import {
  courseFieldMap,
  courseInput,
  courseMessages,
  fillCourseForm,
  pickText,
  prepareCourseForm,
  textsFrom,
  validateCourse,
  type AuthoredCourse,
  type AuthoredLesson,
  type AuthoredModule,
  type Texts,
} from './studio-course';
import type { Schemas } from '../lib/types';
import { withFieldErrors, type FieldMap } from './studio-errors';
import { enhanceLangTabs, type LangTabs } from './studio-tabs';

/** GET /api/lessons/:id as the course's author sees it. */
type LessonForAuthor = Schemas['Lesson'];
/** POST /api/modules/:id/lessons and PATCH /api/lessons/:id. */
type LessonSaved = Schemas['AuthoredLesson'];

let course: AuthoredCourse & { modules: AuthoredModule[] };
const list = byId<HTMLOListElement>('module-list');
const live = byId('studio-live');
const publishButton = byId<HTMLButtonElement>('editor-publish');
const publishError = byId('editor-publish-error');

const enc = encodeURIComponent;

/** Polite announcement for screen readers (a fresh text after a tick is read again). */
function say(message: string): void {
  live.textContent = '';
  window.setTimeout(() => {
    live.textContent = message;
  }, 50);
}

function courseLang(): Lang {
  return isLang(course.language) ? course.language : pageLang();
}

// ---- rendering -----------------------------------------------------------------------

function renderHead(): void {
  const title = pickText(course.title, courseLang());
  const heading = byId('editor-title');
  heading.textContent = title.text;
  if (title.lang) heading.setAttribute('lang', title.lang);
  else heading.removeAttribute('lang');
  document.title = `${title.text} — ${tc('studio.title')} — Sabaq`;

  const state = byId('editor-state');
  state.textContent = tc(course.published ? 'studio.published' : 'studio.draft');
  state.toggleAttribute('data-published', course.published);
  publishButton.textContent = tc(course.published ? 'studio.unpublish' : 'studio.publish');
  publishButton.className = course.published ? 'button button--secondary' : 'button';
  const view = byId<HTMLAnchorElement>('editor-view');
  view.hidden = !course.published;
  view.href = courseUrl(course.id);

  const input = byId<HTMLInputElement>('module-add-title');
  input.lang = courseLang();
  const label = document.querySelector<HTMLLabelElement>('label[for="module-add-title"]');
  if (label) label.textContent = tc('studio.moduleTitleIn', { lang: ENDONYMS[courseLang()] });
}

function button(
  label: string,
  context: string,
  key: string,
  onClick: () => void,
  opts: { icon?: string; disabled?: boolean; danger?: boolean } = {},
): HTMLButtonElement {
  const node = h(
    'button',
    {
      type: 'button',
      class: `button button--small ${opts.danger ? 'button--danger' : 'button--secondary'}`,
      'data-focus': key,
      disabled: opts.disabled,
    },
    opts.icon ? h('span', { 'aria-hidden': 'true' }, `${opts.icon} `) : null,
    label,
    h('span', { class: 'visually-hidden' }, `: ${context}`),
  );
  node.addEventListener('click', onClick);
  return node;
}

function moduleItem(m: AuthoredModule, index: number, count: number): HTMLLIElement {
  const title = pickText(m.title, courseLang());
  const context = tc('studio.aboutModule', { title: title.text });
  const heading = h(
    'h3',
    { class: 'studio-row__title', id: `module-${m.id}-title`, tabindex: -1, 'data-focus': `module:${m.id}:title` },
    h('span', { class: 'studio-pos' }, `${index + 1}. `),
    h('span', { lang: title.lang }, title.text),
  );
  const actions = h(
    'div',
    { class: 'studio-row__actions' },
    button(tc('studio.up'), context, `module:${m.id}:up`, () => moveModule(m.id, -1), { icon: '↑', disabled: index === 0 }),
    button(tc('studio.down'), context, `module:${m.id}:down`, () => moveModule(m.id, 1), { icon: '↓', disabled: index === count - 1 }),
    button(tc('studio.rename'), context, `module:${m.id}:rename`, () => openModuleDialog(m)),
    button(tc('common.delete'), context, `module:${m.id}:delete`, () => void deleteModule(m), { danger: true }),
  );
  return h(
    'li',
    { class: 'studio-module', 'data-module-id': m.id },
    h('div', { class: 'studio-row' }, heading, actions),
    m.lessons.length
      ? h('ol', { class: 'studio-lessons', 'aria-labelledby': heading.id }, ...m.lessons.map((l, i) => lessonItem(m, l, index, i)))
      : h('p', { class: 'muted' }, tc('studio.noLessons')),
    addLessonForm(m, context),
  );
}

function lessonItem(m: AuthoredModule, l: AuthoredLesson, moduleIndex: number, index: number): HTMLLIElement {
  const title = pickText(l.title, courseLang());
  const context = tc('studio.aboutLesson', { title: title.text });
  const count = m.lessons.length;
  return h(
    'li',
    { 'data-lesson-id': l.id },
    h(
      'div',
      { class: 'studio-row' },
      h(
        'p',
        { class: 'studio-row__title', tabindex: -1, 'data-focus': `lesson:${l.id}:title` },
        h('span', { class: 'studio-pos' }, `${moduleIndex + 1}.${index + 1} `),
        h('span', { lang: title.lang }, title.text),
        l.preview ? ' ' : null,
        l.preview ? h('span', { class: 'studio-badge studio-badge--preview' }, tc('studio.previewBadge')) : null,
      ),
      h(
        'div',
        { class: 'studio-row__actions' },
        button(tc('studio.up'), context, `lesson:${l.id}:up`, () => moveLesson(m, l.id, -1), { icon: '↑', disabled: index === 0 }),
        button(tc('studio.down'), context, `lesson:${l.id}:down`, () => moveLesson(m, l.id, 1), {
          icon: '↓',
          disabled: index === count - 1,
        }),
        button(tc('common.edit'), context, `lesson:${l.id}:edit`, () => void openLessonDialog(m, l)),
        button(tc('common.delete'), context, `lesson:${l.id}:delete`, () => void deleteLesson(m, l), { danger: true }),
      ),
    ),
  );
}

function addLessonForm(m: AuthoredModule, moduleContext: string): HTMLFormElement {
  const id = `lesson-add-${m.id}`;
  const input = h('input', {
    id,
    name: 'title',
    type: 'text',
    required: true,
    maxlength: 200,
    autocomplete: 'off',
    lang: courseLang(),
    'data-focus': `addlesson:${m.id}`,
  });
  const form = h(
    'form',
    { class: 'form studio-inline', method: 'post', 'data-add-lesson': m.id },
    h('div', { class: 'form-error', 'data-form-error': '', tabindex: -1, hidden: true }),
    h('p', { class: 'form-status', 'data-form-status': '', role: 'status' }),
    h(
      'div',
      { class: 'field' },
      h('label', { for: id }, tc('studio.lessonTitleIn', { lang: ENDONYMS[courseLang()] })),
      h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
      input,
    ),
    h(
      'button',
      { type: 'submit', class: 'button button--secondary button--small', 'data-needs-js': '', disabled: true },
      tc('studio.addLesson'),
      h('span', { class: 'visually-hidden' }, `: ${moduleContext}`),
    ),
  );
  enhanceForm(form, {
    submit: ({ title = '' }) =>
      withFieldErrors(
        () => api.post<LessonSaved>(`/api/modules/${enc(m.id)}/lessons`, { title: { [courseLang()]: title } }),
        (path) => (path.startsWith('title') ? 'title' : null),
      ),
    onSuccess: (lesson) => {
      m.lessons.push({
        id: lesson.id,
        title: lesson.title,
        preview: lesson.preview,
        position: lesson.position,
        durationMin: lesson.durationMin,
      });
      renderCurriculum(`addlesson:${m.id}`);
      say(tc('studio.lessonAdded', { title: pickText(lesson.title, courseLang()).text }));
    },
  });
  return form;
}

function focusKey(key: string): void {
  const find = (k: string) => document.querySelector<HTMLElement>(`[data-focus="${CSS.escape(k)}"]`);
  let node = find(key);
  // A move to the first or last place disables the button just used: take its twin.
  if (node instanceof HTMLButtonElement && node.disabled)
    node = find(key.replace(/:(up|down)$/, (_, d: string) => (d === 'up' ? ':down' : ':up')));
  node?.focus();
}

function renderCurriculum(focus?: string): void {
  byId('curriculum-empty').hidden = course.modules.length > 0;
  list.replaceChildren(...course.modules.map((m, i) => moduleItem(m, i, course.modules.length)));
  if (focus) focusKey(focus);
}

// ---- server sync ---------------------------------------------------------------------

async function load(id: string): Promise<void> {
  const data = await api.get<AuthoredCourse>(`/api/teacher/courses/${enc(id)}`, { lang: false });
  course = { ...data, modules: data.modules ?? [] };
}

/** After a failed change: show the server's state again. */
async function resync(): Promise<void> {
  try {
    await load(course.id);
    renderHead();
    renderCurriculum();
    byId('curriculum-title').focus();
  } catch (error) {
    say(errorMessage(error));
  }
}

// Reorders go out one at a time, in the order they were made.
let reorders: Promise<void> = Promise.resolve();

function sendOrder(path: string, ids: string[]): void {
  reorders = reorders
    .then(() => api.put(path, { ids }))
    .then(
      () => undefined,
      async (error: unknown) => {
        say(errorMessage(error));
        await resync();
      },
    );
}

function moveModule(id: string, delta: -1 | 1): void {
  const mods = course.modules;
  const from = mods.findIndex((m) => m.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= mods.length) return;
  [mods[from], mods[to]] = [mods[to]!, mods[from]!];
  renderCurriculum(`module:${id}:${delta < 0 ? 'up' : 'down'}`);
  say(tc('studio.movedModule', { title: pickText(mods[to]!.title, courseLang()).text, position: to + 1, count: mods.length }));
  sendOrder(
    `/api/courses/${enc(course.id)}/modules/order`,
    mods.map((m) => m.id),
  );
}

function moveLesson(m: AuthoredModule, id: string, delta: -1 | 1): void {
  const lessons = m.lessons;
  const from = lessons.findIndex((l) => l.id === id);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= lessons.length) return;
  [lessons[from], lessons[to]] = [lessons[to]!, lessons[from]!];
  renderCurriculum(`lesson:${id}:${delta < 0 ? 'up' : 'down'}`);
  say(tc('studio.movedLesson', { title: pickText(lessons[to]!.title, courseLang()).text, position: to + 1, count: lessons.length }));
  sendOrder(
    `/api/modules/${enc(m.id)}/lessons/order`,
    lessons.map((l) => l.id),
  );
}

async function deleteModule(m: AuthoredModule): Promise<void> {
  if (!window.confirm(tc('studio.confirmDeleteModule', { title: pickText(m.title, courseLang()).text }))) return;
  try {
    await api.delete(`/api/modules/${enc(m.id)}`);
    course.modules = course.modules.filter((x) => x.id !== m.id);
    renderCurriculum();
    byId('curriculum-title').focus();
    say(tc('studio.moduleDeleted'));
  } catch (error) {
    say(errorMessage(error));
  }
}

async function deleteLesson(m: AuthoredModule, l: AuthoredLesson): Promise<void> {
  if (!window.confirm(tc('studio.confirmDeleteLesson', { title: pickText(l.title, courseLang()).text }))) return;
  try {
    await api.delete(`/api/lessons/${enc(l.id)}`);
    m.lessons = m.lessons.filter((x) => x.id !== l.id);
    renderCurriculum(`module:${m.id}:title`);
    say(tc('studio.lessonDeleted'));
  } catch (error) {
    say(errorMessage(error));
  }
}

// ---- publishing ----------------------------------------------------------------------

function publishMessage(error: unknown): string {
  if (isApiError(error)) {
    const reason = (error.details as { reason?: string } | undefined)?.reason;
    if (error.status === 409 && reason === 'no_lessons') return tc('studio.err.noLessons');
    if (error.code === 'validation_failed' && error.fields.title) return tc('studio.err.publishTitle');
  }
  return errorMessage(error);
}

async function togglePublished(): Promise<void> {
  if (publishButton.getAttribute('aria-disabled') === 'true') return;
  publishError.hidden = true;
  publishButton.setAttribute('aria-disabled', 'true');
  try {
    const updated = await api.post<AuthoredCourse>(`/api/courses/${enc(course.id)}/${course.published ? 'unpublish' : 'publish'}`);
    course = { ...course, ...updated, modules: course.modules };
    renderHead();
    say(tc(course.published ? 'studio.publishedNow' : 'studio.unpublishedNow'));
  } catch (error) {
    publishError.textContent = publishMessage(error);
    publishError.hidden = false;
  } finally {
    publishButton.setAttribute('aria-disabled', 'false');
  }
}

// ---- dialogs -------------------------------------------------------------------------

const moduleDialog = byId<HTMLDialogElement>('module-dialog');
const moduleForm = byId<HTMLFormElement>('module-form');
let editingModule: AuthoredModule | null = null;

function openModuleDialog(m: AuthoredModule): void {
  editingModule = m;
  clearFormErrors(moduleForm);
  for (const l of LANGS) byId<HTMLInputElement>(`module-title-${l}`).value = m.title[l] ?? '';
  moduleDialog.showModal();
  byId<HTMLInputElement>(`module-title-${courseLang()}`).focus();
}

const lessonDialog = byId<HTMLDialogElement>('lesson-dialog');
const lessonForm = byId<HTMLFormElement>('lesson-form');
const lessonLoading = byId('lesson-loading');
let lessonTabs: LangTabs | undefined;
let editingLesson: { module: AuthoredModule; lesson: AuthoredLesson; video: string } | null = null;

function setLessonValue(name: string, value: string): void {
  const control = lessonForm.elements.namedItem(name);
  if (control instanceof HTMLInputElement || control instanceof HTMLTextAreaElement) control.value = value;
}

async function openLessonDialog(m: AuthoredModule, l: AuthoredLesson): Promise<void> {
  editingLesson = null;
  clearFormErrors(lessonForm);
  lessonForm.hidden = true;
  lessonLoading.hidden = false;
  lessonLoading.className = 'state loading';
  lessonLoading.textContent = tc('common.loading');
  lessonDialog.showModal();
  try {
    const full = await api.get<LessonForAuthor>(`/api/lessons/${enc(l.id)}`);
    const titles = full.titles ?? l.title;
    for (const lang of LANGS) {
      setLessonValue(`title.${lang}`, titles[lang] ?? '');
      setLessonValue(`body.${lang}`, full.body?.[lang] ?? '');
    }
    const video = full.videoUrl ?? '';
    setLessonValue('videoUrl', video);
    setLessonValue('durationMin', String(full.durationMin ?? 0));
    byId<HTMLInputElement>('lesson-preview').checked = full.preview;
    editingLesson = { module: m, lesson: l, video };
    lessonLoading.hidden = true;
    lessonForm.hidden = false;
    const first = LANGS.find((lang) => titles[lang]) ?? courseLang();
    lessonTabs?.select(titles[pageLang()] ? pageLang() : first);
    byId<HTMLInputElement>(`lesson-title-${titles[pageLang()] ? pageLang() : first}`).focus();
  } catch (error) {
    lessonLoading.className = 'state state--error';
    lessonLoading.textContent = errorMessage(error);
  }
}

function shownLang(form: HTMLFormElement): Lang {
  const shown = form.querySelector<HTMLElement>('[data-lang-panel]:not([hidden])')?.dataset.langPanel;
  return isLang(shown) ? shown : courseLang();
}

const lessonFieldMap: FieldMap = (path) => {
  if (path === 'title') return `title.${shownLang(lessonForm)}`;
  if (path === 'body') return `body.${shownLang(lessonForm)}`;
  if (/^(title|body)\.(ru|kk|en)$/.test(path) || path === 'videoUrl' || path === 'durationMin' || path === 'preview') return path;
  return null;
};

function validateLesson(values: FormValues): FieldErrors {
  const errors: FieldErrors = {};
  if (!Object.keys(textsFrom(values, 'title')).length) errors[`title.${shownLang(lessonForm)}`] = tc('studio.err.titleNeeded');
  const video = values.videoUrl ?? '';
  if (video && !/^https?:\/\/\S+\.\S+/i.test(video)) errors.videoUrl = tc('studio.err.url');
  return errors;
}

function setupDialogs(): void {
  for (const dialog of [moduleDialog, lessonDialog]) {
    dialog.querySelector('[data-dialog-close]')?.addEventListener('click', () => dialog.close());
  }
  // Closing (Cancel, Escape) returns to the button that opened the dialog.
  moduleDialog.addEventListener('close', () => editingModule && focusKey(`module:${editingModule.id}:rename`));
  lessonDialog.addEventListener('close', () => editingLesson && focusKey(`lesson:${editingLesson.lesson.id}:edit`));

  enhanceForm(moduleForm, {
    validate: (values) =>
      Object.keys(textsFrom(values, 'title')).length ? undefined : { [`title.${courseLang()}`]: tc('studio.err.titleNeeded') },
    submit: (values) =>
      withFieldErrors(
        () => api.patch<{ id: string; title: Texts }>(`/api/modules/${enc(editingModule!.id)}`, { title: textsFrom(values, 'title') }),
        (path) => (path === 'title' ? `title.${courseLang()}` : /^title\.(ru|kk|en)$/.test(path) ? path : null),
      ),
    onSuccess: (updated) => {
      editingModule!.title = updated.title;
      renderCurriculum();
      moduleDialog.close();
      say(tc('studio.moduleRenamed'));
    },
  });

  const tabsRoot = lessonForm.querySelector<HTMLElement>('[data-lang-tabs]');
  if (tabsRoot) lessonTabs = enhanceLangTabs(tabsRoot, pageLang());
  enhanceForm(lessonForm, {
    validate: (values) => validateLesson(values),
    submit: (values) => {
      const editing = editingLesson!;
      const input: Record<string, unknown> = {
        title: textsFrom(values, 'title'),
        body: textsFrom(values, 'body'),
        preview: values.preview === 'on',
        durationMin: Number(values.durationMin || 0),
      };
      // Send the link only when changed: an untouched form leaves it as it is.
      const video = values.videoUrl ?? '';
      if (video !== editing.video) input.videoUrl = video || null;
      return withFieldErrors(() => api.patch<LessonSaved>(`/api/lessons/${enc(editing.lesson.id)}`, input), lessonFieldMap);
    },
    onSuccess: (saved) => {
      const { lesson } = editingLesson!;
      Object.assign(lesson, { title: saved.title, preview: saved.preview, durationMin: saved.durationMin });
      renderCurriculum();
      lessonDialog.close();
      say(tc('studio.lessonSaved'));
    },
  });
}

// ---- course details, delete ------------------------------------------------------------

function setupCourseForms(): void {
  const form = byId<HTMLFormElement>('edit-course-form');
  void prepareCourseForm(form).then(() => fillCourseForm(form, course));
  enhanceForm(form, {
    validate: validateCourse,
    submit: (values) =>
      withFieldErrors(
        () => api.patch<AuthoredCourse>(`/api/courses/${enc(course.id)}`, courseInput(values)),
        courseFieldMap(form),
        courseMessages,
      ),
    onSuccess: (updated) => {
      course = { ...course, ...updated, modules: course.modules };
      renderHead();
      renderCurriculum();
      showFormStatus(form, tc('common.saved'));
    },
  });

  const addModule = byId<HTMLFormElement>('module-add-form');
  enhanceForm(addModule, {
    submit: ({ title = '' }) =>
      withFieldErrors(
        () =>
          api.post<{ id: string; title: Texts; position: number }>(`/api/courses/${enc(course.id)}/modules`, {
            title: { [courseLang()]: title },
          }),
        (path) => (path.startsWith('title') ? 'title' : null),
      ),
    onSuccess: (m) => {
      course.modules.push({ id: m.id, title: m.title, position: m.position, lessons: [] });
      renderCurriculum();
      addModule.reset();
      say(tc('studio.moduleAdded', { title: pickText(m.title, courseLang()).text }));
    },
  });

  const deleteButton = byId<HTMLButtonElement>('editor-delete');
  deleteButton.addEventListener('click', async () => {
    if (!window.confirm(tc('studio.confirmDeleteCourse', { title: pickText(course.title, courseLang()).text }))) return;
    const box = byId('editor-delete-error');
    box.hidden = true;
    try {
      await api.delete(`/api/courses/${enc(course.id)}`);
      location.assign(href('/studio'));
    } catch (error) {
      box.textContent = errorMessage(error);
      box.hidden = false;
    }
  });
}

/** Loads the course and wires the editor. Throws the API error (404 for a course that is not the user's). */
export async function openEditor(id: string): Promise<void> {
  await load(id);
  renderHead();
  renderCurriculum();
  setupCover(course.id, course.coverUrl);
  publishButton.addEventListener('click', () => void togglePublished());
  setupDialogs();
  setupCourseForms();
}
