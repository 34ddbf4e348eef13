import type { Localized, TestKind } from '../../lib/assessments';
import { tc } from '../../lib/i18n-client';
import { clearErrorOf } from './errors';
import { type Bind, render, renderHead } from './form';
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
  say,
  setAt,
  state,
  statusLine,
  templates,
} from './state';

// ---- editing ---------------------------------------------------------------------------

export function changed(): void {
  state.dirty = true;
  statusLine.textContent = '';
  publishButton.hidden = false;
}

export function renameScale(from: string | undefined, to: string): void {
  if (!from || from === to) return;
  // Only when the key was this scale's alone; a duplicate is the API's to report.
  if (arr<Scale>(state.doc.scales).filter((s) => s?.key === from).length > 1) return;
  for (const q of arr<Question>(state.doc.questions)) {
    for (const ref of arr<ScaleRef>(q?.scores)) if (ref?.scale === from) ref.scale = to;
    for (const o of arr<Option>(q?.options)) {
      if (o?.scores && from in o.scores) {
        o.scores[to] = o.scores[from]!;
        delete o.scores[from];
      }
    }
  }
}

export function readControl(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement): boolean {
  const path = el.dataset.path ?? '';
  const raw = el.value.trim();
  switch (el.dataset.bind as Bind | 'bool' | 'correct' | 'ref' | 'reverse' | 'type' | 'kind' | undefined) {
    case 'text': {
      const current = getAt(path);
      const texts: Localized = isObj(current) ? { ...(current as Localized) } : {};
      if (el.value.trim()) texts[state.textLang] = el.value;
      else delete texts[state.textLang];
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
      const order = arr<Scale>(state.doc.scales).map((s) => s?.key);
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
      if (!state.dirty) state.doc = templates(kind);
      else convertKind(kind);
      return true;
    }
    default:
      return false;
  }
}

export function convertQuestion(q: Question, type: string): Question {
  const base = { key: q?.key ?? '', type, text: q?.text ?? {} };
  if (type === 'likert') return { ...base, min: q?.min ?? 0, max: q?.max ?? 4, scores: arr<ScaleRef>(q?.scores) };
  if (type === 'single' || type === 'multiple') {
    let options = arr<Option>(q?.options).map((o) => ({ ...o }));
    if (options.length < 2)
      options = [
        { key: 'a', text: {} },
        { key: 'b', text: {} },
      ];
    if (type === 'single' && state.doc.kind === 'quiz') {
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

export function convertKind(kind: TestKind): void {
  state.doc.kind = kind;
  for (const q of arr<Question>(state.doc.questions)) {
    for (const o of arr<Option>(q?.options)) if (kind === 'assessment') delete o.correct;
  }
  if (kind === 'quiz') state.doc.passMark ??= 0.5;
  else delete state.doc.passMark;
}

export function nextKey(existing: (string | undefined)[], prefix: string): string {
  let n = existing.length + 1;
  while (existing.includes(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

export function structural(focusId: string, message: string): void {
  changed();
  render(focusId);
  say(message);
}

export function addScale(): void {
  const scales = arr<Scale>(state.doc.scales);
  if (!Array.isArray(state.doc.scales)) state.doc.scales = scales;
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

export function addBand(scaleIndex: number): void {
  const scale = arr<Scale>(state.doc.scales)[scaleIndex];
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

export function addQuestion(): void {
  const questions = arr<Question>(state.doc.questions);
  if (!Array.isArray(state.doc.questions)) state.doc.questions = questions;
  const previous = questions[questions.length - 1]?.type;
  const type = (QUESTION_TYPES as readonly string[]).includes(String(previous))
    ? String(previous)
    : state.doc.kind === 'quiz'
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
    q.scores = arr<Scale>(state.doc.scales)
      .slice(0, 1)
      .map((s) => ({ scale: s.key ?? '', reverse: false }));
  questions.push(q);
  structural(
    controlId(`questions.${questions.length - 1}.text`),
    tc('assess.added', { what: tc('assess.question', { n: questions.length }) }),
  );
}

export function addOption(qPath: string): void {
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

export function move(listPath: string, index: number, delta: number, what: string): void {
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

export function remove(listPath: string, index: number, what: string, focusAfter: string): void {
  const list = arr<unknown>(getAt(listPath));
  const [gone] = list.splice(index, 1);
  if (listPath === 'scales') {
    // References to the removed scale go with it.
    const key = (gone as Scale | undefined)?.key;
    for (const q of arr<Question>(state.doc.questions)) {
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
