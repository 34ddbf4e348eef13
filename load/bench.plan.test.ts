/**
 * The bench cannot pass by accident: a `--scenario` name that names nothing is an error (the
 * CLI exits non-zero before starting anything), never an empty run that exits 0.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  KNEE_CEILING_FACTOR,
  KNEE_SAMPLES,
  kneeStepMs,
  knownScenarioNames,
  planScenarios,
  searchKnee,
  UnknownScenarioError,
} from './bench.ts';

const root = resolve(import.meta.dirname, '..');

describe('planScenarios', () => {
  it('runs every budget scenario by default, and only the named ones with --scenario', () => {
    expect(planScenarios({}).map((p) => p.name)).toEqual(expect.arrayContaining(['visitor', 'learner', 'search-cold']));
    expect(planScenarios({ only: ['learner', 'visitor'] }).map((p) => p.name)).toEqual(['visitor', 'learner']);
    expect(planScenarios({ only: ['login'] }).map((p) => p.name)).toEqual(['login']);
  });

  it('throws for an unknown name, naming it and the known ones', () => {
    expect(() => planScenarios({ only: ['visitor', 'vistor'] })).toThrow(UnknownScenarioError);
    try {
      planScenarios({ only: ['vistor', 'nope'] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(UnknownScenarioError);
      expect((err as UnknownScenarioError).names).toEqual(['vistor', 'nope']);
      expect((err as Error).message).toContain("'vistor'");
      for (const n of knownScenarioNames()) expect((err as Error).message).toContain(n);
    }
  });

  it('throws when --scenario names nothing at all', () => {
    expect(() => planScenarios({ only: [] })).toThrow(/names no scenario/);
  });
});

describe('npm run bench -- --scenario <unknown>', () => {
  it('exits non-zero with a clear message before starting the server', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'bench.ts'), '--scenario', 'no-such-scenario'], {
      cwd: root,
      encoding: 'utf8',
      // Generous: on shared cores, loading tsx and the bench's imports alone has taken over 25 s.
      timeout: 150_000,
    });
    expect(r.status, r.stderr + r.stdout).toBe(2);
    expect(r.stderr).toContain("unknown scenario 'no-such-scenario'");
    // It never got as far as starting serve:prod.
    expect(r.stdout).not.toContain('starting serve:prod');
  }, 180_000);
});

describe('searchKnee', () => {
  /** A server whose true capacity is `capacity`: every rate up to it passes. */
  const run = async (budget: number, capacity: number) => {
    const tried: number[] = [];
    const knee = await searchKnee(budget, async (rate) => {
      tried.push(rate);
      return rate <= capacity;
    });
    return { knee, tried };
  };

  it('doubles until a failure, then bisects twice between the last pass and it', async () => {
    // 100 passes, 200 fails; √(100·200) ≈ 141 → 140 passes; √(140·200) ≈ 167 → 165 fails.
    expect(await run(500, 150)).toEqual({ knee: 140, tried: [25, 50, 100, 200, 140, 165] });
    expect(await run(1000, 380)).toEqual({ knee: 340, tried: [25, 50, 100, 200, 400, 285, 340] });
  });

  it('goes on past the budget rate, up to a few times it: the knee is what the machine can do', async () => {
    expect(KNEE_CEILING_FACTOR).toBe(4);
    // 200 passes, so does 400; 800 fails; √(400·800) ≈ 566 → 565 fails; √(400·565) ≈ 475 passes.
    expect(await run(200, 500)).toEqual({ knee: 475, tried: [25, 50, 100, 200, 400, 800, 565, 475] });
    // The budget's own rate is a step even when doubling would jump over it.
    expect(await run(300, 10_000)).toEqual({ knee: 1200, tried: [25, 50, 100, 200, 300, 600, 1200] });
  });

  it('stops at the ceiling when every rate passes, and below the first step when none does', async () => {
    expect(await run(200, 10_000)).toEqual({ knee: 800, tried: [25, 50, 100, 200, 400, 800] });
    expect(await run(200, 10)).toEqual({ knee: null, tried: [25] });
  });

  it("starts from a rate the scenario's own run already passed, not from 25/s", async () => {
    const tried: number[] = [];
    const step = async (rate: number) => {
      tried.push(rate);
      return rate <= 380;
    };
    // 150 passed in the 30 s run: 300 passes, 500 (the budget) fails; √(300·500) ≈ 387 → 385 fails; √(300·385) ≈ 340 passes.
    expect(await searchKnee(500, step, 150)).toBe(340);
    expect(tried).toEqual([300, 500, 385, 340]);
    // Passed at the budget: the search goes on from there — 400 fails, √(200·400) ≈ 283 → 285 and √(285·400) ≈ 338 → 340 pass.
    tried.length = 0;
    expect(await searchKnee(200, step, 200)).toBe(340);
    expect(tried).toEqual([400, 285, 340]);
    // Passed at the ceiling: nothing left to measure.
    tried.length = 0;
    expect(await searchKnee(200, step, 800)).toBe(800);
    expect(tried).toEqual([]);
  });

  it('measures each step long enough for a p99 of thousands of requests, 10 to 30 s', () => {
    expect(kneeStepMs(25)).toBe(30_000);
    expect(kneeStepMs(150)).toBe(20_000);
    expect(kneeStepMs(300)).toBe(10_000);
    expect(kneeStepMs(1000)).toBe(10_000);
    for (const rate of [100, 150, 200]) expect((rate * kneeStepMs(rate)) / 1000).toBeGreaterThanOrEqual(KNEE_SAMPLES);
  });

  it('bisects below the budget when the budget itself fails', async () => {
    expect(await run(300, 250)).toEqual({ knee: 245, tried: [25, 50, 100, 200, 300, 245, 270] });
  });
});
