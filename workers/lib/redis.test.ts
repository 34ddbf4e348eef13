import { describe, expect, it } from 'vitest';
import { RedisBreaker, RedisSkippedError, redisCall } from './redis.ts';
import { TimeoutError } from './timeout.ts';

/** A breaker on a hand-moved clock, and calls that count whether they were sent. */
function rig(threshold = 3, openMs = 1000) {
  let t = 0;
  const opened: number[] = [];
  const breaker = new RedisBreaker(
    threshold,
    openMs,
    () => t,
    () => opened.push(t),
  );
  let sent = 0;
  const call = (outcome: 'ok' | 'fail' | 'hang') =>
    redisCall(
      () => {
        sent++;
        if (outcome === 'ok') return Promise.resolve('PONG');
        if (outcome === 'fail') return Promise.reject(new Error('connection refused'));
        return new Promise<string>(() => {});
      },
      'test call',
      20,
      breaker,
    );
  return { call, sent: () => sent, opened, advance: (ms: number) => (t += ms) };
}

describe('Redis circuit breaker', () => {
  it('opens after consecutive failures: later calls are not sent and fail at once', async () => {
    const r = rig(3);
    for (let i = 0; i < 3; i++) await expect(r.call('fail')).rejects.toThrow('connection refused');
    expect(r.opened).toEqual([0]);
    await expect(r.call('ok')).rejects.toBeInstanceOf(RedisSkippedError);
    expect(r.sent()).toBe(3);
  });

  it('counts timeouts as failures', async () => {
    const r = rig(2);
    await expect(r.call('hang')).rejects.toBeInstanceOf(TimeoutError);
    await expect(r.call('hang')).rejects.toBeInstanceOf(TimeoutError);
    await expect(r.call('ok')).rejects.toBeInstanceOf(RedisSkippedError);
  });

  it('a success in between resets the count', async () => {
    const r = rig(3);
    await expect(r.call('fail')).rejects.toThrow();
    await expect(r.call('fail')).rejects.toThrow();
    await expect(r.call('ok')).resolves.toBe('PONG');
    await expect(r.call('fail')).rejects.toThrow();
    await expect(r.call('fail')).rejects.toThrow();
    await expect(r.call('ok')).resolves.toBe('PONG');
    expect(r.opened).toEqual([]);
  });

  it('after the open period a probe goes through: a failure reopens at once, a success closes it', async () => {
    const r = rig(3, 1000);
    for (let i = 0; i < 3; i++) await expect(r.call('fail')).rejects.toThrow();
    r.advance(999);
    await expect(r.call('ok')).rejects.toBeInstanceOf(RedisSkippedError);
    r.advance(1);
    await expect(r.call('fail')).rejects.toThrow('connection refused');
    expect(r.opened).toEqual([0, 1000]);
    await expect(r.call('ok')).rejects.toBeInstanceOf(RedisSkippedError);
    r.advance(1000);
    await expect(r.call('ok')).resolves.toBe('PONG');
    // Closed again: one failure does not reopen it.
    await expect(r.call('fail')).rejects.toThrow();
    await expect(r.call('ok')).resolves.toBe('PONG');
    expect(r.opened).toEqual([0, 1000]);
  });
});
