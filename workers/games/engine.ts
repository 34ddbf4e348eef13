import type { Answer, GameQuestion } from '../../db/schema/index.ts';

/**
 * The rules of a live game as pure functions: the state machine, answer judging, scoring,
 * ranking and nickname checks. The GameRoom Durable Object only stores and sends what these
 * return, so every rule is tested here with plain values and a given clock.
 */

export type Phase = 'lobby' | 'question' | 'reveal' | 'ended';
export type HostAction = 'start' | 'next' | 'reveal' | 'end';

export interface GameState {
  phase: Phase;
  /** The current (or last shown) question; -1 in the lobby. */
  index: number;
  /** When the current question went out and when it closes, by the game's clock (epoch ms). */
  startedAt: number | null;
  deadline: number | null;
  endedAt: number | null;
}

export const initialState = (): GameState => ({ phase: 'lobby', index: -1, startedAt: null, deadline: null, endedAt: null });

export type Transition = { ok: true; state: GameState; changed: boolean } | { ok: false; code: 'wrong_phase'; message: string };

const wrong = (message: string): Transition => ({ ok: false, code: 'wrong_phase', message });

/**
 * lobby →start→ question 0 →reveal (host or deadline)→ reveal →next→ question 1 … →next after
 * the last reveal→ ended. `end` ends from any phase; ending an ended game changes nothing.
 */
export function transition(state: GameState, action: HostAction, questions: Pick<GameQuestion, 'limitMs'>[], now: number): Transition {
  const ask = (index: number): Transition => ({
    ok: true,
    changed: true,
    state: { ...state, phase: 'question', index, startedAt: now, deadline: now + questions[index]!.limitMs },
  });
  const end = (): Transition => ({ ok: true, changed: true, state: { ...state, phase: 'ended', deadline: null, endedAt: now } });
  switch (action) {
    case 'start':
      if (state.phase !== 'lobby') return wrong('The game has already started');
      return questions.length ? ask(0) : end();
    case 'reveal':
      if (state.phase !== 'question') return wrong('No question is open');
      return { ok: true, changed: true, state: { ...state, phase: 'reveal', deadline: null } };
    case 'next':
      if (state.phase !== 'reveal')
        return wrong(state.phase === 'question' ? 'Show the results of this question first' : 'There is no next question now');
      return state.index + 1 < questions.length ? ask(state.index + 1) : end();
    case 'end':
      return state.phase === 'ended' ? { ok: true, changed: false, state } : end();
  }
}

// ---------------------------------------------------------------------------------------------
// Answers and scoring

export const MAX_POINTS = 1000;

/**
 * Correct answers earn 1,000 points at once, decreasing linearly to 500 at the deadline
 * (so a right answer always beats a wrong one); wrong answers earn 0.
 */
export function points(correct: boolean, elapsedMs: number, limitMs: number): number {
  if (!correct) return 0;
  const share = Math.min(1, Math.max(0, elapsedMs / limitMs));
  return Math.round(MAX_POINTS * (1 - share / 2));
}

/** Single: the one correct option. Multiple: exactly the set of correct options. */
export function isCorrect(q: Pick<GameQuestion, 'type' | 'correct'>, answer: Answer): boolean {
  if (q.type === 'single') return 'option' in answer && q.correct.length === 1 && q.correct[0] === answer.option;
  if (!('options' in answer)) return false;
  const chosen = new Set(answer.options);
  return chosen.size === q.correct.length && q.correct.every((k) => chosen.has(k));
}

export interface AnswerInput {
  index: number;
  option?: unknown;
  options?: unknown;
}

export type AnswerRejection = 'not_open' | 'wrong_question' | 'too_late' | 'already_answered' | 'bad_option';

export interface JudgedAnswer {
  answer: Answer;
  correct: boolean;
  points: number;
  elapsedMs: number;
}

/** Checks one answer against the game's state and clock; the first answer of a seat is final. */
export function judgeAnswer(
  state: GameState,
  q: GameQuestion | undefined,
  input: AnswerInput,
  alreadyAnswered: boolean,
  now: number,
): { ok: true; judged: JudgedAnswer } | { ok: false; code: AnswerRejection } {
  if (state.phase !== 'question' || !q || state.startedAt === null || state.deadline === null) return { ok: false, code: 'not_open' };
  if (input.index !== state.index) return { ok: false, code: 'wrong_question' };
  if (now > state.deadline) return { ok: false, code: 'too_late' };
  if (alreadyAnswered) return { ok: false, code: 'already_answered' };
  const known = new Set(q.options.map((o) => o.key));
  let answer: Answer;
  if (q.type === 'single') {
    if (typeof input.option !== 'string' || !known.has(input.option)) return { ok: false, code: 'bad_option' };
    answer = { option: input.option };
  } else {
    const list = input.options;
    if (
      !Array.isArray(list) ||
      !list.length ||
      list.length > q.options.length ||
      !list.every((k) => typeof k === 'string' && known.has(k))
    ) {
      return { ok: false, code: 'bad_option' };
    }
    const chosen = new Set(list as string[]);
    answer = { options: q.options.map((o) => o.key).filter((k) => chosen.has(k)) };
  }
  const elapsedMs = Math.max(0, now - state.startedAt);
  const correct = isCorrect(q, answer);
  return { ok: true, judged: { answer, correct, points: points(correct, elapsedMs, q.limitMs), elapsedMs } };
}

/** How many players chose each option (a multiple-choice answer counts for each option in it). */
export function distribution(q: Pick<GameQuestion, 'options'>, answers: Iterable<Answer>): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(q.options.map((o) => [o.key, 0]));
  for (const a of answers) {
    const keys = 'option' in a ? [a.option] : 'options' in a ? a.options : [];
    for (const k of keys) if (k in counts) counts[k]!++;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Standings

export interface Standing {
  seat: string;
  nickname: string;
  score: number;
  joinedAt: number;
}

export interface Placed extends Standing {
  /** 1-based; equal scores share a place (1, 1, 3). */
  place: number;
}

/** Highest score first; ties share the place and are listed by who joined first. */
export function rank<T extends Standing>(players: Iterable<T>): (T & { place: number })[] {
  const sorted = [...players].sort((a, b) => b.score - a.score || a.joinedAt - b.joinedAt || (a.seat < b.seat ? -1 : 1));
  let place = 0;
  return sorted.map((p, i) => {
    if (i === 0 || p.score !== sorted[i - 1]!.score) place = i + 1;
    return { ...p, place };
  });
}

export const TOP = 10;
export const top = (ranked: Placed[], n = TOP) => ranked.slice(0, n).map((p) => ({ nickname: p.nickname, score: p.score, place: p.place }));

// ---------------------------------------------------------------------------------------------
// Nicknames and per-socket rate

export const NICKNAME_MAX = 20;

/**
 * A nickname as shown: NFC, trimmed, inner whitespace collapsed, 1–20 characters, and no
 * control or invisible format characters (NUL included), which could fake a duplicate.
 */
export function cleanNickname(raw: string): { ok: true; nickname: string; key: string } | { ok: false; message: string } {
  const nickname = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (/[\p{Cc}\p{Cf}\p{Co}\p{Cn}\u2028\u2029]/u.test(nickname))
    return { ok: false, message: 'The nickname contains control or invisible characters' };
  const length = [...nickname].length;
  if (length < 1) return { ok: false, message: 'Choose a nickname' };
  if (length > NICKNAME_MAX) return { ok: false, message: `At most ${NICKNAME_MAX} characters` };
  return { ok: true, nickname, key: nicknameKey(nickname) };
}

/** Two nicknames that differ only in case are the same seat name. */
export const nicknameKey = (nickname: string) => nickname.toLocaleLowerCase('en');

/** The first of "name2", "name3", … not taken (shortened to fit the limit). */
export function suggestNickname(nickname: string, taken: (key: string) => boolean): string {
  for (let n = 2; ; n++) {
    const suffix = String(n);
    const base = [...nickname].slice(0, NICKNAME_MAX - suffix.length).join('');
    const candidate = base + suffix;
    if (!taken(nicknameKey(candidate))) return candidate;
  }
}

export interface Bucket {
  tokens: number;
  at: number;
}

/** Token bucket: `rate` messages a second sustained, `burst` at once. Mutates the bucket. */
export function take(bucket: Bucket, now: number, rate: number, burst: number): boolean {
  bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * rate);
  bucket.at = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}
