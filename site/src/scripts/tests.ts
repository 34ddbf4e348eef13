// Tests catalog (`/{lang}/tests`): published quizzes and assessments, "show more" by cursor.
// "Start" opens (or resumes) an attempt and goes to it; a parent first chooses the child who
// takes it (`?child=<id>` preselects one, e.g. from the parent page).
import { api, errorMessage, isApiError, loginUrl } from '../lib/api';
import { attemptUrl, kindName, localText, minutesOf, type Attempt, type PublishedTest, type TestKind } from '../lib/assessments';
import { ENDONYMS, isLang } from '../i18n/langs';
import { announce, byId, h, setState } from '../lib/dom';
import { clearFieldError, setFieldError } from '../lib/forms';
import { pageLang, tc } from '../lib/i18n-client';
import { getMe } from '../lib/session';
import type { Child, Page, User } from '../lib/types';

const PAGE_SIZE = 20;
const region = byId('tests-results');
const list = byId<HTMLUListElement>('tests-list');
const more = byId<HTMLButtonElement>('tests-more');
const kindSelect = byId<HTMLSelectElement>('tests-kind');
const childSelect = byId<HTMLSelectElement>('tests-child');
const childParam = byId<HTMLInputElement>('tests-child-param');

const params = new URLSearchParams(location.search);
const kind = (['quiz', 'assessment'] as const).find((k) => k === params.get('kind')) as TestKind | undefined;
kindSelect.value = kind ?? '';

let user: User | null = null;
let cursor: string | null = null;
let shown = 0;

/** Keeps the chosen child in the URL (and in the filter form), so a reload or "back" keeps it. */
function rememberChild(): void {
  const url = new URL(location.href);
  if (childSelect.value) url.searchParams.set('child', childSelect.value);
  else url.searchParams.delete('child');
  history.replaceState(null, '', url.pathname + url.search);
  childParam.value = childSelect.value;
  childParam.disabled = !childSelect.value;
}

async function prepareTaker(): Promise<void> {
  user = await getMe().catch(() => null);
  if (!user) {
    byId<HTMLAnchorElement>('tests-login-link').href = loginUrl();
    byId('tests-login').hidden = false;
    return;
  }
  if (user.role !== 'parent') return;
  const { items } = await api.get<Page<Child>>('/api/me/children', { query: { limit: 100 }, lang: false });
  if (!items.length) {
    byId('tests-no-children').hidden = false;
    return;
  }
  childSelect.append(...items.map((c) => h('option', { value: c.id }, c.name)));
  const wanted = params.get('child');
  // One child: nothing to choose.
  childSelect.value = items.length === 1 ? items[0]!.id : items.some((c) => c.id === wanted) ? wanted! : '';
  childSelect.required = true;
  childSelect.addEventListener('change', () => {
    clearFieldError(childSelect);
    rememberChild();
  });
  rememberChild();
  byId('tests-taker').hidden = false;
}

async function start(test: PublishedTest, button: HTMLButtonElement, status: HTMLElement): Promise<void> {
  if (button.getAttribute('aria-disabled') === 'true') return;
  status.textContent = '';
  if (!user) return void location.assign(loginUrl());
  let childId: string | undefined;
  if (user.role === 'parent') {
    if (!childSelect.options.length || byId('tests-taker').hidden) {
      byId('tests-no-children').hidden = false;
      return byId('tests-no-children').querySelector('a')?.focus();
    }
    if (!childSelect.value) {
      setFieldError(childSelect, tc('tests.chooseChildFirst'));
      childSelect.scrollIntoView({ block: 'center' });
      return childSelect.focus();
    }
    childId = childSelect.value;
  }
  button.setAttribute('aria-disabled', 'true');
  const label = button.firstChild!;
  label.textContent = tc('tests.starting');
  try {
    const attempt = await api.post<Attempt>(`/api/tests/${encodeURIComponent(test.id)}/attempts`, childId ? { childId } : {});
    location.assign(attemptUrl(attempt.id));
  } catch (error) {
    label.textContent = tc('tests.start');
    button.removeAttribute('aria-disabled');
    if (isApiError(error) && error.notified) return;
    status.textContent = errorMessage(error);
  }
}

function item(test: PublishedTest): HTMLLIElement {
  const lang = test.titleLang !== pageLang() ? test.titleLang : undefined;
  const facts = [
    kindName(test.kind),
    tc('tests.questions', { count: test.questionCount }),
    test.timeLimitSec ? tc('tests.timeLimit', { minutes: minutesOf(test.timeLimitSec) }) : tc('tests.noTimeLimit'),
  ].join(' · ');
  // A test written in another language than the page says so before anyone starts it.
  const language =
    lang && isLang(lang)
      ? h('span', { class: 'badge', 'data-test-language': lang }, tc('tests.inLanguage', { language: ENDONYMS[lang] }))
      : null;
  const status = h('p', { class: 'field-error', role: 'alert' });
  const button = h(
    'button',
    { type: 'button', class: 'button', 'data-start': test.id },
    h('span', {}, tc('tests.start')),
    h('span', { class: 'visually-hidden' }, `: ${test.title}`),
  );
  button.addEventListener('click', () => void start(test, button, status));
  return h(
    'li',
    { 'data-test-id': test.id },
    h(
      'div',
      { class: 'item-list__main' },
      h('h3', { class: 'tests-list__title', lang }, test.title),
      h('p', { class: 'muted' }, facts, language ? ' · ' : null, language),
      test.description
        ? h(
            'p',
            {
              class: 'tests-list__description',
              lang: test.descriptionLang && test.descriptionLang !== pageLang() ? test.descriptionLang : undefined,
            },
            test.description,
          )
        : null,
      status,
    ),
    h('div', { class: 'actions tests-list__actions' }, button),
  );
}

async function load(reset: boolean): Promise<void> {
  // A list rendered at the edge stays on screen while the same list loads with its handlers.
  if (reset && !region.hasAttribute('data-prerendered')) setState(region, 'loading');
  region.removeAttribute('data-prerendered');
  more.setAttribute('aria-disabled', 'true');
  try {
    const page = await api.get<Page<PublishedTest>>('/api/tests', { query: { kind, cursor: reset ? null : cursor, limit: PAGE_SIZE } });
    const items = page.items.map(item);
    if (reset) list.replaceChildren(...items);
    else list.append(...items);
    shown += items.length;
    cursor = page.nextCursor;
    more.hidden = !cursor;
    setState(region, shown ? 'ready' : 'empty');
    if (!reset && items.length) {
      announce(region, tc('tests.loaded', { count: shown }));
      items[0]?.querySelector<HTMLElement>('button')?.focus();
    }
  } catch (error) {
    if (reset) setState(region, 'error', errorMessage(error));
    else announce(region, errorMessage(error));
  } finally {
    more.removeAttribute('aria-disabled');
  }
}

more.addEventListener('click', () => {
  if (more.getAttribute('aria-disabled') !== 'true') void load(false);
});

/**
 * `?test=<id>` (a search result or suggestion): that test on top, with its Start button, whatever
 * page of the list it is on. GET /api/tests/:id is its published version for anyone.
 */
async function showChosen(id: string): Promise<void> {
  type Localized = Parameters<typeof localText>[0];
  const t = await api.get<{
    id: string;
    kind: TestKind;
    courseId: string | null;
    title: Localized;
    description?: Localized;
    timeLimitSec: number | null;
    version: number;
    questions: unknown[];
  }>(`/api/tests/${encodeURIComponent(id)}`);
  const title = localText(t.title);
  const description = t.description ? localText(t.description, title.lang) : undefined;
  const test: PublishedTest = {
    id: t.id,
    kind: t.kind,
    courseId: t.courseId,
    title: title.text,
    titleLang: title.lang ?? pageLang(),
    description: description?.text || null,
    descriptionLang: description?.text ? (description.lang ?? pageLang()) : null,
    version: t.version,
    questionCount: t.questions.length,
    timeLimitSec: t.timeLimitSec,
    publishedAt: '',
  };
  byId('tests-chosen-list').replaceChildren(item(test));
  byId('tests-chosen').hidden = false;
  byId('tests-chosen-title').focus();
}

const chosen = params.get('test');
if (chosen) void showChosen(chosen).catch((error: unknown) => announce(region, errorMessage(error)));

childParam.disabled = true;
void prepareTaker().catch((error: unknown) => announce(region, errorMessage(error)));
void load(true);
