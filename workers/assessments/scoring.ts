import type { Answer, Question, ScaleResult, TestDocument } from '../../db/schema/index.ts';

/**
 * The scorer: a pure, deterministic function of (document version, saved answers).
 *
 * Scales
 * - Likert item: adds the chosen value to each scale it names; a reverse-scored item adds
 *   `max − value` (SPEC wording: for a 0–4 item, 4 → 0 … 0 → 4; for a 1–5 item, 5 → 0 … 1 → 4).
 * - Single choice: adds the chosen option's points (`scores[scale]`, 0 when absent).
 * - Multiple choice: adds the points of every chosen option.
 * - Text: never scored. An unanswered question adds 0.
 * - Band: the first band with `min ≤ score ≤ max` (the document guarantees bands are ordered and
 *   do not overlap); a score outside every band has no band.
 *
 * Quiz score
 * - Only single and multiple choice questions count; likert and text items do not.
 * - Single: right when the chosen option is marked correct.
 * - Multiple: all-or-nothing — right only when the chosen set equals the set of correct
 *   options exactly (no partial credit: a partly right answer scores 0 for the question).
 * - score = right / number of choice questions (unanswered = wrong); passed = score ≥ passMark.
 */
export interface ScoreOutcome {
  scales: ScaleResult[];
  /** Quizzes only (null for assessments). */
  score: number | null;
  correct: number | null;
  total: number | null;
  passed: boolean | null;
}

type Answers = Readonly<Record<string, Answer | undefined>>;

/** Points a question adds to `scale` for `answer`, and the lowest/highest it could add. */
function contribution(q: Question, scale: string, answer: Answer | undefined): { points: number; lo: number; hi: number } {
  if (q.type === 'likert') {
    let points = 0;
    let lo = 0;
    let hi = 0;
    for (const ref of q.scores ?? []) {
      if (ref.scale !== scale) continue;
      const value =
        answer && 'value' in answer && Number.isInteger(answer.value) && answer.value >= q.min && answer.value <= q.max
          ? answer.value
          : undefined;
      const [low, high] = ref.reverse ? [0, q.max - q.min] : [q.min, q.max];
      lo += Math.min(0, low);
      hi += Math.max(0, high);
      if (value !== undefined) points += ref.reverse ? q.max - value : value;
    }
    return { points, lo, hi };
  }
  if (q.type === 'single' || q.type === 'multiple') {
    const pointsOf = (key: string) => q.options.find((o) => o.key === key)?.scores?.[scale] ?? 0;
    const all = q.options.map((o) => o.scores?.[scale] ?? 0);
    const chosen = chosenOptions(q, answer);
    const points = chosen.reduce((sum, key) => sum + pointsOf(key), 0);
    if (q.type === 'single') return { points, lo: Math.min(0, ...all), hi: Math.max(0, ...all) };
    return { points, lo: all.filter((p) => p < 0).reduce((a, b) => a + b, 0), hi: all.filter((p) => p > 0).reduce((a, b) => a + b, 0) };
  }
  return { points: 0, lo: 0, hi: 0 };
}

/** The valid option keys an answer picks (unknown keys and wrong shapes pick nothing). */
function chosenOptions(q: Extract<Question, { type: 'single' | 'multiple' }>, answer: Answer | undefined): string[] {
  const known = new Set(q.options.map((o) => o.key));
  if (!answer) return [];
  if (q.type === 'single') return 'option' in answer && known.has(answer.option) ? [answer.option] : [];
  if (!('options' in answer)) return [];
  return [...new Set(answer.options)].filter((k) => known.has(k));
}

export function scoreAttempt(doc: TestDocument, answers: Answers): ScoreOutcome {
  const scales: ScaleResult[] = doc.scales.map((scale) => {
    let score = 0;
    let min = 0;
    let max = 0;
    for (const q of doc.questions) {
      const c = contribution(q, scale.key, answers[q.key]);
      score += c.points;
      min += c.lo;
      max += c.hi;
    }
    const bandIndex = scale.bands.findIndex((b) => b.min <= score && score <= b.max);
    const band = bandIndex >= 0 ? scale.bands[bandIndex]! : undefined;
    return {
      key: scale.key,
      title: scale.title,
      score,
      min,
      max,
      bandIndex: band ? bandIndex : null,
      band: band ? { label: band.label, text: band.text } : null,
    };
  });

  if (doc.kind !== 'quiz') return { scales, score: null, correct: null, total: null, passed: null };

  let total = 0;
  let correct = 0;
  for (const q of doc.questions) {
    if (q.type !== 'single' && q.type !== 'multiple') continue;
    total++;
    const chosen = new Set(chosenOptions(q, answers[q.key]));
    const right = new Set(q.options.filter((o) => o.correct).map((o) => o.key));
    if (chosen.size === right.size && [...right].every((k) => chosen.has(k))) correct++;
  }
  const score = total ? correct / total : 0;
  // Division is correctly rounded, so equal fractions compare equal (7/10 >= 0.7).
  return { scales, score, correct, total, passed: score >= (doc.passMark ?? 1) };
}
