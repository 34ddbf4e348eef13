/**
 * The bench cannot pass by accident: a `--scenario` name that names nothing is an error (the
 * CLI exits non-zero before starting anything), never an empty run that exits 0.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { knownScenarioNames, planScenarios, UnknownScenarioError } from './bench.ts';

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
