import { describe, expect, it } from 'vitest';
import type { Answer, TestDocument } from '../../db/schema/index.ts';
import { scoreAttempt } from './scoring.ts';

const t = (ru: string) => ({ ru });

/** Two Likert items (one reversed), one single and one multiple choice item on two scales. */
const assessment: TestDocument = {
  kind: 'assessment',
  courseId: null,
  title: t('Тревожность'),
  timeLimitSec: null,
  scales: [
    {
      key: 'anxiety',
      title: t('Тревожность'),
      bands: [
        { min: 0, max: 7, label: t('норма'), text: t('…') },
        { min: 8, max: 20, label: t('повышена'), text: t('…') },
      ],
    },
    { key: 'mood', title: t('Настроение'), bands: [{ min: 0, max: 2, label: t('низкое'), text: t('…') }] },
  ],
  questions: [
    { key: 'q1', type: 'likert', text: t('…'), min: 0, max: 4, scores: [{ scale: 'anxiety', reverse: false }] },
    { key: 'q2', type: 'likert', text: t('…'), min: 0, max: 4, scores: [{ scale: 'anxiety', reverse: true }] },
    {
      key: 'q3',
      type: 'single',
      text: t('…'),
      options: [
        { key: 'a', text: t('…'), scores: { anxiety: 2, mood: 1 } },
        { key: 'b', text: t('…'), scores: { anxiety: 0 } },
      ],
    },
    {
      key: 'q4',
      type: 'multiple',
      text: t('…'),
      options: [
        { key: 'x', text: t('…'), scores: { anxiety: 1 } },
        { key: 'y', text: t('…'), scores: { anxiety: 3, mood: 2 } },
        { key: 'z', text: t('…') },
      ],
    },
    { key: 'q5', type: 'text', text: t('…') },
  ],
};

type Row = [label: string, answers: Record<string, Answer>, anxiety: number, band: string | null, mood: number];

describe('scoreAttempt — assessment worked examples', () => {
  it.each<Row>([
    ['nothing answered: every scale 0, lowest band', {}, 0, 'норма', 0],
    ['plain likert adds the value', { q1: { value: 3 } }, 3, 'норма', 0],
    ['reverse likert adds max − value (4 − 1 = 3)', { q2: { value: 1 } }, 3, 'норма', 0],
    ['reverse likert at max adds 0', { q2: { value: 4 } }, 0, 'норма', 0],
    ['reverse likert at min adds max (4)', { q2: { value: 0 } }, 4, 'норма', 0],
    ['band edge: 7 is the top of "норма"', { q1: { value: 4 }, q2: { value: 1 } }, 7, 'норма', 0],
    ['band edge: 8 is the bottom of "повышена"', { q1: { value: 4 }, q2: { value: 0 } }, 8, 'повышена', 0],
    ['single choice adds the option points to each scale', { q3: { option: 'a' } }, 2, 'норма', 1],
    ['multiple choice adds every chosen option', { q4: { options: ['x', 'y'] } }, 4, 'норма', 2],
    ['an option without points adds 0', { q4: { options: ['z'] } }, 0, 'норма', 0],
    ['text answers are never scored', { q5: { text: 'много' } }, 0, 'норма', 0],
    [
      'everything at once: 4 + 4 + 2 + 4 = 14',
      { q1: { value: 4 }, q2: { value: 0 }, q3: { option: 'a' }, q4: { options: ['x', 'y', 'z'] } },
      14,
      'повышена',
      3,
    ],
    ['above every band of a scale → no band', { q3: { option: 'a' }, q4: { options: ['y'] } }, 5, 'норма', 3],
    [
      'wrong-shaped or unknown answers add nothing',
      { q1: { option: 'a' }, q3: { option: 'nope' }, q4: { options: ['nope'] } },
      0,
      'норма',
      0,
    ],
  ])('%s', (_label, answers, anxiety, band, mood) => {
    const out = scoreAttempt(assessment, answers);
    const a = out.scales.find((s) => s.key === 'anxiety')!;
    const m = out.scales.find((s) => s.key === 'mood')!;
    expect(a.score).toBe(anxiety);
    expect(a.band?.label.ru ?? null).toBe(band);
    expect(m.score).toBe(mood);
    if (mood > 2) expect(m.band).toBeNull();
    expect(out).toMatchObject({ score: null, passed: null });
  });

  it('reports each scale range for charts: anxiety 0..4+4+2+4, mood 0..1+2', () => {
    const out = scoreAttempt(assessment, {});
    expect(out.scales.map((s) => [s.key, s.min, s.max])).toEqual([
      ['anxiety', 0, 14],
      ['mood', 0, 3],
    ]);
  });

  it('reverse scoring of a 1–5 item follows the SPEC formula max − value', () => {
    const doc: TestDocument = {
      ...assessment,
      questions: [{ key: 'q', type: 'likert', text: t('…'), min: 1, max: 5, scores: [{ scale: 'anxiety', reverse: true }] }],
    };
    expect([1, 2, 3, 4, 5].map((v) => scoreAttempt(doc, { q: { value: v } }).scales[0]!.score)).toEqual([4, 3, 2, 1, 0]);
  });

  it('is deterministic: the same answers in any key order give the same outcome', () => {
    const a = scoreAttempt(assessment, { q1: { value: 2 }, q4: { options: ['y', 'x'] } });
    const b = scoreAttempt(assessment, { q4: { options: ['x', 'y'] }, q1: { value: 2 } });
    expect(a).toEqual(b);
  });
});

const quiz: TestDocument = {
  kind: 'quiz',
  courseId: null,
  title: t('Квиз'),
  timeLimitSec: 600,
  passMark: 0.5,
  scales: [],
  questions: [
    {
      key: 's',
      type: 'single',
      text: t('…'),
      options: [
        { key: 'a', text: t('…'), correct: true },
        { key: 'b', text: t('…') },
      ],
    },
    {
      key: 'm',
      type: 'multiple',
      text: t('…'),
      options: [
        { key: 'a', text: t('…'), correct: true },
        { key: 'b', text: t('…') },
        { key: 'c', text: t('…'), correct: true },
      ],
    },
    { key: 'l', type: 'likert', text: t('…'), min: 1, max: 5 },
    { key: 'x', type: 'text', text: t('…') },
  ],
};

describe('scoreAttempt — quiz worked examples (multiple choice is all-or-nothing)', () => {
  it.each<[string, Record<string, Answer>, number, number, boolean]>([
    ['nothing answered', {}, 0, 0, false],
    ['single right only → 1/2 = passMark → passed', { s: { option: 'a' } }, 1, 0.5, true],
    ['multiple exactly right only', { m: { options: ['c', 'a'] } }, 1, 0.5, true],
    ['multiple partly right (a only) scores 0', { m: { options: ['a'] } }, 0, 0, false],
    ['multiple with an extra wrong option scores 0', { m: { options: ['a', 'b', 'c'] } }, 0, 0, false],
    ['all right → 1', { s: { option: 'a' }, m: { options: ['a', 'c'] } }, 2, 1, true],
    ['likert and text answers do not count', { l: { value: 5 }, x: { text: 'ответ' }, s: { option: 'b' } }, 0, 0, false],
  ])('%s', (_label, answers, correct, score, passed) => {
    expect(scoreAttempt(quiz, answers)).toMatchObject({ correct, total: 2, score, passed });
  });

  it('passes exactly at a passMark that is not a binary fraction (7/10 ≥ 0.7)', () => {
    const questions = Array.from({ length: 10 }, (_, i) => ({
      key: `q${i}`,
      type: 'single' as const,
      text: t('…'),
      options: [
        { key: 'a', text: t('…'), correct: true },
        { key: 'b', text: t('…') },
      ],
    }));
    const doc: TestDocument = { ...quiz, passMark: 0.7, questions };
    const answers = Object.fromEntries(questions.map((q, i) => [q.key, { option: i < 7 ? 'a' : 'b' }]));
    expect(scoreAttempt(doc, answers)).toMatchObject({ correct: 7, score: 0.7, passed: true });
    answers.q6 = { option: 'b' };
    expect(scoreAttempt(doc, answers)).toMatchObject({ correct: 6, passed: false });
  });
});
