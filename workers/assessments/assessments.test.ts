import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { attemptAnswers, attempts, results, tests, users } from '../../db/schema/index.ts';
import {
  answer,
  assessmentDoc,
  createChild,
  createTest,
  expectStatus,
  publish,
  publishedTest,
  quizDoc,
  startAttempt,
  submit,
} from '../../tests/support/assessments.ts';
import { api, show } from '../../tests/support/http.ts';
import { createAdmin, registerUser, testDb, vars, verifiedTeacher } from '../../tests/support/users.ts';
import worker from '../index.ts';
import type { Env } from '../env.ts';
import { CRON_STATS, CRON_SWEEP } from './cron.ts';

async function runCron(cron: string) {
  const exec = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron, scheduledTime: Date.now() }), vars as unknown as Env, exec);
  await waitOnExecutionContext(exec);
}

const rowsOf = async (table: typeof results | typeof attempts, column: any, value: string) =>
  (await testDb().db.select({ n: count() }).from(table).where(eq(column, value)))[0]!.n;

describe('authoring — happy', () => {
  it('a verified teacher creates an assessment; the author reads the whole document back', async () => {
    const teacher = await verifiedTeacher();
    const res = await api('POST', '/api/tests', { token: teacher.token, body: assessmentDoc() });
    expect(res.status, show(res)).toBe(201);
    expect(res.body).toMatchObject({ kind: 'assessment', version: 1, status: 'draft', publishedVersion: null, authorId: teacher.id });
    const got = await api('GET', `/api/tests/${res.body.id}`, { token: teacher.token });
    expect(got.status, show(got)).toBe(200);
    expect(got.body.scales).toHaveLength(2);
    expect(got.body.questions[1].scores).toEqual([{ scale: 'anxiety', reverse: true }]);
    expect(got.body.questions[2].options[0].scores).toEqual({ anxiety: 2, mood: 1 });
  });

  it('an admin may author and publish too', async () => {
    const admin = await createAdmin();
    const test = await createTest(admin, quizDoc());
    const published = await publish(admin, test.id);
    expect(published).toMatchObject({ status: 'published', publishedVersion: 1 });
  });

  it('the exported document imports again unchanged (GET → POST round trip)', async () => {
    const teacher = await verifiedTeacher();
    const original = await createTest(teacher, quizDoc());
    const exported = (await api('GET', `/api/tests/${original.id}`, { token: teacher.token })).body;
    const copy = await createTest(teacher, exported);
    expect(copy.id).not.toBe(original.id);
    const strip = ({ id, createdAt, updatedAt, ...doc }: any) => doc;
    expect(strip(copy)).toEqual(strip(exported));
  });

  it('a taker sees the published questions without correct answers, scores or scales', async () => {
    const { test } = await publishedTest(
      quizDoc({ scales: [{ key: 'k', title: { ru: 'k' }, bands: [{ min: 0, max: 9, label: { ru: 'l' }, text: { ru: 't' } }] }] }),
    );
    const learner = await registerUser('learner');
    for (const token of [learner.token, undefined]) {
      const res = await api('GET', `/api/tests/${test.id}`, { token });
      expect(res.status, show(res)).toBe(200);
      expect(res.body.questions[1].options.map((o: any) => o.key)).toEqual(['a', 'b', 'c']);
      expect(res.text).not.toMatch(/"correct"|"scores"|"scales"|"passMark"/);
    }
  });
});

describe('authoring — security', () => {
  it.each([
    ['a pending teacher', () => registerUser('teacher'), 403],
    ['a learner', () => registerUser('learner'), 403],
    ['a parent', () => registerUser('parent'), 403],
  ])('%s cannot create tests', async (_label, make, status) => {
    const user = await make();
    const res = await api('POST', '/api/tests', { token: user.token, body: assessmentDoc() });
    expect(res.status, show(res)).toBe(status);
    const [{ n }] = (await testDb().db.select({ n: count() }).from(tests).where(eq(tests.authorId, user.id))) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('publishing checks verification in the database, not the token', async () => {
    const teacher = await verifiedTeacher();
    const test = await createTest(teacher);
    await testDb().db.update(users).set({ teacherStatus: 'rejected' }).where(eq(users.id, teacher.id));
    const res = await api('POST', `/api/tests/${test.id}/publish`, { token: teacher.token });
    expect(res.status, show(res)).toBe(403);
    const [row] = await testDb().db.select().from(tests).where(eq(tests.id, test.id));
    expect(row!.publishedVersion).toBeNull();
  });

  it('another teacher cannot read the draft, edit or publish (404), and sees only the taker view once published', async () => {
    const owner = await verifiedTeacher();
    const other = await verifiedTeacher();
    const test = await createTest(owner, quizDoc());
    expect((await api('GET', `/api/tests/${test.id}`, { token: other.token })).status).toBe(404);
    expect((await api('PATCH', `/api/tests/${test.id}`, { token: other.token, body: { timeLimitSec: 60 } })).status).toBe(404);
    expect((await api('POST', `/api/tests/${test.id}/publish`, { token: other.token })).status).toBe(404);
    expect((await api('GET', `/api/tests/${test.id}/stats`, { token: other.token })).status).toBe(404);
    await publish(owner, test.id);
    const view = await api('GET', `/api/tests/${test.id}`, { token: other.token });
    expect(view.status, show(view)).toBe(200);
    expect(view.text).not.toContain('"correct"');
  });
});

describe('authoring — bad documents are refused naming the field, nothing written', () => {
  const q = (over: Record<string, unknown>) => ({
    key: 'q1',
    type: 'likert',
    text: { ru: '…' },
    min: 0,
    max: 4,
    scores: [{ scale: 'anxiety', reverse: false }],
    ...over,
  });
  const a = assessmentDoc();
  const quiz = quizDoc();
  it.each<[string, Record<string, unknown>, string]>([
    ['duplicate question keys', { ...a, questions: [a.questions[0], { ...a.questions[1], key: 'q1' }] }, 'questions.1.key'],
    [
      'duplicate option keys',
      { ...a, questions: [{ ...a.questions[2], options: [a.questions[2].options[0], { ...a.questions[2].options[1], key: 'a' }] }] },
      'questions.0.options.1.key',
    ],
    [
      'likert naming an unknown scale',
      { ...a, questions: [q({ scores: [{ scale: 'nope', reverse: false }] })] },
      'questions.0.scores.0.scale',
    ],
    [
      'an option scoring an unknown scale',
      {
        ...a,
        questions: [{ ...a.questions[2], options: [{ key: 'a', text: { ru: 'x' }, scores: { nope: 1 } }, a.questions[2].options[1]] }],
      },
      'questions.0.options.0.scores.nope',
    ],
    [
      'overlapping bands',
      { ...a, scales: [{ ...a.scales[0], bands: [a.scales[0].bands[0], { ...a.scales[0].bands[1], min: 7 }] }, a.scales[1]] },
      'scales.0.bands.1.min',
    ],
    [
      'bands out of order',
      { ...a, scales: [{ ...a.scales[0], bands: [a.scales[0].bands[1], a.scales[0].bands[0]] }, a.scales[1]] },
      'scales.0.bands.1.min',
    ],
    [
      'a band with min above max',
      { ...a, scales: [{ ...a.scales[0], bands: [{ ...a.scales[0].bands[0], min: 5, max: 2 }] }, a.scales[1]] },
      'scales.0.bands.0.max',
    ],
    ['duplicate scale keys', { ...a, scales: [a.scales[0], { ...a.scales[1], key: 'anxiety' }] }, 'scales.1.key'],
    ['likert with min ≥ max', { ...a, questions: [q({ min: 3, max: 3 })] }, 'questions.0.max'],
    ['fractional likert bounds', { ...a, questions: [q({ max: 4.5 })] }, 'questions.0.max'],
    ['an unknown question type', { ...a, questions: [q({ type: 'essay' })] }, 'questions.0.type'],
    ['a question key unfit for a URL', { ...a, questions: [q({ key: 'q 1/2' })] }, 'questions.0.key'],
    ['no questions', { ...a, questions: [] }, 'questions'],
    ['an assessment without scales', { ...a, scales: [], questions: [{ key: 't', type: 'text', text: { ru: '…' } }] }, 'scales'],
    [
      'an assessment option marked correct',
      { ...a, questions: [{ ...a.questions[2], options: [{ ...a.questions[2].options[0], correct: true }, a.questions[2].options[1]] }] },
      'questions.0.options.0.correct',
    ],
    ['an empty title', { ...a, title: {} }, 'title'],
    ['an unknown language in a text', { ...a, title: { de: 'Test' } }, 'title'],
    ['an unknown field in a question', { ...a, questions: [q({ weight: 2 })] }, 'questions.0'],
    ['a time limit of 5 seconds', { ...a, timeLimitSec: 5 }, 'timeLimitSec'],
    ['a quiz without passMark', { ...quiz, passMark: undefined }, 'passMark'],
    ['a passMark above 1', { ...quiz, passMark: 1.5 }, 'passMark'],
    [
      'a single choice with two correct options',
      { ...quiz, questions: [{ ...quiz.questions[0], options: quiz.questions[0].options.map((o: any) => ({ ...o, correct: true })) }] },
      'questions.0.options',
    ],
    [
      'a single choice with no correct option',
      {
        ...quiz,
        questions: [{ ...quiz.questions[0], options: quiz.questions[0].options.map((o: any) => ({ ...o, correct: undefined })) }],
      },
      'questions.0.options',
    ],
    [
      'a multiple choice with no correct option',
      { ...quiz, questions: [{ ...quiz.questions[1], options: quiz.questions[1].options.map((o: any) => ({ ...o, correct: false })) }] },
      'questions.0.options',
    ],
    [
      'a choice question with one option',
      { ...quiz, questions: [{ ...quiz.questions[0], options: [quiz.questions[0].options[0]] }] },
      'questions.0.options',
    ],
    ['a quiz of text questions only', { ...quiz, questions: [{ key: 't', type: 'text', text: { ru: '…' } }] }, 'questions'],
    ['a passMark on an assessment', { ...a, passMark: 0.5 }, 'passMark'],
    ['a courseId that is not an id', { ...a, courseId: 'abc' }, 'courseId'],
    ['a course that is not the author’s', { ...a, courseId: crypto.randomUUID() }, 'courseId'],
  ])('%s → 400 %s', async (_label, doc, field) => {
    const teacher = await verifiedTeacher();
    const res = await api('POST', '/api/tests', { token: teacher.token, body: doc });
    expect(res.status, show(res)).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details.fields, show(res)).toHaveProperty([field]);
    const [{ n }] = (await testDb().db.select({ n: count() }).from(tests).where(eq(tests.authorId, teacher.id))) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('a PATCH that breaks the document is refused and the draft stays as it was', async () => {
    const teacher = await verifiedTeacher();
    const test = await createTest(teacher);
    const res = await api('PATCH', `/api/tests/${test.id}`, { token: teacher.token, body: { scales: [] } });
    expect(res.status, show(res)).toBe(400);
    const kind = await api('PATCH', `/api/tests/${test.id}`, { token: teacher.token, body: { kind: 'quiz', passMark: 0.5 } });
    expect(kind.status, show(kind)).toBe(400);
    expect(kind.body.error.details.fields).toHaveProperty('kind');
    const got = await api('GET', `/api/tests/${test.id}`, { token: teacher.token });
    expect(got.body.scales).toHaveLength(2);
  });
});

describe('versioning', () => {
  it('editing a draft changes it in place; editing a published test starts a new draft; attempts keep their version', async () => {
    const teacher = await verifiedTeacher();
    const test = await createTest(teacher, quizDoc());
    const edited = await expectStatus(api('PATCH', `/api/tests/${test.id}`, { token: teacher.token, body: { timeLimitSec: 900 } }), 200);
    expect(edited).toMatchObject({ version: 1, status: 'draft', timeLimitSec: 900 });
    await publish(teacher, test.id);

    const learner = await registerUser('learner');
    const first = await startAttempt(learner, test.id);
    expect(first.version).toBe(1);

    const v2 = await expectStatus(
      api('PATCH', `/api/tests/${test.id}`, {
        token: teacher.token,
        body: { title: { ru: 'Новый квиз' }, questions: [quizDoc().questions[0]] },
      }),
      200,
    );
    expect(v2).toMatchObject({ version: 2, status: 'draft', publishedVersion: 1 });
    // Still a draft: takers see version 1; a second edit stays on version 2.
    const again = await expectStatus(api('PATCH', `/api/tests/${test.id}`, { token: teacher.token, body: { timeLimitSec: 300 } }), 200);
    expect(again.version).toBe(2);
    const taker = await expectStatus(api('GET', `/api/tests/${test.id}`, { token: learner.token }), 200);
    expect(taker).toMatchObject({ version: 1, title: { ru: 'Квиз по математике' } });

    const published = await publish(teacher, test.id);
    expect(published).toMatchObject({ version: 2, status: 'published', publishedVersion: 2 });
    // Publishing again without a draft changes nothing.
    expect(await publish(teacher, test.id)).toMatchObject({ version: 2, publishedVersion: 2 });

    const old = await expectStatus(api('GET', `/api/attempts/${first.id}`, { token: learner.token }), 200);
    expect(old.version).toBe(1);
    expect(old.questions).toHaveLength(2);
    await expectStatus(answer(learner, first.id, 'm1', { options: ['a', 'c'] }), 200);
    const result = await submit(learner, first.id);
    expect(result).toMatchObject({ version: 1, correct: 1, total: 2 });

    const second = await startAttempt(learner, test.id);
    expect(second.version).toBe(2);
    expect(second.questions).toHaveLength(1);
  });
});

describe('taking — happy', () => {
  it('answers are saved idempotently and a refresh resumes exactly', async () => {
    const { test } = await publishedTest();
    const learner = await registerUser('learner');
    const attempt = await startAttempt(learner, test.id);
    expect(attempt).toMatchObject({ status: 'open', childId: null, answers: {}, resultId: null, timeLimitSec: 1200 });
    expect(Date.parse(attempt.deadlineAt) - Date.parse(attempt.startedAt)).toBe(1200 * 1000);
    expect(JSON.stringify(attempt.questions)).not.toMatch(/"scores"|"correct"/);

    const saved = await api('PUT', `/api/attempts/${attempt.id}/answers/q1`, { token: learner.token, body: { value: 3 } });
    expect(saved.status, show(saved)).toBe(200);
    expect(saved.body).toMatchObject({ questionKey: 'q1', answer: { value: 3 } });
    // The same answer again (a retry) and a changed answer: still one row.
    await expectStatus(answer(learner, attempt.id, 'q1', { value: 3 }), 200);
    await expectStatus(answer(learner, attempt.id, 'q3', { option: 'b' }), 200);
    await expectStatus(answer(learner, attempt.id, 'q3', { option: 'a' }), 200);
    await expectStatus(answer(learner, attempt.id, 'q4', { options: ['y', 'x', 'y'] }), 200);
    await expectStatus(answer(learner, attempt.id, 'q5', { text: 'Всё хорошо' }), 200);
    const stored = await testDb().db.select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attempt.id));
    expect(stored).toHaveLength(4);

    const resumed = await expectStatus(api('GET', `/api/attempts/${attempt.id}`, { token: learner.token }), 200);
    expect(resumed.answers).toEqual({ q1: { value: 3 }, q3: { option: 'a' }, q4: { options: ['x', 'y'] }, q5: { text: 'Всё хорошо' } });
    expect(resumed.deadlineAt).toBe(attempt.deadlineAt);
  });

  it('starting again while an attempt is open resumes it instead of opening a second one', async () => {
    const { test } = await publishedTest();
    const learner = await registerUser('learner');
    const results = await Promise.all(
      [1, 2, 3].map(() => api('POST', `/api/tests/${test.id}/attempts`, { token: learner.token, body: {} })),
    );
    const ids = new Set(results.map((r) => r.body.id));
    expect(ids.size, results.map(show).join('\n')).toBe(1);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    expect(await rowsOf(attempts, attempts.userId, learner.id)).toBe(1);
  });

  it('submit scores in one go; submitting again (even concurrently) returns the same result', async () => {
    const { test } = await publishedTest();
    const learner = await registerUser('learner');
    const attempt = await startAttempt(learner, test.id);
    for (const [key, body] of [
      ['q1', { value: 4 }],
      ['q2', { value: 0 }],
      ['q3', { option: 'b' }],
    ] as const) {
      await expectStatus(answer(learner, attempt.id, key, body), 200);
    }
    const all = await Promise.all([1, 2, 3, 4].map(() => api('POST', `/api/attempts/${attempt.id}/submit`, { token: learner.token })));
    for (const r of all) expect(r.status, show(r)).toBe(200);
    expect(new Set(all.map((r) => r.body.id)).size).toBe(1);
    const result = all[0]!.body;
    expect(result.scales.map((s: any) => [s.key, s.score, s.band?.label.en ?? null])).toEqual([
      ['anxiety', 8, 'elevated'],
      ['mood', 0, 'steady'],
    ]);
    expect(result).not.toHaveProperty('score');
    expect(await rowsOf(results, results.attemptId, attempt.id)).toBe(1);

    const again = await submit(learner, attempt.id);
    expect(again.id).toBe(result.id);
    const view = await expectStatus(api('GET', `/api/attempts/${attempt.id}`, { token: learner.token }), 200);
    expect(view).toMatchObject({ status: 'submitted', resultId: result.id, autoSubmitted: false });
  });

  it('a quiz result carries score and passed', async () => {
    const { test } = await publishedTest(quizDoc());
    const learner = await registerUser('learner');
    const attempt = await startAttempt(learner, test.id);
    await expectStatus(answer(learner, attempt.id, 's1', { option: 'a' }), 200);
    await expectStatus(answer(learner, attempt.id, 'm1', { options: ['a'] }), 200);
    const result = await submit(learner, attempt.id);
    expect(result).toMatchObject({ kind: 'quiz', score: 0.5, correct: 1, total: 2, passed: true, scales: [] });
  });
});

describe('taking — bad input', () => {
  it.each<[string, string, unknown, number, string | null]>([
    ['an option not in the question', 'q3', { option: 'zzz' }, 400, 'option'],
    ['an unknown option in a multiple answer', 'q4', { options: ['x', 'nope'] }, 400, 'options.1'],
    ['a Likert value above max', 'q1', { value: 5 }, 400, 'value'],
    ['a Likert value below min', 'q1', { value: -1 }, 400, 'value'],
    ['a fractional Likert value', 'q1', { value: 2.5 }, 400, 'value'],
    ['the wrong shape for the type', 'q3', { options: ['a'] }, 400, 'options'],
    ['two answer fields at once', 'q1', { value: 1, text: 'x' }, 400, '_'],
    ['a text where a value is due', 'q1', { text: '3' }, 400, 'text'],
    ['an unknown field', 'q1', { value: 1, extra: true }, 400, null],
    ['a question that does not exist', 'q99', { value: 1 }, 404, null],
  ])('%s → %s', async (_label, key, body, status, field) => {
    const { test } = await publishedTest();
    const learner = await registerUser('learner');
    const attempt = await startAttempt(learner, test.id);
    const res = await answer(learner, attempt.id, key, body);
    expect(res.status, show(res)).toBe(status);
    if (field) expect(res.body.error.details.fields, show(res)).toHaveProperty([field]);
    const stored = await testDb().db.select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attempt.id));
    expect(stored).toHaveLength(0);
  });

  it('answering after submit → 409 naming the reason and the result', async () => {
    const { test } = await publishedTest();
    const learner = await registerUser('learner');
    const attempt = await startAttempt(learner, test.id);
    const result = await submit(learner, attempt.id);
    const res = await answer(learner, attempt.id, 'q1', { value: 1 });
    expect(res.status, show(res)).toBe(409);
    expect(res.body.error.details).toEqual({ reason: 'attempt_submitted', resultId: result.id });
  });

  it('an unpublished or unknown test cannot be started (404)', async () => {
    const teacher = await verifiedTeacher();
    const draft = await createTest(teacher);
    const learner = await registerUser('learner');
    for (const id of [draft.id, crypto.randomUUID(), 'not-an-id']) {
      const res = await api('POST', `/api/tests/${id}/attempts`, { token: learner.token, body: {} });
      expect(res.status, show(res)).toBe(404);
    }
  });
});

describe('taking — security', () => {
  it("another user's attempt is not found: read, answer, submit (404)", async () => {
    const { test } = await publishedTest();
    const owner = await registerUser('learner');
    const intruder = await registerUser('learner');
    const attempt = await startAttempt(owner, test.id);
    for (const [method, path, body] of [
      ['GET', `/api/attempts/${attempt.id}`],
      ['PUT', `/api/attempts/${attempt.id}/answers/q1`, { value: 1 }],
      ['POST', `/api/attempts/${attempt.id}/submit`],
    ] as const) {
      const res = await api(method, path, { token: intruder.token, body });
      expect(res.status, `${method} ${path}: ${show(res)}`).toBe(404);
    }
    expect(await rowsOf(results, results.attemptId, attempt.id)).toBe(0);
    const stored = await testDb().db.select().from(attemptAnswers).where(eq(attemptAnswers.attemptId, attempt.id));
    expect(stored).toHaveLength(0);
  });

  it("a parent takes a test for their child; another parent's child is 404 for starting and submitting", async () => {
    const { test } = await publishedTest();
    const parent = await registerUser('parent');
    const other = await registerUser('parent');
    const child = await createChild(parent);
    const attempt = await startAttempt(parent, test.id, child.id);
    expect(attempt.childId).toBe(child.id);

    const foreignStart = await api('POST', `/api/tests/${test.id}/attempts`, { token: other.token, body: { childId: child.id } });
    expect(foreignStart.status, show(foreignStart)).toBe(404);
    const learner = await registerUser('learner');
    const learnerStart = await api('POST', `/api/tests/${test.id}/attempts`, { token: learner.token, body: { childId: child.id } });
    expect(learnerStart.status, show(learnerStart)).toBe(404);
    const foreignSubmit = await api('POST', `/api/attempts/${attempt.id}/submit`, { token: other.token });
    expect(foreignSubmit.status, show(foreignSubmit)).toBe(404);

    const result = await submit(parent, attempt.id);
    expect(result.childId).toBe(child.id);
    expect((await api('GET', `/api/results/${result.id}`, { token: other.token })).status).toBe(404);
    expect((await api('GET', `/api/me/results?childId=${child.id}`, { token: other.token })).status).toBe(404);
  });
});

describe('time limits', () => {
  async function expiredAttempt() {
    const { test } = await publishedTest();
    const learner = await registerUser('learner');
    const attempt = await startAttempt(learner, test.id);
    await expectStatus(answer(learner, attempt.id, 'q1', { value: 4 }), 200);
    await expectStatus(answer(learner, attempt.id, 'q3', { option: 'a' }), 200);
    const deadline = new Date(Date.now() - 1000);
    await testDb().db.update(attempts).set({ deadlineAt: deadline }).where(eq(attempts.id, attempt.id));
    return { learner, attempt, deadline };
  }

  it('an answer after the deadline → 410 time_expired; the attempt is submitted with what was saved', async () => {
    const { learner, attempt, deadline } = await expiredAttempt();
    const late = await answer(learner, attempt.id, 'q2', { value: 0 });
    expect(late.status, show(late)).toBe(410);
    expect(late.body.error.details.reason).toBe('time_expired');
    const resultId = late.body.error.details.resultId;
    const result = await expectStatus(api('GET', `/api/results/${resultId}`, { token: learner.token }), 200);
    expect(result).toMatchObject({ autoSubmitted: true, submittedAt: deadline.toISOString() });
    expect(result.scales[0]).toMatchObject({ key: 'anxiety', score: 6 });
    const view = await expectStatus(api('GET', `/api/attempts/${attempt.id}`, { token: learner.token }), 200);
    expect(view).toMatchObject({ status: 'submitted', autoSubmitted: true, resultId });
  });

  it('reading an expired attempt submits it lazily', async () => {
    const { learner, attempt } = await expiredAttempt();
    const view = await expectStatus(api('GET', `/api/attempts/${attempt.id}`, { token: learner.token }), 200);
    expect(view.status).toBe('submitted');
    expect(view.resultId).toBeTruthy();
    expect(await rowsOf(results, results.attemptId, attempt.id)).toBe(1);
  });

  it('starting again after the time ran out submits the old attempt and opens a new one', async () => {
    const { learner, attempt } = await expiredAttempt();
    const next = await startAttempt(learner, attempt.testId);
    expect(next.id).not.toBe(attempt.id);
    expect(await rowsOf(results, results.attemptId, attempt.id)).toBe(1);
  });

  it('the cron sweep submits expired attempts nobody touches, and leaves running ones alone', async () => {
    const { attempt } = await expiredAttempt();
    const { test } = await publishedTest();
    const running = await startAttempt(await registerUser('learner'), test.id);
    await runCron(CRON_SWEEP);
    const [row] = await testDb().db.select().from(attempts).where(eq(attempts.id, attempt.id));
    expect(row).toMatchObject({ status: 'submitted', autoSubmitted: true });
    expect(await rowsOf(results, results.attemptId, attempt.id)).toBe(1);
    const [open] = await testDb().db.select().from(attempts).where(eq(attempts.id, running.id));
    expect(open!.status).toBe('open');
  });
});

describe('results', () => {
  it('history is newest first with a signed cursor, per child on request', async () => {
    const { test } = await publishedTest(quizDoc({ timeLimitSec: null }));
    const parent = await registerUser('parent');
    const child = await createChild(parent, 'Dana', 'en');
    const own: string[] = [];
    for (const childId of [undefined, child.id, child.id]) {
      const attempt = await startAttempt(parent, test.id, childId);
      own.push((await submit(parent, attempt.id)).id);
    }
    const page1 = await expectStatus(api('GET', '/api/me/results?limit=2', { token: parent.token }), 200);
    expect(page1.items.map((r: any) => r.id)).toEqual([own[2], own[1]]);
    expect(page1.nextCursor).toBeTruthy();
    const page2 = await expectStatus(
      api('GET', `/api/me/results?limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`, { token: parent.token }),
      200,
    );
    expect(page2.items.map((r: any) => r.id)).toEqual([own[0]]);
    expect(page2.nextCursor).toBeNull();

    const childOnly = await expectStatus(api('GET', `/api/me/results?childId=${child.id}`, { token: parent.token }), 200);
    expect(childOnly.items.map((r: any) => r.id)).toEqual([own[2], own[1]]);
    expect(childOnly.items[0]).toMatchObject({
      kind: 'quiz',
      title: { ru: 'Квиз по математике' },
      childId: child.id,
      passed: false,
      score: 0,
    });

    const forged = (page1.nextCursor.startsWith('x') ? 'y' : 'x') + page1.nextCursor.slice(1);
    const tampered = await api('GET', `/api/me/results?cursor=${encodeURIComponent(forged)}`, { token: parent.token });
    expect(tampered.status, show(tampered)).toBe(400);
    expect(tampered.body.error.code).toBe('invalid_cursor');

    const stranger = await registerUser('learner');
    const empty = await expectStatus(api('GET', '/api/me/results', { token: stranger.token }), 200);
    expect(empty.items).toEqual([]);
    expect((await api('GET', `/api/results/${own[0]}`, { token: stranger.token })).status).toBe(404);
  });
});

describe('statistics', () => {
  it('come from the materialized views and change only when the cron refreshes them', async () => {
    const { teacher, test } = await publishedTest(quizDoc());
    const take = async (options: string[]) => {
      const learner = await registerUser('learner');
      const attempt = await startAttempt(learner, test.id);
      await expectStatus(answer(learner, attempt.id, 's1', { option: 'a' }), 200);
      await expectStatus(answer(learner, attempt.id, 'm1', { options }), 200);
      return submit(learner, attempt.id);
    };
    await take(['a', 'c']); // 1.0, passed
    await take(['a']); // 0.5, passed
    await take(['b']); // 0.5, passed

    await runCron(CRON_STATS);
    const stats = await expectStatus(api('GET', `/api/tests/${test.id}/stats`, { token: teacher.token }), 200);
    const today = new Date().toISOString().slice(0, 10);
    expect(stats).toMatchObject({ testId: test.id, kind: 'quiz', attempts: 3, completions: 3, passRate: 1 });
    expect(stats.averageScore).toBeCloseTo(2 / 3, 10);
    expect(stats.perDay).toEqual([{ day: today, attempts: 3, completions: 3 }]);
    expect(stats.scoreDistribution.map((b: any) => b.count)).toEqual([0, 0, 0, 0, 0, 2, 0, 0, 0, 1]);
    expect(stats.refreshedAt).toBeTruthy();

    // A new attempt shows up only after the next refresh.
    await startAttempt(await registerUser('learner'), test.id);
    const stale = await expectStatus(api('GET', `/api/tests/${test.id}/stats`, { token: teacher.token }), 200);
    expect(stale.attempts).toBe(3);
    await runCron(CRON_STATS);
    const fresh = await expectStatus(api('GET', `/api/tests/${test.id}/stats`, { token: teacher.token }), 200);
    expect(fresh).toMatchObject({ attempts: 4, completions: 3 });
  });

  it('assessments count results per scale band', async () => {
    const { teacher, test } = await publishedTest();
    for (const q1 of [0, 4]) {
      const learner = await registerUser('learner');
      const attempt = await startAttempt(learner, test.id);
      await expectStatus(answer(learner, attempt.id, 'q1', { value: q1 }), 200);
      await expectStatus(answer(learner, attempt.id, 'q2', { value: 0 }), 200);
      await submit(learner, attempt.id);
    }
    await runCron(CRON_STATS);
    const stats = await expectStatus(api('GET', `/api/tests/${test.id}/stats`, { token: teacher.token }), 200);
    expect(stats).toMatchObject({ kind: 'assessment', completions: 2, averageScore: null, scoreDistribution: [] });
    const anxiety = stats.scales.find((s: any) => s.key === 'anxiety');
    expect(anxiety).toMatchObject({ results: 2, averageScore: 6 });
    expect(anxiety.bands).toEqual([
      { index: 0, label: expect.objectContaining({ en: 'typical' }), count: 1 },
      { index: 1, label: expect.objectContaining({ en: 'elevated' }), count: 1 },
    ]);
    const learner = await registerUser('learner');
    expect((await api('GET', `/api/tests/${test.id}/stats`, { token: learner.token })).status).toBe(404);
  });
});

it('the OpenAPI document lists the assessment routes', async () => {
  const doc = await expectStatus(api('GET', '/api/openapi.json'), 200);
  for (const path of [
    '/api/tests',
    '/api/tests/{id}',
    '/api/tests/{id}/stats',
    '/api/attempts/{id}/answers/{questionKey}',
    '/api/me/results',
  ]) {
    expect(Object.keys(doc.paths)).toContain(path);
  }
});
