import { describe, expect, it } from 'vitest';
import { FaultSwitch, faultRulesFromEnv, parseFaultRules } from './faults.ts';

describe('fault switch', () => {
  it('is off unless rules are set; then the first matching rule decides, for its share of calls and its number of hits', () => {
    const rolls = [0.1, 0.9, 0.1];
    const sw = new FaultSwitch([], () => rolls.shift() ?? 0);
    expect(sw.active).toBe(false);
    expect(sw.decide('select 1')).toBeUndefined();

    sw.set([
      { match: '^update', fail: 'drop', times: 1 },
      { probability: 0.5, latencyMs: 300 },
    ]);
    expect(sw.decide('UPDATE users set x = 1')).toEqual({ latencyMs: 0, fail: 'drop' });
    // The drop rule is spent; the 50% rule fires on the low roll only.
    expect(sw.decide('update users set x = 1')).toEqual({ latencyMs: 300 });
    expect(sw.decide('select 1')).toBeUndefined();
    expect(sw.decide('select 1')).toEqual({ latencyMs: 300 });
    expect(sw.stats()).toEqual({ seen: 4, delayed: 2, errors: 0, drops: 1 });

    sw.clear();
    expect(sw.active).toBe(false);
    expect(sw.stats()).toEqual({ seen: 0, delayed: 0, errors: 0, drops: 0 });
  });

  it('refuses malformed rules, naming what is wrong', () => {
    expect(() => parseFaultRules({ latencyMs: -1 })).toThrow(/latencyMs/);
    expect(() => parseFaultRules({ fail: 'explode' })).toThrow(/fail/);
    expect(() => parseFaultRules({ probability: 2, fail: 'error' })).toThrow(/probability/);
    expect(() => parseFaultRules({ match: '(', fail: 'error' })).toThrow();
    expect(() => parseFaultRules({ match: 'x' })).toThrow(/latencyMs, fail or both/);
    expect(parseFaultRules([{ fail: 'error', probability: 0.2 }])).toEqual([{ fail: 'error', probability: 0.2 }]);
  });

  it('reads SABAQ_*_FAULTS from the environment; unset or empty means no faults', () => {
    expect(faultRulesFromEnv('X', {})).toEqual([]);
    expect(faultRulesFromEnv('X', { X: ' ' })).toEqual([]);
    expect(faultRulesFromEnv('X', { X: '{"latencyMs":300}' })).toEqual([{ latencyMs: 300 }]);
    expect(() => faultRulesFromEnv('X', { X: '{nope' })).toThrow(/^X: /);
  });
});
