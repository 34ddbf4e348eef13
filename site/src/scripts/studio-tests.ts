// Studio, tests part: the teacher's tests on the studio's list page (GET /api/teacher/tests,
// drafts included, "show more" by cursor), and `?test=<id>|new` opening the test editor,
// which is loaded on demand (studio-test-editor.ts) so the course pages do not carry it.
import { api, errorMessage, isApiError } from '../lib/api';
import { formatDateTime, kindName, localText, type TeacherTest } from '../lib/assessments';
import { announce, byId, h, setState } from '../lib/dom';
import { href, tc } from '../lib/i18n-client';
import type { Page } from '../lib/types';

export const testEditorUrl = (id: string) => `${href('/studio')}?test=${encodeURIComponent(id)}`;

function testItem(test: TeacherTest): HTMLLIElement {
  const title = localText(test.title);
  const name = title.text || '—';
  const context = h('span', { class: 'visually-hidden' }, `: ${name}`);
  const published = test.status === 'published';
  const badge = h('span', { class: 'studio-badge', 'data-published': published }, tc(published ? 'studio.published' : 'studio.draft'));
  const version =
    !published && test.publishedVersion
      ? tc('assess.draftOfPublished', { version: test.version, published: test.publishedVersion })
      : tc('assess.version', { version: test.version });
  return h(
    'li',
    { 'data-test-id': test.id },
    h(
      'div',
      { class: 'item-list__main' },
      h('h3', { class: 'studio-row__title' }, h('a', { href: testEditorUrl(test.id), lang: title.lang }, name)),
      h(
        'p',
        { class: 'muted' },
        badge,
        ` · ${kindName(test.kind)} · ${tc('tests.questions', { count: test.questionCount })} · ${version} · ${tc('assess.updated', { date: formatDateTime(test.updatedAt) })}`,
      ),
    ),
    h(
      'div',
      { class: 'actions' },
      h('a', { class: 'button button--secondary button--small', href: testEditorUrl(test.id) }, tc('common.edit'), context),
      test.publishedVersion ? h('a', { href: `${testEditorUrl(test.id)}#test-stats` }, tc('assess.stats'), context.cloneNode(true)) : null,
    ),
  );
}

/** The tests section of the studio's list page. */
export async function showTestList(): Promise<void> {
  const region = byId('studio-tests');
  const list = byId('studio-test-list');
  const more = byId<HTMLButtonElement>('studio-tests-more');
  let cursor: string | null = null;
  let shown = 0;
  const load = async (reset: boolean) => {
    if (reset) setState(region, 'loading');
    more.setAttribute('aria-disabled', 'true');
    try {
      const page = await api.get<Page<TeacherTest>>('/api/teacher/tests', { query: { cursor, limit: 20 }, lang: false });
      const items = page.items.map(testItem);
      list.append(...items);
      shown += items.length;
      cursor = page.nextCursor;
      more.hidden = !cursor;
      setState(region, shown ? 'ready' : 'empty');
      if (!reset) items[0]?.querySelector('a')?.focus();
    } catch (error) {
      if (reset) setState(region, 'error', errorMessage(error));
      else announce(region, errorMessage(error));
    } finally {
      more.removeAttribute('aria-disabled');
    }
  };
  more.addEventListener('click', () => {
    if (more.getAttribute('aria-disabled') !== 'true') void load(false);
  });
  await load(true);
}

/** `?test=<id>` or `?test=new&kind=quiz|assessment`: the editor in the studio's region. */
export async function openTests(studio: HTMLElement, id: string): Promise<void> {
  setState(studio, 'loading');
  try {
    const { openTestEditor } = await import('./studio-test-editor');
    await openTestEditor(id);
    setState(studio, 'test-editor');
    if (location.hash === '#test-stats') byId('test-stats').scrollIntoView();
  } catch (error) {
    if (isApiError(error) && error.status === 404) return setState(studio, 'test-notfound');
    if (isApiError(error) && error.status === 403) return setState(studio, 'pending');
    setState(studio, 'error', errorMessage(error));
  }
}
