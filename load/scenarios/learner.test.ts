import { describe, expect, it } from 'vitest';
import { createRng } from '../lib/rng.ts';
import { policies } from '../../workers/lib/ratelimit.ts';
import { BUDGETS } from '../budgets.ts';
import { LEARNERS, learnerScenario } from './learner.ts';

describe('learner scenario', () => {
  it('at the budget rate no simulated learner reads lessons faster than the per-account limit refills', () => {
    const learners = Array.from({ length: LEARNERS }, (_, i) => ({
      session: { userId: `u${i}`, email: `learner.${i}@x`, token: `t${i}`, ip: '100.64.0.1' },
      lang: 'ru',
      courses: [{ id: 'c', lessons: ['a', 'b', 'c'] }],
    }));
    const mix = learnerScenario.mix ?? [];
    const lessons = mix.find((m) => m.endpoint === 'GET /api/lessons/:id')!;
    const lessonShare = lessons.weight / mix.reduce((n, m) => n + m.weight, 0);
    const rng = createRng(7);
    const reads = new Map<string, number>();
    const draws = 200_000;
    for (let i = 0; i < draws; i++) {
      const token = String(lessons.build({ learners }, rng)!.headers!.authorization);
      reads.set(token, (reads.get(token) ?? 0) + 1);
    }
    const busiest = Math.max(...reads.values()) / draws;
    const rate = BUDGETS.find((b) => b.scenario === 'learner')!.rate;
    const busiestPerSecond = busiest * rate * lessonShare;
    // Lessons are limited per account by catalog.read: its sustained rate is the bucket's refill.
    const { refillRate, intervalMs } = policies['catalog.read'].bucket;
    expect(busiestPerSecond).toBeLessThan(refillRate / (intervalMs / 1000));
    // …and most learners are busy at all.
    expect(reads.size).toBeGreaterThan(LEARNERS * 0.95);
  });
});
