// The structured form of the test editor: building blocks, and the blocks for basics, scales and
// questions, rendered from the document in state.ts.
import { ENDONYMS } from '../../i18n/langs';
import { formatDateTime, kindName, localText } from '../../lib/assessments';
import { byId, h } from '../../lib/dom';
import { tc } from '../../lib/i18n-client';
import type { Key } from '../../i18n/en';
import { addBand, addOption, addQuestion, addScale, move, remove } from './editing';
import { applyErrors } from './errors';
import {
  type Band,
  type Option,
  QUESTION_TYPES,
  type Question,
  type Scale,
  type ScaleRef,
  arr,
  controlId,
  form,
  getAt,
  isObj,
  publishButton,
  state,
} from './state';

// ---- building blocks ------------------------------------------------------------------

export type Bind = 'text' | 'string' | 'int' | 'minutes' | 'percent' | 'scalekey';

export function control(
  path: string,
  bind: Bind,
  attrs: Record<string, string | number | boolean | undefined> = {},
  multiline = false,
): HTMLInputElement | HTMLTextAreaElement {
  const value = getAt(path);
  let shown = '';
  if (bind === 'text') shown = isObj(value) ? String(value[state.textLang] ?? '') : '';
  else if (bind === 'minutes') shown = typeof value === 'number' ? String(Math.round((value / 60) * 100) / 100) : '';
  else if (bind === 'percent') shown = typeof value === 'number' ? String(Math.round(value * 10000) / 100) : '';
  else shown = value === undefined || value === null ? '' : String(value);
  const common = {
    id: controlId(path),
    'data-path': path,
    'data-bind': bind,
    lang: bind === 'text' ? state.textLang : undefined,
    ...attrs,
  };
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

export function field(label: string, input: HTMLElement, hint?: string, extraClass = ''): HTMLDivElement {
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

export const langLabel = (key: Key) => tc(key, { lang: ENDONYMS[state.textLang] });

export function checkbox(
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

export function button(
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
export function item(path: string, legend: string, ...children: (Node | null)[]): HTMLLIElement {
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
export function itemActions(
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

export function basics(): HTMLFieldSetElement {
  const kind = state.doc.kind;
  const kindControl = state.meta.id
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
    kind === 'quiz' || state.doc.passMark !== undefined
      ? field(tc('assess.field.passMark'), control('passMark', 'percent', { min: 0, max: 100, step: 'any' }))
      : null,
  );
}

export function scaleName(scale: Scale | undefined, index: number): string {
  return localText(scale?.title).text || scale?.key || tc('assess.scale', { n: index + 1 });
}

export function scalesBlock(): HTMLFieldSetElement {
  const scales = arr<Scale>(state.doc.scales);
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

export function likertScores(q: Question, path: string): HTMLElement {
  const scales = arr<Scale>(state.doc.scales);
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

export function optionsBlock(q: Question, path: string, what: string): HTMLElement {
  const options = arr<Option>(q.options);
  const scales = arr<Scale>(state.doc.scales);
  const quiz = state.doc.kind === 'quiz';
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

export function questionsBlock(): HTMLFieldSetElement {
  const questions = arr<Question>(state.doc.questions);
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

export function renderHead(): void {
  const title = localText(state.doc.title);
  const heading = byId('test-title');
  heading.textContent = title.text || tc('assess.newTitle');
  if (title.lang) heading.setAttribute('lang', title.lang);
  else heading.removeAttribute('lang');
  document.title = `${heading.textContent} — ${tc('studio.title')} — Sabaq`;
  const stateEl = byId('test-state');
  const published = state.meta.id !== null && state.meta.status === 'published';
  stateEl.textContent = tc(published ? 'studio.published' : 'studio.draft');
  stateEl.toggleAttribute('data-published', published);
  byId('test-version').textContent = !state.meta.id
    ? ''
    : !published && state.meta.publishedVersion
      ? tc('assess.draftOfPublished', { version: state.meta.version, published: state.meta.publishedVersion })
      : `${tc('assess.version', { version: state.meta.version })}${state.meta.updatedAt ? ` · ${tc('assess.updated', { date: formatDateTime(state.meta.updatedAt) })}` : ''}`;
  publishButton.hidden = published && !state.dirty;
  byId('test-stats').hidden = !state.meta.publishedVersion;
}

/** Redraws the form from the document, keeping focus on the same control (or `focusId`). */
export function render(focusId?: string): void {
  const active = focusId ?? (document.activeElement && form.contains(document.activeElement) ? document.activeElement.id : '');
  // Quizzes rarely have scales: their section shows only when the document has some.
  const scales = state.doc.kind !== 'quiz' || arr(state.doc.scales).length > 0;
  form.replaceChildren(basics(), ...(scales ? [scalesBlock()] : []), questionsBlock());
  applyErrors();
  renderHead();
  if (active) document.getElementById(active)?.focus();
}
