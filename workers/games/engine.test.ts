import { describe, expect, it } from 'vitest';
import type { GameQuestion } from '../../db/schema/index.ts';
import {
  cleanNickname,
  distribution,
  initialState,
  isCorrect,
  judgeAnswer,
  points,
  rank,
  suggestNickname,
  take,
  transition,
  type GameState,
} from './engine.ts';

const single: GameQuestion = {
  key: 's1',
  type: 'single',
  text: { en: '2 + 2' },
  options: [
    { key: 'a', text: { en: '4' } },
    { key: 'b', text: { en: '5' } },
  ],
  correct: ['a'],
  limitMs: 20_000,
};
const multiple: GameQuestion = {
  key: 'm1',
  type: 'multiple',
  text: { en: 'Even' },
  options: [
    { key: 'a', text: { en: '2' } },
    { key: 'b', text: { en: '3' } },
    { key: 'c', text: { en: '4' } },
  ],
  correct: ['a', 'c'],
  limitMs: 10_000,
};
const questions = [single, multiple];

function play(actions: ('start' | 'next' | 'reveal' | 'end')[], now = 1_000): GameState {
  let s = initialState();
  for (const a of actions) {
    const t = transition(s, a, questions, now);
    if (!t.ok) throw new Error(`${a}: ${t.message}`);
    s = t.state;
  }
  return s;
}

describe('scoring — worked examples (20 s limit)', () => {
  it.each([
    ['an instant correct answer', true, 0, 1000],
    ['a correct answer after 5 s', true, 5_000, 875],
    ['a correct answer at half time (10 s)', true, 10_000, 750],
    ['a correct answer after 15 s', true, 15_000, 625],
    ['a correct answer at the deadline', true, 20_000, 500],
    ['a wrong answer, however fast', false, 0, 0],
  ])('%s → %i points', (_label, correct, elapsed, expected) => {
    expect(points(correct, elapsed, 20_000)).toBe(expected);
  });

  it('rounds to whole points and never leaves the 500–1000 band', () => {
    expect(points(true, 333, 20_000)).toBe(992); // 1000 × (1 − 0.01665 / 2) = 991.675
    expect(points(true, 25_000, 20_000)).toBe(500);
    expect(points(true, -5, 20_000)).toBe(1000);
  });

  it('multiple choice is correct only for exactly the correct set', () => {
    expect(isCorrect(multiple, { options: ['a', 'c'] })).toBe(true);
    expect(isCorrect(multiple, { options: ['a'] })).toBe(false);
    expect(isCorrect(multiple, { options: ['a', 'b', 'c'] })).toBe(false);
    expect(isCorrect(single, { option: 'a' })).toBe(true);
    expect(isCorrect(single, { option: 'b' })).toBe(false);
    expect(isCorrect(single, { options: ['a'] })).toBe(false);
  });
});

describe('state machine', () => {
  it('lobby → question 0 → reveal → question 1 → reveal → ended, with the deadline from the question limit', () => {
    const s0 = initialState();
    expect(s0).toMatchObject({ phase: 'lobby', index: -1 });
    const q0 = transition(s0, 'start', questions, 1_000);
    expect(q0).toMatchObject({ ok: true, state: { phase: 'question', index: 0, startedAt: 1_000, deadline: 21_000 } });
    const r0 = transition((q0 as any).state, 'reveal', questions, 5_000);
    expect(r0).toMatchObject({ ok: true, state: { phase: 'reveal', index: 0, deadline: null } });
    const q1 = transition((r0 as any).state, 'next', questions, 8_000);
    expect(q1).toMatchObject({ ok: true, state: { phase: 'question', index: 1, startedAt: 8_000, deadline: 18_000 } });
    const r1 = transition((q1 as any).state, 'reveal', questions, 9_000);
    const end = transition((r1 as any).state, 'next', questions, 10_000);
    expect(end).toMatchObject({ ok: true, changed: true, state: { phase: 'ended', endedAt: 10_000 } });
  });

  it.each([
    ['start twice', ['start'], 'start'],
    ['next before the reveal', ['start'], 'next'],
    ['reveal in the lobby', [], 'reveal'],
    ['reveal twice', ['start', 'reveal'], 'reveal'],
    ['start after the end', ['end'], 'start'],
  ] as const)('refuses %s', (_l, before, action) => {
    expect(transition(play([...before]), action, questions, 2_000)).toMatchObject({ ok: false, code: 'wrong_phase' });
  });

  it('ends from any phase; ending an ended game changes nothing', () => {
    for (const before of [[], ['start'], ['start', 'reveal']] as const) {
      expect(transition(play([...before]), 'end', questions, 3_000)).toMatchObject({ ok: true, changed: true, state: { phase: 'ended' } });
    }
    const ended = play(['end']);
    expect(transition(ended, 'end', questions, 9_000)).toEqual({ ok: true, changed: false, state: ended });
  });
});

describe('judging answers', () => {
  const open = play(['start'], 1_000); // question 0 open from 1 000 to 21 000

  it('accepts a valid answer with its points by the game clock', () => {
    expect(judgeAnswer(open, single, { index: 0, option: 'a' }, false, 11_000)).toEqual({
      ok: true,
      judged: { answer: { option: 'a' }, correct: true, points: 750, elapsedMs: 10_000 },
    });
  });

  it.each([
    ['a second answer', { index: 0, option: 'b' }, true, 2_000, 'already_answered'],
    ['after the deadline', { index: 0, option: 'a' }, false, 21_001, 'too_late'],
    ['for a past or future question', { index: 1, option: 'a' }, false, 2_000, 'wrong_question'],
    ['an option that does not exist', { index: 0, option: 'z' }, false, 2_000, 'bad_option'],
    ['the wrong shape', { index: 0, options: ['a'] }, false, 2_000, 'bad_option'],
  ])('refuses %s', (_l, input, answered, now, code) => {
    expect(judgeAnswer(open, single, input, answered, now)).toEqual({ ok: false, code });
  });

  it('refuses answers when no question is open', () => {
    expect(judgeAnswer(play(['start', 'reveal']), single, { index: 0, option: 'a' }, false, 2_000)).toEqual({
      ok: false,
      code: 'not_open',
    });
    expect(judgeAnswer(initialState(), undefined, { index: 0, option: 'a' }, false, 2_000)).toEqual({ ok: false, code: 'not_open' });
  });

  it('normalizes a multiple choice answer to the option order without repeats', () => {
    const q1 = play(['start', 'reveal', 'next'], 0);
    const r = judgeAnswer(q1, multiple, { index: 1, options: ['c', 'a', 'c'] }, false, 5_000);
    expect(r).toEqual({ ok: true, judged: { answer: { options: ['a', 'c'] }, correct: true, points: 750, elapsedMs: 5_000 } });
    expect(judgeAnswer(q1, multiple, { index: 1, options: [] }, false, 5_000)).toEqual({ ok: false, code: 'bad_option' });
  });

  it('counts the distribution per option', () => {
    expect(distribution(multiple, [{ options: ['a', 'c'] }, { options: ['b'] }, { options: ['a'] }])).toEqual({ a: 2, b: 1, c: 1 });
  });
});

describe('standings', () => {
  it('ranks by score; equal scores share a place and keep join order', () => {
    const ranked = rank([
      { seat: 'x', nickname: 'Aru', score: 750, joinedAt: 3 },
      { seat: 'y', nickname: 'Bek', score: 1000, joinedAt: 2 },
      { seat: 'z', nickname: 'Dana', score: 750, joinedAt: 1 },
      { seat: 'w', nickname: 'Erlan', score: 0, joinedAt: 0 },
    ]);
    expect(ranked.map((p) => [p.nickname, p.place])).toEqual([
      ['Bek', 1],
      ['Dana', 2],
      ['Aru', 2],
      ['Erlan', 4],
    ]);
  });
});

describe('nicknames', () => {
  it.each([
    ['  Әлихан   Құрманғали ', 'Әлихан Құрманғали'],
    ['Dana', 'Dana'],
  ])('keeps %j as %j', (raw, nickname) => {
    expect(cleanNickname(raw)).toMatchObject({ ok: true, nickname });
  });

  it.each([['a\u0000b'], ['bad\u0007bell'], ['zero\u200bwidth'], ['   '], ['x'.repeat(21)]])('refuses %j', (raw) => {
    expect(cleanNickname(raw).ok).toBe(false);
  });

  it('suggests the first free numbered variant, shortened to fit', () => {
    const taken = new Set(['dana', 'dana2']);
    expect(suggestNickname('Dana', (k) => taken.has(k))).toBe('Dana3');
    expect(suggestNickname('x'.repeat(20), () => false)).toBe(`${'x'.repeat(19)}2`);
  });
});

describe('per-socket token bucket (5/s, burst 10)', () => {
  it('allows a burst of 10, then 5 a second', () => {
    const b = { tokens: 10, at: 0 };
    const burst = Array.from({ length: 11 }, () => take(b, 0, 5, 10));
    expect(burst.filter(Boolean)).toHaveLength(10);
    expect(take(b, 100, 5, 10)).toBe(false); // 0.5 token after 100 ms
    expect(take(b, 200, 5, 10)).toBe(true); // 1 token after 200 ms
    expect(take(b, 200, 5, 10)).toBe(false);
  });
});
