import { describe, expect, it } from 'vitest';
import { PhaseRecorder, secondsToRecover } from './phased.ts';

describe('phased runs: per-second recording and recovery', () => {
  it('counts 503 as shed, timeouts and other errors apart, and the latency of the accepted only', () => {
    const r = new PhaseRecorder();
    r.phase({ label: 'knee', rate: 2, durationMs: 1000 });
    r.phase({ label: '5×', rate: 10, durationMs: 1000 });
    r.record(0, 'knee', { status: 200, ok: true, latencyMs: 10 });
    r.record(0, 'knee', { status: 200, ok: true, latencyMs: 20 });
    r.record(1, '5×', { status: 200, ok: true, latencyMs: 30 });
    r.record(1, '5×', { status: 503, ok: false, latencyMs: 2 });
    r.record(1, '5×', { status: 'timeout', ok: false, latencyMs: 10_000 });
    r.record(1, '5×', { status: 500, ok: false, latencyMs: 5 });
    const res = r.result();
    expect(res.received).toBe(5);
    const [knee, over] = res.phases;
    expect(knee).toMatchObject({ offered: 2, goodput: 2, shed: 0 });
    expect(over).toMatchObject({ offered: 4, goodput: 1, shed: 1, timeouts: 1, errors: 1 });
    expect(over!.accepted.max).toBeCloseTo(30, 0);
    expect(over!.shedLatency.max).toBeCloseTo(2, 0);
    expect(res.seconds.map((s) => [s.t, s.ok, s.shed])).toEqual([
      [0, 2, 0],
      [1, 1, 1],
    ]);
  });

  it('time to recover: the first of 3 good seconds in a row after the overload, or null', () => {
    const sec = (t: number, shed: number, p99: number) => ({
      t,
      phase: 'x',
      offered: 10,
      ok: 10 - shed,
      shed,
      timeouts: 0,
      errors: 0,
      p99,
    });
    const seconds = [
      sec(0, 5, 50),
      sec(1, 5, 50),
      sec(2, 0, 300),
      sec(3, 0, 40),
      sec(4, 1, 40),
      sec(5, 0, 40),
      sec(6, 0, 40),
      sec(7, 0, 40),
    ];
    expect(secondsToRecover(seconds, 2, 100)).toBe(3);
    expect(secondsToRecover(seconds.slice(0, 7), 2, 100)).toBeNull();
    expect(secondsToRecover(seconds, 5, 100)).toBe(0);
  });
});
