// The test editor (`/{lang}/studio?test=<id>|new&kind=`), loaded on demand by studio-tests.ts.
// One test document (SPEC "Test documents") is edited two ways: a structured form (basics,
// scales with bands, questions of every type with options, scores and correct flags; texts
// one language at a time, the others kept) and the same document as JSON (import/export,
// syntax checked here). The API validates the whole document and names fields by path
// (`questions.1.options.0.key`); those errors are shown next to the field or group they
// name, listed in a summary, and in the JSON view they select the part of the text.
import { LANGS, type Lang } from '../i18n/langs';
import { ApiError, api, errorMessage, isApiError } from '../lib/api';
import { formatDateTime, localText } from '../lib/assessments';
import { byId, h } from '../lib/dom';
import { tc } from '../lib/i18n-client';
import type { Schemas } from '../lib/types';
import { testEditorUrl } from './studio-tests';
import { applyErrors } from './test-editor/errors';
import { render } from './test-editor/form';
import { applyJson, setView, stripExport, toJson } from './test-editor/json';
import {
  type Doc,
  isObj,
  jsonText,
  langSelect,
  publishButton,
  saveButton,
  state,
  statusLine,
  summary,
  templates,
} from './test-editor/state';

// ---- saving and publishing ---------------------------------------------------------------

type AuthorTest = Schemas['AuthorTest'];

function loaded(test: AuthorTest): void {
  state.meta = {
    id: test.id,
    version: test.version,
    status: test.status,
    publishedVersion: test.publishedVersion,
    updatedAt: test.updatedAt,
  };
  state.doc = stripExport(test);
  state.hadDescription = state.doc.description !== undefined;
  state.dirty = false;
}

function payload(): Doc {
  const body: Doc = { ...state.doc };
  if (state.meta.id) {
    // PATCH merges top-level fields over the stored document: say "none" explicitly.
    body.scales ??= [];
    body.timeLimitSec ??= null;
    body.courseId ??= null;
    if (body.description === undefined && state.hadDescription) (body as Record<string, unknown>).description = null;
  }
  return body;
}

function setBusy(busy: boolean): void {
  for (const b of [saveButton, publishButton]) b.setAttribute('aria-disabled', String(busy));
}

async function save(): Promise<boolean> {
  if (saveButton.getAttribute('aria-disabled') === 'true') return false;
  if (state.view === 'json' && !applyJson()) return false;
  setBusy(true);
  statusLine.textContent = '';
  try {
    const id = state.meta.id;
    const saved = id
      ? await api.patch<AuthorTest>(`/api/tests/${encodeURIComponent(id)}`, payload())
      : await api.post<AuthorTest>('/api/tests', payload());
    loaded(saved);
    state.errors = {};
    if (!id) history.replaceState(null, '', testEditorUrl(saved.id));
    if (state.view === 'json') setView('json');
    else render();
    statusLine.textContent = tc('assess.saved', { version: saved.version });
    return true;
  } catch (error) {
    if (isApiError(error) && Object.keys(error.fields).length) {
      state.errors = { ...error.fields };
      if (state.view === 'json') {
        jsonText.value = toJson(state.doc);
        applyErrors();
      } else {
        render();
      }
      summary.focus();
    } else if (!(isApiError(error) && error.notified)) {
      statusLine.textContent = '';
      state.errors = {};
      summary.replaceChildren(h('p', { class: 'form-error__title' }, errorMessage(error)));
      summary.hidden = false;
      summary.focus();
    }
    return false;
  } finally {
    setBusy(false);
  }
}

async function publish(): Promise<void> {
  if (publishButton.getAttribute('aria-disabled') === 'true') return;
  if ((state.dirty || !state.meta.id) && !(await save())) return;
  setBusy(true);
  try {
    const published = await api.post<AuthorTest>(`/api/tests/${encodeURIComponent(state.meta.id!)}/publish`);
    loaded(published);
    render();
    statusLine.textContent = tc('assess.publishedNow', { version: published.version });
    byId('test-title').focus();
  } catch (error) {
    if (isApiError(error) && Object.keys(error.fields).length) {
      state.errors = { ...error.fields };
      render();
      summary.focus();
    } else if (!(isApiError(error) && error.notified)) {
      summary.replaceChildren(h('p', { class: 'form-error__title' }, errorMessage(error)));
      summary.hidden = false;
      summary.focus();
    }
  } finally {
    setBusy(false);
  }
}

saveButton.addEventListener('click', () => void save());
publishButton.addEventListener('click', () => void publish());
window.addEventListener('beforeunload', (event) => {
  if (state.dirty) event.preventDefault();
});

// ---- statistics --------------------------------------------------------------------------

type Stats = Schemas['TestStats'];

const percent = (x: number) => `${Math.round(x * 100)}%`;

async function loadStats(): Promise<void> {
  const body = byId('test-stats-body');
  body.replaceChildren(h('p', { class: 'state loading' }, tc('common.loading')));
  try {
    const s = await api.get<Stats>(`/api/tests/${encodeURIComponent(state.meta.id!)}/stats`, { lang: false });
    const facts: [string, string][] = [
      [tc('assess.statsAttempts'), String(s.attempts)],
      [tc('assess.statsCompletions'), String(s.completions)],
    ];
    if (s.kind === 'quiz') {
      facts.push([tc('assess.statsAverage'), s.averageScore === null ? '—' : percent(s.averageScore)]);
      facts.push([tc('assess.statsPassRate'), s.passRate === null ? '—' : percent(s.passRate)]);
    }
    body.replaceChildren(
      h('dl', { class: 'facts', id: 'test-stats-facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
      s.scales.length
        ? h(
            'ul',
            { class: 'test-stats-scales' },
            ...s.scales.map((scale) => {
              const title = localText(scale.title).text || scale.key;
              return h(
                'li',
                {},
                h(
                  'p',
                  {},
                  scale.averageScore === null
                    ? `${title}: ${tc('assess.statsNoResults')}`
                    : tc('assess.statsScale', { title, average: Math.round(scale.averageScore * 10) / 10 }),
                ),
                scale.bands.length
                  ? h(
                      'ul',
                      {},
                      ...scale.bands.map((b) =>
                        h(
                          'li',
                          {},
                          tc('assess.statsBand', { label: b.label ? localText(b.label).text : tc('assess.statsOutside'), count: b.count }),
                        ),
                      ),
                    )
                  : null,
              );
            }),
          )
        : '',
      h(
        'p',
        { class: 'muted' },
        s.refreshedAt ? tc('assess.statsRefreshed', { date: formatDateTime(s.refreshedAt) }) : tc('assess.statsNever'),
      ),
    );
  } catch (error) {
    body.replaceChildren(h('p', { class: 'state state--error' }, errorMessage(error)));
  }
}

byId('test-stats-load').addEventListener('click', () => void loadStats());

// ---- entry -----------------------------------------------------------------------------------

/** Opens the editor for a test (or a new one); an API 404 propagates for the caller. */
export async function openTestEditor(id: string): Promise<void> {
  langSelect.value = state.textLang;
  if (id === 'new') {
    const kind = new URLSearchParams(location.search).get('kind') === 'quiz' ? 'quiz' : 'assessment';
    state.doc = templates(kind);
    state.meta = { id: null, version: 0, status: 'draft', publishedVersion: null, updatedAt: null };
  } else {
    const test = await api.get<AuthorTest>(`/api/tests/${encodeURIComponent(id)}`, { lang: false });
    // Anyone may read a published test's questions; only its author gets the document.
    if (!('authorId' in test)) throw new ApiError({ status: 404, code: 'not_found', message: '' });
    loaded(test);
    // Edit in the language the test has texts in, when the page language has none.
    const title = state.doc.title;
    if (isObj(title) && !title[state.textLang]) {
      const other = LANGS.find((l) => title[l]);
      if (other) state.textLang = langSelect.value = other as Lang;
    }
    if (state.meta.publishedVersion) void loadStats();
  }
  setView('form');
}
