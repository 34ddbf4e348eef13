// The test editor (`/{lang}/studio?test=<id>|new&kind=`), loaded on demand by studio-tests.ts.
// One test document (SPEC "Test documents") is edited two ways: a structured form (basics,
// scales with bands, questions of every type with options, scores and correct flags; texts
// one language at a time, the others kept) and the same document as JSON (import/export,
// syntax checked here). The API validates the whole document and names fields by path
// (`questions.1.options.0.key`); those errors are shown next to the field or group they
// name, listed in a summary, and in the JSON view they select the part of the text.
import { ENDONYMS, LANGS, isLang, type Lang } from '../i18n/langs';
import { ApiError, api, errorMessage, isApiError } from '../lib/api';
import { formatDateTime, kindName, localText, type Localized, type TestKind } from '../lib/assessments';
import { byId, h } from '../lib/dom';
import { clearFieldError, setFieldError } from '../lib/forms';
import { pageLang, tc } from '../lib/i18n-client';
import type { Key } from '../i18n/en';
import { localizeMessage } from './studio-errors';
import type { Schemas } from '../lib/types';
import { testEditorUrl } from './studio-tests';

// The document while it is edited: the API's own shapes (generated from its OpenAPI document),
// every field optional — an unfinished document is the normal state of an editor.
type Editable<T> = T extends (infer U)[] ? Editable<U>[] : T extends object ? { [K in keyof T]?: Editable<T[K]> } : T;
/** Every field any question type has, so the form can switch a question's type in place. */
type AnyQuestion = Schemas['Question'];
type AllKeys<U> = U extends unknown ? keyof U : never;
type Merged<U> = { [K in AllKeys<U>]: U extends Record<K, infer V> ? V : U extends Partial<Record<K, infer V>> ? V : never };
type TestDocument = Omit<Schemas['AuthorTest'], 'id' | 'authorId' | 'version' | 'status' | 'publishedVersion' | 'createdAt' | 'updatedAt'>;
type Scale = Editable<Schemas['Scale']>;
type Band = NonNullable<Scale['bands']>[number];
type Question = Omit<Editable<Merged<AnyQuestion>>, 'type'> & { type?: string };
type Option = NonNullable<Question['options']>[number];
type ScaleRef = NonNullable<Question['scores']>[number];
type Doc = Record<string, unknown> & Omit<Editable<TestDocument>, 'questions'> & { questions?: Question[] };
interface Meta {
  id: string | null;
  version: number;
  status: 'draft' | 'published';
  publishedVersion: number | null;
  updatedAt: string | null;
}

/** Fields a GET adds to the document (the API ignores them on write). */
const EXPORT_FIELDS = ['id', 'authorId', 'version', 'status', 'publishedVersion', 'createdAt', 'updatedAt', 'publishedAt', 'hasDraft'];
const QUESTION_TYPES = ['single', 'multiple', 'likert', 'text'] as const;

const form = byId<HTMLFormElement>('test-form');
const live = byId('test-live');
const statusLine = byId('test-status');
const summary = byId('test-errors');
const jsonPanel = byId('test-json');
const jsonText = byId<HTMLTextAreaElement>('test-json-text');
const saveButton = byId<HTMLButtonElement>('test-save');
const publishButton = byId<HTMLButtonElement>('test-publish');
const langSelect = byId<HTMLSelectElement>('test-text-lang');

let doc: Doc = {};
let meta: Meta = { id: null, version: 0, status: 'draft', publishedVersion: null, updatedAt: null };
let textLang: Lang = pageLang();
let view: 'form' | 'json' = 'form';
/** The API's field errors of the last save, by path. */
let errors: Record<string, string> = {};
let dirty = false;
let hadDescription = false;
/** Where each path's value sits in the JSON text (for selecting an error there). */
let spans = new Map<string, [number, number]>();

const arr = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const isObj = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Polite announcement (a fresh text after a tick is read again). */
function say(message: string): void {
  live.textContent = '';
  window.setTimeout(() => (live.textContent = message), 50);
}

function templates(kind: TestKind): Doc {
  if (kind === 'quiz') {
    return {
      kind,
      courseId: null,
      title: {},
      timeLimitSec: 600,
      passMark: 0.5,
      scales: [],
      questions: [
        {
          key: 'q1',
          type: 'single',
          text: {},
          options: [
            { key: 'a', text: {}, correct: true },
            { key: 'b', text: {} },
          ],
        },
      ],
    };
  }
  return {
    kind,
    courseId: null,
    title: {},
    timeLimitSec: null,
    scales: [
      {
        key: 'scale1',
        title: {},
        bands: [
          { min: 0, max: 4, label: {}, text: {} },
          { min: 5, max: 8, label: {}, text: {} },
        ],
      },
    ],
    questions: [{ key: 'q1', type: 'likert', text: {}, min: 0, max: 4, scores: [{ scale: 'scale1', reverse: false }] }],
  };
}

// ---- paths ------------------------------------------------------------------------------

function getAt(path: string): unknown {
  let node: unknown = doc;
  for (const part of path.split('.')) {
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Sets a value in the document; undefined deletes the field. */
function setAt(path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = doc;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isObj(next) && !Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

const controlId = (path: string) => `td-${path.replace(/[^A-Za-z0-9_-]/g, (c) => (c === '.' ? '--' : '_'))}`;
const stripLang = (path: string) => path.replace(/\.(ru|kk|en)$/, '');

// ---- building blocks ------------------------------------------------------------------

type Bind = 'text' | 'string' | 'int' | 'minutes' | 'percent' | 'scalekey';

function control(
  path: string,
  bind: Bind,
  attrs: Record<string, string | number | boolean | undefined> = {},
  multiline = false,
): HTMLInputElement | HTMLTextAreaElement {
  const value = getAt(path);
  let shown = '';
  if (bind === 'text') shown = isObj(value) ? String(value[textLang] ?? '') : '';
  else if (bind === 'minutes') shown = typeof value === 'number' ? String(Math.round((value / 60) * 100) / 100) : '';
  else if (bind === 'percent') shown = typeof value === 'number' ? String(Math.round(value * 10000) / 100) : '';
  else shown = value === undefined || value === null ? '' : String(value);
  const common = { id: controlId(path), 'data-path': path, 'data-bind': bind, lang: bind === 'text' ? textLang : undefined, ...attrs };
  if (multiline) {
    const area = h('textarea', { rows: 3, ...common });
    area.value = shown;
    return area;
  }
  const numeric = bind === 'int' || bind === 'minutes' || bind === 'percent';
  const input = h('input', {
    type: numeric ? 'number' : 'text',
    autocomplete: 'off',
    inputmode: bind === 'int' ? 'numeric' : bind === 'text' ? undefined : 'decimal',
    ...common,
  });
  input.value = shown;
  return input;
}

function field(label: string, input: HTMLElement, hint?: string, extraClass = ''): HTMLDivElement {
  const hintId = hint ? `${input.id}-hint` : undefined;
  if (hintId) input.setAttribute('aria-describedby', hintId);
  return h(
    'div',
    { class: `field ${extraClass}`.trim() },
    h('label', { for: input.id }, label),
    hint ? h('p', { class: 'field-hint', id: hintId }, hint) : null,
    h('p', { class: 'field-error', id: `${input.id}-error`, hidden: true }),
    input,
  );
}

const langLabel = (key: Key) => tc(key, { lang: ENDONYMS[textLang] });

function checkbox(
  id: string,
  label: string | Node,
  checked: boolean,
  attrs: Record<string, string | number | boolean | undefined>,
): HTMLDivElement {
  return h(
    'div',
    { class: 'field field--check' },
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
    h('input', { type: 'checkbox', id, checked, ...attrs }),
    h('label', { for: id }, label),
  );
}

function button(
  label: string,
  id: string,
  onClick: () => void,
  opts: { context?: string; icon?: string; disabled?: boolean; danger?: boolean; primary?: boolean } = {},
): HTMLButtonElement {
  const node = h(
    'button',
    {
      type: 'button',
      id,
      class: `button button--small ${opts.danger ? 'button--danger' : opts.primary ? '' : 'button--secondary'}`.trim(),
      disabled: opts.disabled,
    },
    opts.icon ? h('span', { 'aria-hidden': 'true' }, `${opts.icon} `) : null,
    label,
    opts.context ? h('span', { class: 'visually-hidden' }, `: ${opts.context}`) : null,
  );
  node.addEventListener('click', onClick);
  return node;
}

/** A numbered item of a list (scale, band, question, option) as a fieldset. */
function item(path: string, legend: string, ...children: (Node | null)[]): HTMLLIElement {
  return h(
    'li',
    { class: 'test-item' },
    h(
      'fieldset',
      { class: 'test-item__set', id: controlId(path), 'data-path': path, 'data-item': '' },
      h('legend', {}, legend),
      ...children,
    ),
  );
}

/** Up / down / remove for the item at `index` of the array at `listPath`. */
function itemActions(
  listPath: string,
  index: number,
  count: number,
  what: string,
  focusAfterRemove: string,
  movable = true,
): HTMLDivElement {
  const base = controlId(`${listPath}.${index}`);
  return h(
    'div',
    { class: 'studio-row__actions' },
    movable
      ? button(tc('studio.up'), `${base}-up`, () => move(listPath, index, -1, what), { context: what, icon: '↑', disabled: index === 0 })
      : null,
    movable
      ? button(tc('studio.down'), `${base}-down`, () => move(listPath, index, 1, what), {
          context: what,
          icon: '↓',
          disabled: index === count - 1,
        })
      : null,
    button(tc('assess.remove'), `${base}-remove`, () => remove(listPath, index, what, focusAfterRemove), { context: what, danger: true }),
  );
}

// ---- the form ---------------------------------------------------------------------------

function basics(): HTMLFieldSetElement {
  const kind = doc.kind;
  const kindControl = meta.id
    ? h(
        'p',
        { class: 'test-kind' },
        h('span', { class: 'muted' }, `${tc('tests.kind')}: `),
        h('strong', {}, kind === 'quiz' || kind === 'assessment' ? kindName(kind) : String(kind ?? '—')),
      )
    : field(
        tc('tests.kind'),
        h(
          'select',
          { id: controlId('kind'), 'data-path': 'kind', 'data-bind': 'kind' },
          ...(['assessment', 'quiz'] as const).map((k) => h('option', { value: k, selected: k === kind }, kindName(k))),
        ),
      );
  return h(
    'fieldset',
    { class: 'studio-group', 'data-path': '' },
    h('legend', {}, tc('assess.basics')),
    kindControl,
    field(langLabel('assess.field.title'), control('title', 'text', { maxlength: 5000 })),
    field(langLabel('assess.field.description'), control('description', 'text', { maxlength: 5000 }, true)),
    field(
      tc('assess.field.timeLimit'),
      control('timeLimitSec', 'minutes', { min: 0.5, max: 1440, step: 'any' }),
      tc('assess.field.timeLimitHint'),
    ),
    kind === 'quiz' || doc.passMark !== undefined
      ? field(tc('assess.field.passMark'), control('passMark', 'percent', { min: 0, max: 100, step: 'any' }))
      : null,
  );
}

function scaleName(scale: Scale | undefined, index: number): string {
  return localText(scale?.title).text || scale?.key || tc('assess.scale', { n: index + 1 });
}

function scalesBlock(): HTMLFieldSetElement {
  const scales = arr<Scale>(doc.scales);
  return h(
    'fieldset',
    { class: 'studio-group', 'data-path': 'scales', id: controlId('scales') },
    h('legend', {}, tc('assess.scales')),
    h('p', { class: 'field-hint' }, tc('assess.scalesHint')),
    h(
      'ol',
      { class: 'test-list' },
      ...scales.map((scale, i) => {
        const path = `scales.${i}`;
        const what = tc('assess.scale', { n: i + 1 });
        const bands = arr<Band>(scale?.bands);
        return item(
          path,
          what,
          field(
            tc('assess.field.key'),
            control(`${path}.key`, 'scalekey', { maxlength: 64, spellcheck: false }),
            tc('assess.field.keyHint'),
          ),
          field(langLabel('assess.field.scaleTitle'), control(`${path}.title`, 'text', { maxlength: 5000 })),
          h(
            'fieldset',
            { class: 'test-sub', 'data-path': `${path}.bands`, id: controlId(`${path}.bands`) },
            h('legend', {}, tc('assess.bands')),
            h(
              'ol',
              { class: 'test-list' },
              ...bands.map((_, j) => {
                const bandPath = `${path}.bands.${j}`;
                const bandWhat = `${what}, ${tc('assess.band', { n: j + 1 })}`;
                return item(
                  bandPath,
                  tc('assess.band', { n: j + 1 }),
                  h(
                    'div',
                    { class: 'test-pair' },
                    field(tc('assess.field.min'), control(`${bandPath}.min`, 'int', { step: 1 })),
                    field(tc('assess.field.max'), control(`${bandPath}.max`, 'int', { step: 1 })),
                  ),
                  field(langLabel('assess.field.bandLabel'), control(`${bandPath}.label`, 'text', { maxlength: 5000 })),
                  field(langLabel('assess.field.bandText'), control(`${bandPath}.text`, 'text', { maxlength: 5000 }, true)),
                  itemActions(`${path}.bands`, j, bands.length, bandWhat, `${controlId(`${path}.bands`)}-add`, false),
                );
              }),
            ),
            button(tc('assess.addBand'), `${controlId(`${path}.bands`)}-add`, () => addBand(i), { context: what }),
          ),
          itemActions('scales', i, scales.length, what, `${controlId('scales')}-add`, false),
        );
      }),
    ),
    button(tc('assess.addScale'), `${controlId('scales')}-add`, addScale),
  );
}

function likertScores(q: Question, path: string): HTMLElement {
  const scales = arr<Scale>(doc.scales);
  const refs = arr<ScaleRef>(q.scores);
  const rows: HTMLElement[] = scales.map((scale, s) => {
    const index = refs.findIndex((r) => r?.scale === scale?.key);
    const refPath = `${path}.scores.${index}`;
    const name = scaleName(scale, s);
    return h(
      'div',
      { class: 'test-ref', 'data-path': index >= 0 ? refPath : undefined },
      checkbox(controlId(`${path}.ref.${s}`), name, index >= 0, { 'data-bind': 'ref', 'data-q': path, 'data-scale': scale?.key ?? '' }),
      index >= 0
        ? checkbox(
            controlId(`${path}.rev.${s}`),
            h('span', {}, tc('assess.field.reverse'), h('span', { class: 'visually-hidden' }, ` — ${name}`)),
            Boolean(refs[index]?.reverse),
            { 'data-bind': 'reverse', 'data-path': `${refPath}.reverse` },
          )
        : null,
    );
  });
  // References to scales that do not exist (from an imported document): shown so errors land somewhere.
  refs.forEach((ref, k) => {
    if (!scales.some((s) => s?.key === ref?.scale)) {
      rows.push(
        h(
          'p',
          { class: 'test-ref test-ref--unknown', 'data-path': `${path}.scores.${k}`, tabindex: -1 },
          `${tc('assess.field.addsTo')}: “${String(ref?.scale ?? '')}”`,
        ),
      );
    }
  });
  return h(
    'fieldset',
    { class: 'test-sub', 'data-path': `${path}.scores`, id: controlId(`${path}.scores`) },
    h('legend', {}, tc('assess.field.addsTo')),
    ...(rows.length ? rows : [h('p', { class: 'muted' }, tc('assess.noScale'))]),
  );
}

function optionsBlock(q: Question, path: string, what: string): HTMLElement {
  const options = arr<Option>(q.options);
  const scales = arr<Scale>(doc.scales);
  const quiz = doc.kind === 'quiz';
  const listPath = `${path}.options`;
  return h(
    'fieldset',
    { class: 'test-sub', 'data-path': listPath, id: controlId(listPath) },
    h('legend', {}, tc('assess.options')),
    h(
      'ol',
      { class: 'test-list' },
      ...options.map((option, j) => {
        const optPath = `${listPath}.${j}`;
        const optWhat = `${what}, ${tc('assess.option', { n: j + 1 })}`;
        const correctId = controlId(`${optPath}.correct`);
        const correct =
          quiz || option?.correct !== undefined
            ? q.type === 'single'
              ? h(
                  'div',
                  { class: 'field field--check' },
                  h('p', { class: 'field-error', id: `${correctId}-error`, hidden: true }),
                  h('input', {
                    type: 'radio',
                    id: correctId,
                    name: `${path}-correct`,
                    checked: Boolean(option?.correct),
                    'data-bind': 'correct',
                    'data-path': `${optPath}.correct`,
                  }),
                  h('label', { for: correctId }, tc('assess.field.correct')),
                )
              : checkbox(correctId, tc('assess.field.correct'), Boolean(option?.correct), {
                  'data-bind': 'bool',
                  'data-path': `${optPath}.correct`,
                })
            : null;
        return item(
          optPath,
          tc('assess.option', { n: j + 1 }),
          h(
            'div',
            { class: 'test-keyed' },
            field(tc('assess.field.key'), control(`${optPath}.key`, 'string', { maxlength: 64, spellcheck: false })),
            field(langLabel('assess.field.optionText'), control(`${optPath}.text`, 'text', { maxlength: 5000 })),
          ),
          correct,
          ...(quiz
            ? []
            : scales.map((scale, s) =>
                field(
                  tc('assess.field.points', { scale: scaleName(scale, s) }),
                  control(`${optPath}.scores.${scale?.key ?? ''}`, 'int', { step: 1 }),
                  undefined,
                  'test-points',
                ),
              )),
          itemActions(listPath, j, options.length, optWhat, `${controlId(listPath)}-add`),
        );
      }),
    ),
    button(tc('assess.addOption'), `${controlId(listPath)}-add`, () => addOption(path), { context: what }),
  );
}

function questionsBlock(): HTMLFieldSetElement {
  const questions = arr<Question>(doc.questions);
  return h(
    'fieldset',
    { class: 'studio-group', 'data-path': 'questions', id: controlId('questions') },
    h('legend', {}, tc('assess.questions')),
    h(
      'ol',
      { class: 'test-list' },
      ...questions.map((q, i) => {
        const path = `questions.${i}`;
        const what = tc('assess.question', { n: i + 1 });
        const known = (QUESTION_TYPES as readonly string[]).includes(String(q?.type));
        const typeSelect = h(
          'select',
          { id: controlId(`${path}.type`), 'data-path': `${path}.type`, 'data-bind': 'type' },
          ...QUESTION_TYPES.map((t) => h('option', { value: t, selected: t === q?.type }, tc(`assess.type.${t}`))),
          known ? null : h('option', { value: String(q?.type ?? ''), selected: true }, String(q?.type ?? '?')),
        );
        let body: (Node | null)[] = [];
        if (q?.type === 'likert') {
          body = [
            h(
              'div',
              { class: 'test-pair' },
              field(tc('assess.field.likertMin'), control(`${path}.min`, 'int', { step: 1 })),
              field(tc('assess.field.likertMax'), control(`${path}.max`, 'int', { step: 1 })),
            ),
            likertScores(q, path),
          ];
        } else if (q?.type === 'single' || q?.type === 'multiple') {
          body = [optionsBlock(q, path, what)];
        } else if (q?.type === 'text') {
          body = [field(tc('assess.field.maxLength'), control(`${path}.maxLength`, 'int', { min: 1, max: 5000, step: 1 }))];
        } else {
          body = [h('p', { class: 'state' }, tc('assess.unknownType'))];
        }
        return item(
          path,
          what,
          h(
            'div',
            { class: 'test-pair' },
            field(tc('assess.field.key'), control(`${path}.key`, 'string', { maxlength: 64, spellcheck: false })),
            field(tc('assess.field.type'), typeSelect),
          ),
          field(langLabel('assess.field.questionText'), control(`${path}.text`, 'text', { maxlength: 5000 }, true)),
          ...body,
          itemActions('questions', i, questions.length, what, `${controlId('questions')}-add`),
        );
      }),
    ),
    button(tc('assess.addQuestion'), `${controlId('questions')}-add`, addQuestion, { primary: true }),
  );
}

function renderHead(): void {
  const title = localText(doc.title);
  const heading = byId('test-title');
  heading.textContent = title.text || tc('assess.newTitle');
  if (title.lang) heading.setAttribute('lang', title.lang);
  else heading.removeAttribute('lang');
  document.title = `${heading.textContent} — ${tc('studio.title')} — Sabaq`;
  const state = byId('test-state');
  const published = meta.id !== null && meta.status === 'published';
  state.textContent = tc(published ? 'studio.published' : 'studio.draft');
  state.toggleAttribute('data-published', published);
  byId('test-version').textContent = !meta.id
    ? ''
    : !published && meta.publishedVersion
      ? tc('assess.draftOfPublished', { version: meta.version, published: meta.publishedVersion })
      : `${tc('assess.version', { version: meta.version })}${meta.updatedAt ? ` · ${tc('assess.updated', { date: formatDateTime(meta.updatedAt) })}` : ''}`;
  publishButton.hidden = published && !dirty;
  byId('test-stats').hidden = !meta.publishedVersion;
}

/** Redraws the form from the document, keeping focus on the same control (or `focusId`). */
function render(focusId?: string): void {
  const active = focusId ?? (document.activeElement && form.contains(document.activeElement) ? document.activeElement.id : '');
  // Quizzes rarely have scales: their section shows only when the document has some.
  const scales = doc.kind !== 'quiz' || arr(doc.scales).length > 0;
  form.replaceChildren(basics(), ...(scales ? [scalesBlock()] : []), questionsBlock());
  applyErrors();
  renderHead();
  if (active) document.getElementById(active)?.focus();
}

// ---- editing ---------------------------------------------------------------------------

function changed(): void {
  dirty = true;
  statusLine.textContent = '';
  publishButton.hidden = false;
}

function renameScale(from: string | undefined, to: string): void {
  if (!from || from === to) return;
  // Only when the key was this scale's alone; a duplicate is the API's to report.
  if (arr<Scale>(doc.scales).filter((s) => s?.key === from).length > 1) return;
  for (const q of arr<Question>(doc.questions)) {
    for (const ref of arr<ScaleRef>(q?.scores)) if (ref?.scale === from) ref.scale = to;
    for (const o of arr<Option>(q?.options)) {
      if (o?.scores && from in o.scores) {
        o.scores[to] = o.scores[from]!;
        delete o.scores[from];
      }
    }
  }
}

function readControl(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement): boolean {
  const path = el.dataset.path ?? '';
  const raw = el.value.trim();
  switch (el.dataset.bind as Bind | 'bool' | 'correct' | 'ref' | 'reverse' | 'type' | 'kind' | undefined) {
    case 'text': {
      const current = getAt(path);
      const texts: Localized = isObj(current) ? { ...(current as Localized) } : {};
      if (el.value.trim()) texts[textLang] = el.value;
      else delete texts[textLang];
      if (path === 'description' && !Object.keys(texts).length) setAt(path, undefined);
      else setAt(path, texts);
      return false;
    }
    case 'string':
      setAt(path, el.value);
      return false;
    case 'scalekey': {
      renameScale(getAt(path) as string | undefined, el.value);
      setAt(path, el.value);
      return false;
    }
    case 'int':
      if (path.includes('.scores.') && raw === '') {
        setAt(path, undefined);
        const scoresPath = path.slice(0, path.lastIndexOf('.'));
        const scores = getAt(scoresPath);
        if (isObj(scores) && !Object.keys(scores).length) setAt(scoresPath, undefined);
      } else {
        setAt(path, raw === '' ? undefined : Number(raw));
      }
      return false;
    case 'minutes':
      setAt(path, raw === '' ? null : Math.round(Number(raw) * 60));
      return false;
    case 'percent':
      setAt(path, raw === '' ? undefined : Number(raw) / 100);
      return false;
    case 'bool':
      setAt(path, (el as HTMLInputElement).checked ? true : undefined);
      return false;
    case 'correct': {
      const optionsPath = path.split('.').slice(0, -2).join('.');
      arr<Option>(getAt(optionsPath)).forEach((o, j) => {
        if (o) setAt(`${optionsPath}.${j}.correct`, `${optionsPath}.${j}.correct` === path ? true : undefined);
      });
      return false;
    }
    case 'reverse':
      setAt(path, (el as HTMLInputElement).checked);
      return false;
    case 'ref': {
      const qPath = el.dataset.q ?? '';
      const scale = el.dataset.scale ?? '';
      const refs = arr<ScaleRef>(getAt(`${qPath}.scores`)).filter((r) => r?.scale !== scale);
      if ((el as HTMLInputElement).checked) refs.push({ scale, reverse: false });
      // Keep the scales' order, unknown references last.
      const order = arr<Scale>(doc.scales).map((s) => s?.key);
      refs.sort((a, b) => (order.indexOf(a.scale) + 1 || 1e9) - (order.indexOf(b.scale) + 1 || 1e9));
      setAt(`${qPath}.scores`, refs);
      return true;
    }
    case 'type': {
      const qPath = path.slice(0, -'.type'.length);
      setAt(qPath, convertQuestion(getAt(qPath) as Question, el.value));
      return true;
    }
    case 'kind': {
      const kind = el.value === 'quiz' ? 'quiz' : 'assessment';
      // An untouched new test simply becomes the other kind's template.
      if (!dirty) doc = templates(kind);
      else convertKind(kind);
      return true;
    }
    default:
      return false;
  }
}

function convertQuestion(q: Question, type: string): Question {
  const base = { key: q?.key ?? '', type, text: q?.text ?? {} };
  if (type === 'likert') return { ...base, min: q?.min ?? 0, max: q?.max ?? 4, scores: arr<ScaleRef>(q?.scores) };
  if (type === 'single' || type === 'multiple') {
    let options = arr<Option>(q?.options).map((o) => ({ ...o }));
    if (options.length < 2)
      options = [
        { key: 'a', text: {} },
        { key: 'b', text: {} },
      ];
    if (type === 'single' && doc.kind === 'quiz') {
      const first = Math.max(
        0,
        options.findIndex((o) => o.correct),
      );
      for (const [j, o] of options.entries()) {
        if (j === first) o.correct = true;
        else delete o.correct;
      }
    }
    return { ...base, options };
  }
  return base;
}

function convertKind(kind: TestKind): void {
  doc.kind = kind;
  for (const q of arr<Question>(doc.questions)) {
    for (const o of arr<Option>(q?.options)) if (kind === 'assessment') delete o.correct;
  }
  if (kind === 'quiz') doc.passMark ??= 0.5;
  else delete doc.passMark;
}

function nextKey(existing: (string | undefined)[], prefix: string): string {
  let n = existing.length + 1;
  while (existing.includes(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

function structural(focusId: string, message: string): void {
  changed();
  render(focusId);
  say(message);
}

function addScale(): void {
  const scales = arr<Scale>(doc.scales);
  if (!Array.isArray(doc.scales)) doc.scales = scales;
  scales.push({
    key: nextKey(
      scales.map((s) => s?.key),
      'scale',
    ),
    title: {},
    bands: [{ min: 0, max: 4, label: {}, text: {} }],
  });
  structural(controlId(`scales.${scales.length - 1}.key`), tc('assess.added', { what: tc('assess.scale', { n: scales.length }) }));
}

function addBand(scaleIndex: number): void {
  const scale = arr<Scale>(doc.scales)[scaleIndex];
  if (!scale) return;
  const bands = arr<Band>(scale.bands);
  scale.bands = bands;
  const last = bands[bands.length - 1];
  const min = typeof last?.max === 'number' ? last.max + 1 : 0;
  bands.push({ min, max: min + 4, label: {}, text: {} });
  structural(
    controlId(`scales.${scaleIndex}.bands.${bands.length - 1}.min`),
    tc('assess.added', { what: tc('assess.band', { n: bands.length }) }),
  );
}

function addQuestion(): void {
  const questions = arr<Question>(doc.questions);
  if (!Array.isArray(doc.questions)) doc.questions = questions;
  const previous = questions[questions.length - 1]?.type;
  const type = (QUESTION_TYPES as readonly string[]).includes(String(previous))
    ? String(previous)
    : doc.kind === 'quiz'
      ? 'single'
      : 'likert';
  const q = convertQuestion(
    {
      key: nextKey(
        questions.map((x) => x?.key),
        'q',
      ),
      text: {},
    },
    type,
  );
  if (type === 'likert')
    q.scores = arr<Scale>(doc.scales)
      .slice(0, 1)
      .map((s) => ({ scale: s.key ?? '', reverse: false }));
  questions.push(q);
  structural(
    controlId(`questions.${questions.length - 1}.text`),
    tc('assess.added', { what: tc('assess.question', { n: questions.length }) }),
  );
}

function addOption(qPath: string): void {
  const q = getAt(qPath) as Question;
  const options = arr<Option>(q.options);
  q.options = options;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const used = options.map((o) => o?.key);
  const key = [...letters].find((l) => !used.includes(l)) ?? nextKey(used, 'o');
  options.push({ key, text: {} });
  structural(
    controlId(`${qPath}.options.${options.length - 1}.text`),
    tc('assess.added', { what: tc('assess.option', { n: options.length }) }),
  );
}

function move(listPath: string, index: number, delta: number, what: string): void {
  const list = arr<unknown>(getAt(listPath));
  const to = index + delta;
  if (to < 0 || to >= list.length) return;
  [list[index], list[to]] = [list[to], list[index]];
  const base = controlId(`${listPath}.${to}`);
  const focus =
    (delta < 0 && to === 0) || (delta > 0 && to === list.length - 1)
      ? `${base}-${delta < 0 ? 'down' : 'up'}`
      : `${base}-${delta < 0 ? 'up' : 'down'}`;
  structural(focus, tc('assess.moved', { what, position: to + 1 }));
}

function remove(listPath: string, index: number, what: string, focusAfter: string): void {
  const list = arr<unknown>(getAt(listPath));
  const [gone] = list.splice(index, 1);
  if (listPath === 'scales') {
    // References to the removed scale go with it.
    const key = (gone as Scale | undefined)?.key;
    for (const q of arr<Question>(doc.questions)) {
      if (Array.isArray(q?.scores)) q.scores = q.scores.filter((r) => r?.scale !== key);
      for (const o of arr<Option>(q?.options)) if (o?.scores && key) delete o.scores[key];
    }
  }
  structural(focusAfter, tc('assess.removed', { what }));
}

form.addEventListener('input', (event) => {
  const el = event.target as HTMLInputElement;
  if (!el.dataset?.bind || el.type === 'checkbox' || el.type === 'radio' || el.tagName === 'SELECT') return;
  readControl(el);
  changed();
  clearErrorOf(el);
  if (el.dataset.path === 'title') renderHead();
});

form.addEventListener('change', (event) => {
  const el = event.target as HTMLInputElement | HTMLSelectElement;
  if (!el.dataset?.bind) return;
  const bind = el.dataset.bind;
  const isChoice = el.tagName === 'SELECT' || (el as HTMLInputElement).type === 'checkbox' || (el as HTMLInputElement).type === 'radio';
  const redraw = isChoice
    ? readControl(el)
    : bind === 'scalekey' || (bind === 'text' && /^scales\.\d+\.title$/.test(el.dataset.path ?? ''));
  if (isChoice) {
    changed();
    clearErrorOf(el);
  }
  // After the browser has moved focus (Tab fires change first), so render() keeps it there.
  if (redraw) window.setTimeout(() => render(), 0);
});

// ---- errors ------------------------------------------------------------------------------

/** The API's English messages about documents, in the page language. */
const MESSAGES: [RegExp, Key][] = [
  [/^Duplicate /, 'assess.err.duplicate'],
  [/^No scale /, 'assess.err.noScale'],
  [/must be ordered and not overlap/, 'assess.err.bandsOrder'],
  [/max must not be below min/, 'assess.err.maxBelowMin'],
  [/max must be greater than min|Likert range/, 'assess.err.likertRange'],
  [/needs a passMark/, 'assess.err.needPassMark'],
  [/needs at least one single or multiple/, 'assess.err.quizChoice'],
  [/Only quizzes have a passMark/, 'assess.err.passMarkQuizOnly'],
  [/needs at least one scale/, 'assess.err.needScale'],
  [/Only quiz options are marked correct/, 'assess.err.correctQuizOnly'],
  [/exactly one correct option/, 'assess.err.singleCorrect'],
  [/at least one correct option/, 'assess.err.multipleCorrect'],
  [/at least two options/, 'assess.err.twoOptions'],
  [/at least one question/, 'assess.err.oneQuestion'],
  [/at least one band/, 'assess.err.oneBand'],
  [/letters, digits/, 'assess.err.key'],
  [/at least one of ru, kk, en/, 'assess.err.text'],
  [/At least 30 seconds|At most a day/, 'assess.err.timeLimit'],
  [/whole number|expected int/i, 'assess.err.wholeNumber'],
  [/Unrecognized key/i, 'assess.err.unknownField'],
  [/No such course/, 'assess.err.course'],
  [/kind of a test cannot change/, 'assess.err.kindFixed'],
];

function translate(raw: string): string {
  const known = MESSAGES.find(([re]) => re.test(raw));
  if (known) return tc(known[1]);
  return localizeMessage(raw);
}

/** The element an error path belongs to: the control, else the nearest item or group. */
function targetOf(path: string): HTMLElement | null {
  let p = stripLang(path);
  for (;;) {
    const found = form.querySelector<HTMLElement>(`[data-path="${CSS.escape(p)}"]`);
    if (found) return found;
    if (!p.includes('.')) return null;
    p = p.slice(0, p.lastIndexOf('.'));
  }
}

const isControl = (el: Element): el is HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement =>
  el instanceof HTMLInputElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement;

/** "Question 2 › Option 1 › Key" for the summary. */
function describe(el: HTMLElement): string {
  const parts: string[] = [];
  for (let node: HTMLElement | null = el; node && node !== form; node = node.parentElement) {
    if (node instanceof HTMLFieldSetElement && node.hasAttribute('data-item'))
      parts.unshift(node.querySelector(':scope > legend')?.textContent ?? '');
  }
  const label = isControl(el)
    ? el.labels?.[0]?.textContent
    : el instanceof HTMLFieldSetElement && !el.hasAttribute('data-item')
      ? el.querySelector(':scope > legend')?.textContent
      : null;
  if (label) parts.push(label);
  return parts.filter(Boolean).join(' › ');
}

function clearErrorOf(el: HTMLElement): void {
  const path = el.dataset.path;
  if (!path) return;
  if (isControl(el)) clearFieldError(el);
  for (const key of Object.keys(errors)) if (stripLang(key) === path) delete errors[key];
}

function focusTarget(el: HTMLElement): void {
  const focusable = isControl(el) ? el : el.querySelector<HTMLElement>('input, select, textarea, button, [tabindex]');
  el.scrollIntoView({ block: 'center' });
  (focusable ?? el).focus();
}

function selectInJson(path: string): void {
  let p = stripLang(path);
  let span = spans.get(p);
  while (!span && p.includes('.')) {
    p = p.slice(0, p.lastIndexOf('.'));
    span = spans.get(p);
  }
  if (!span) {
    jsonText.focus();
    return;
  }
  jsonText.focus();
  jsonText.setSelectionRange(span[0], span[1]);
  const line = jsonText.value.slice(0, span[0]).split('\n').length;
  const lines = jsonText.value.split('\n').length;
  jsonText.scrollTop = Math.max(0, (line / lines) * jsonText.scrollHeight - jsonText.clientHeight / 2);
}

/** Marks every error next to its field (form view) and lists them all in the summary. */
function applyErrors(): void {
  for (const old of form.querySelectorAll('.test-group-error')) old.remove();
  const entries = Object.entries(errors);
  summary.hidden = !entries.length;
  if (!entries.length) {
    summary.replaceChildren();
    return;
  }
  const list = h('ul', {});
  // In the order of the form (the API reports them in its own order); unplaced ones last.
  const placed = entries.map(([path, raw]) => ({ path, raw, target: targetOf(path) }));
  placed.sort((a, b) =>
    !a.target ? 1 : !b.target ? -1 : a.target.compareDocumentPosition(b.target) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
  );
  for (const { path, raw, target } of placed) {
    const message = translate(raw);
    if (target && isControl(target)) {
      setFieldError(target, message);
    } else if (target) {
      const id = `${target.id || controlId(path)}-group-error`;
      const note = h(
        'p',
        { class: 'field-error test-group-error', id },
        h('span', { class: 'visually-hidden' }, `${tc('form.errorPrefix')} `),
        message,
      );
      const legend = target.querySelector(':scope > legend');
      if (legend) legend.after(note);
      else target.prepend(note);
      target.setAttribute('aria-describedby', [target.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
    }
    const label = view === 'json' || !target ? path : describe(target);
    const text = label ? `${label}: ${message}` : message;
    const link = h('a', { href: `#${target?.id ?? 'test-json-text'}`, 'data-error-path': path }, text);
    link.addEventListener('click', (event) => {
      event.preventDefault();
      if (view === 'json') return selectInJson(path);
      const current = targetOf(path);
      if (current) focusTarget(current);
    });
    list.append(h('li', {}, target || view === 'json' ? link : text));
  }
  summary.replaceChildren(h('p', { class: 'form-error__title' }, tc('assess.errors')), list);
}

// ---- JSON ----------------------------------------------------------------------------------

/** JSON.stringify(doc, null, 2), remembering where each path's value is. */
function toJson(value: unknown): string {
  let text = '';
  spans = new Map();
  const write = (v: unknown, path: string, indent: string) => {
    const start = text.length;
    const inner = `${indent}  `;
    if (Array.isArray(v)) {
      if (!v.length) text += '[]';
      else {
        text += '[\n';
        v.forEach((x, i) => {
          text += inner;
          write(x, path ? `${path}.${i}` : String(i), inner);
          text += i < v.length - 1 ? ',\n' : '\n';
        });
        text += `${indent}]`;
      }
    } else if (isObj(v)) {
      const entries = Object.entries(v).filter(([, x]) => x !== undefined);
      if (!entries.length) text += '{}';
      else {
        text += '{\n';
        entries.forEach(([k, x], i) => {
          text += `${inner}${JSON.stringify(k)}: `;
          write(x, path ? `${path}.${k}` : k, inner);
          text += i < entries.length - 1 ? ',\n' : '\n';
        });
        text += `${indent}}`;
      }
    } else {
      text += JSON.stringify(v ?? null) ?? 'null';
    }
    spans.set(path, [start, text.length]);
  };
  write(value, '', '');
  return text;
}

/** Parses the JSON view into the document; shows a syntax error next to it and returns false. */
function applyJson(): boolean {
  clearFieldError(jsonText);
  let parsed: unknown;
  try {
    parsed = JSON.parse(jsonText.value);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /position (\d+)/.exec(message);
    if (at) {
      const pos = Number(at[1]);
      const before = jsonText.value.slice(0, pos).split('\n');
      setFieldError(
        jsonText,
        tc('assess.jsonSyntaxAt', {
          message: message.replace(/\s*(in JSON )?at position.*$/, ''),
          line: before.length,
          column: before[before.length - 1]!.length + 1,
        }),
      );
      jsonText.focus();
      jsonText.setSelectionRange(pos, pos + 1);
    } else {
      setFieldError(jsonText, tc('assess.jsonSyntax', { message }));
      jsonText.focus();
    }
    return false;
  }
  if (!isObj(parsed)) {
    setFieldError(jsonText, tc('assess.jsonNotObject'));
    jsonText.focus();
    return false;
  }
  const next = stripExport(parsed);
  if (meta.id && next.kind !== doc.kind) {
    // The API refuses a change of kind; say it next to the text, not after a round trip.
    setFieldError(jsonText, tc('assess.err.kindFixed'));
    jsonText.focus();
    return false;
  }
  if (JSON.stringify(next) !== JSON.stringify(doc)) changed();
  doc = next;
  jsonText.value = toJson(doc);
  return true;
}

function stripExport(input: Record<string, unknown>): Doc {
  const copy: Doc = { ...input };
  for (const f of EXPORT_FIELDS) delete copy[f];
  return copy;
}

function setView(next: 'form' | 'json', focus = false): void {
  view = next;
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="test-view"]')) radio.checked = radio.value === next;
  form.hidden = next !== 'form';
  jsonPanel.hidden = next !== 'json';
  langSelect.disabled = next === 'json';
  if (next === 'json') {
    jsonText.value = toJson(doc);
    applyErrors();
    if (focus) jsonText.focus();
  } else {
    render();
  }
}

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name="test-view"]')) {
  radio.addEventListener('change', () => {
    if (!radio.checked) return;
    if (radio.value === 'form') {
      if (!applyJson()) return setView('json');
      setView('form');
    } else {
      setView('json');
    }
  });
}

byId('test-json-apply').addEventListener('click', () => {
  if (!applyJson()) return;
  setView('form');
  say(tc('assess.jsonApplied'));
  statusLine.textContent = tc('assess.jsonApplied');
});

jsonText.addEventListener('input', () => {
  dirty = true;
  publishButton.hidden = false;
});

langSelect.addEventListener('change', () => {
  if (isLang(langSelect.value)) textLang = langSelect.value;
  render();
});

// ---- saving and publishing ---------------------------------------------------------------

type AuthorTest = Schemas['AuthorTest'];

function loaded(test: AuthorTest): void {
  meta = { id: test.id, version: test.version, status: test.status, publishedVersion: test.publishedVersion, updatedAt: test.updatedAt };
  doc = stripExport(test);
  hadDescription = doc.description !== undefined;
  dirty = false;
}

function payload(): Doc {
  const body: Doc = { ...doc };
  if (meta.id) {
    // PATCH merges top-level fields over the stored document: say "none" explicitly.
    body.scales ??= [];
    body.timeLimitSec ??= null;
    body.courseId ??= null;
    if (body.description === undefined && hadDescription) (body as Record<string, unknown>).description = null;
  }
  return body;
}

function setBusy(busy: boolean): void {
  for (const b of [saveButton, publishButton]) b.setAttribute('aria-disabled', String(busy));
}

async function save(): Promise<boolean> {
  if (saveButton.getAttribute('aria-disabled') === 'true') return false;
  if (view === 'json' && !applyJson()) return false;
  setBusy(true);
  statusLine.textContent = '';
  try {
    const id = meta.id;
    const saved = id
      ? await api.patch<AuthorTest>(`/api/tests/${encodeURIComponent(id)}`, payload())
      : await api.post<AuthorTest>('/api/tests', payload());
    loaded(saved);
    errors = {};
    if (!id) history.replaceState(null, '', testEditorUrl(saved.id));
    if (view === 'json') setView('json');
    else render();
    statusLine.textContent = tc('assess.saved', { version: saved.version });
    return true;
  } catch (error) {
    if (isApiError(error) && Object.keys(error.fields).length) {
      errors = { ...error.fields };
      if (view === 'json') {
        jsonText.value = toJson(doc);
        applyErrors();
      } else {
        render();
      }
      summary.focus();
    } else if (!(isApiError(error) && error.notified)) {
      statusLine.textContent = '';
      errors = {};
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
  if ((dirty || !meta.id) && !(await save())) return;
  setBusy(true);
  try {
    const published = await api.post<AuthorTest>(`/api/tests/${encodeURIComponent(meta.id!)}/publish`);
    loaded(published);
    render();
    statusLine.textContent = tc('assess.publishedNow', { version: published.version });
    byId('test-title').focus();
  } catch (error) {
    if (isApiError(error) && Object.keys(error.fields).length) {
      errors = { ...error.fields };
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
  if (dirty) event.preventDefault();
});

// ---- statistics --------------------------------------------------------------------------

type Stats = Schemas['TestStats'];

const percent = (x: number) => `${Math.round(x * 100)}%`;

async function loadStats(): Promise<void> {
  const body = byId('test-stats-body');
  body.replaceChildren(h('p', { class: 'state loading' }, tc('common.loading')));
  try {
    const s = await api.get<Stats>(`/api/tests/${encodeURIComponent(meta.id!)}/stats`, { lang: false });
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
  langSelect.value = textLang;
  if (id === 'new') {
    const kind = new URLSearchParams(location.search).get('kind') === 'quiz' ? 'quiz' : 'assessment';
    doc = templates(kind);
    meta = { id: null, version: 0, status: 'draft', publishedVersion: null, updatedAt: null };
  } else {
    const test = await api.get<AuthorTest>(`/api/tests/${encodeURIComponent(id)}`, { lang: false });
    // Anyone may read a published test's questions; only its author gets the document.
    if (!('authorId' in test)) throw new ApiError({ status: 404, code: 'not_found', message: '' });
    loaded(test);
    // Edit in the language the test has texts in, when the page language has none.
    const title = doc.title;
    if (isObj(title) && !title[textLang]) {
      const other = LANGS.find((l) => title[l]);
      if (other) textLang = langSelect.value = other as Lang;
    }
    if (meta.publishedVersion) void loadStats();
  }
  setView('form');
}
