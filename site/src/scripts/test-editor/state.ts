// The test editor's model: the document being edited (the API's own types, every field optional),
// its metadata and view state, the page's fixed elements, and paths into the document.
import type { Lang } from '../../i18n/langs';
import type { TestKind } from '../../lib/assessments';
import { byId } from '../../lib/dom';
import { pageLang } from '../../lib/i18n-client';
import type { Schemas } from '../../lib/types';

// The document while it is edited: the API's own shapes (generated from its OpenAPI document),
// every field optional — an unfinished document is the normal state of an editor.
export type Editable<T> = T extends (infer U)[] ? Editable<U>[] : T extends object ? { [K in keyof T]?: Editable<T[K]> } : T;
/** Every field any question type has, so the form can switch a question's type in place. */
export type AnyQuestion = Schemas['Question'];
export type AllKeys<U> = U extends unknown ? keyof U : never;
export type Merged<U> = { [K in AllKeys<U>]: U extends Record<K, infer V> ? V : U extends Partial<Record<K, infer V>> ? V : never };
export type TestDocument = Omit<
  Schemas['AuthorTest'],
  'id' | 'authorId' | 'version' | 'status' | 'publishedVersion' | 'createdAt' | 'updatedAt'
>;
export type Scale = Editable<Schemas['Scale']>;
export type Band = NonNullable<Scale['bands']>[number];
export type Question = Omit<Editable<Merged<AnyQuestion>>, 'type'> & { type?: string };
export type Option = NonNullable<Question['options']>[number];
export type ScaleRef = NonNullable<Question['scores']>[number];
export type Doc = Record<string, unknown> & Omit<Editable<TestDocument>, 'questions'> & { questions?: Question[] };
export interface Meta {
  id: string | null;
  version: number;
  status: 'draft' | 'published';
  publishedVersion: number | null;
  updatedAt: string | null;
}

/** Fields a GET adds to the document (the API ignores them on write). */
export const EXPORT_FIELDS = [
  'id',
  'authorId',
  'version',
  'status',
  'publishedVersion',
  'createdAt',
  'updatedAt',
  'publishedAt',
  'hasDraft',
];
export const QUESTION_TYPES = ['single', 'multiple', 'likert', 'text'] as const;

export const form = byId<HTMLFormElement>('test-form');
export const live = byId('test-live');
export const statusLine = byId('test-status');
export const summary = byId('test-errors');
export const jsonPanel = byId('test-json');
export const jsonText = byId<HTMLTextAreaElement>('test-json-text');
export const saveButton = byId<HTMLButtonElement>('test-save');
export const publishButton = byId<HTMLButtonElement>('test-publish');
export const langSelect = byId<HTMLSelectElement>('test-text-lang');

/** The editor's one mutable state, shared by its modules. */
export const state = {
  doc: {} as Doc,
  meta: { id: null, version: 0, status: 'draft', publishedVersion: null, updatedAt: null } as Meta,
  textLang: pageLang() as Lang,
  view: 'form' as 'form' | 'json',
  /** The API's field errors of the last save, by path. */
  errors: {} as Record<string, string>,
  dirty: false,
  hadDescription: false,
  /** Where each path's value sits in the JSON text (for selecting an error there). */
  spans: new Map<string, [number, number]>(),
};

export const arr = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
export const isObj = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Polite announcement (a fresh text after a tick is read again). */
export function say(message: string): void {
  live.textContent = '';
  window.setTimeout(() => (live.textContent = message), 50);
}

export function templates(kind: TestKind): Doc {
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

export function getAt(path: string): unknown {
  let node: unknown = state.doc;
  for (const part of path.split('.')) {
    if (!isObj(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

/** Sets a value in the document; undefined deletes the field. */
export function setAt(path: string, value: unknown): void {
  const parts = path.split('.');
  let node: Record<string, unknown> = state.doc;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!isObj(next) && !Array.isArray(next)) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
}

export const controlId = (path: string) => `td-${path.replace(/[^A-Za-z0-9_-]/g, (c) => (c === '.' ? '--' : '_'))}`;
export const stripLang = (path: string) => path.replace(/\.(ru|kk|en)$/, '');
