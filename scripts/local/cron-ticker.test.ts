import { describe, expect, it } from 'vitest';
import { cronFires } from './cron-ticker.ts';

describe('the local cron ticker', () => {
  it('fires every-minute expressions each minute and */N on multiples of N (UTC)', () => {
    const at = (m: number) => new Date(Date.UTC(2026, 11, 6, 10, m, 0, 100));
    expect([0, 1, 4, 5, 59].map((m) => cronFires('* * * * *', at(m)))).toEqual([true, true, true, true, true]);
    expect([0, 1, 4, 5, 59].map((m) => cronFires('*/5 * * * *', at(m)))).toEqual([true, false, false, true, false]);
  });

  it('refuses the forms it does not understand instead of never firing them', () => {
    expect(() => cronFires('0 3 * * *', new Date())).toThrow(/unsupported/);
    expect(() => cronFires('15 * * * *', new Date())).toThrow(/unsupported/);
  });
});
