// The project's date formatter: the same text whatever the browser's locale data say.
import { describe, expect, test } from 'vitest';
import { formatDateIn } from './src/i18n/format';

describe('formatDateIn', () => {
  const d = new Date(2026, 11, 5, 14, 5);
  test.each([
    ['ru', false, '5 декабря 2026 г.'],
    ['kk', false, '2026 жылғы 5 желтоқсан'],
    ['en', false, 'Dec 5, 2026'],
    ['ru', true, '5 декабря 2026 г., 14:05'],
    ['kk', true, '2026 жылғы 5 желтоқсан, 14:05'],
    ['en', true, 'Dec 5, 2026, 2:05 PM'],
  ] as const)('%s (time: %s)', (lang, withTime, expected) => {
    expect(formatDateIn(lang, d, withTime)).toBe(expected);
  });

  test('never the "2026 M12 5" of missing locale data; midnight and noon in English', () => {
    expect(formatDateIn('kk', d)).not.toMatch(/M\d/);
    expect(formatDateIn('en', new Date(2026, 0, 1, 0, 7), true)).toBe('Jan 1, 2026, 12:07 AM');
    expect(formatDateIn('en', new Date(2026, 0, 1, 12, 0), true)).toBe('Jan 1, 2026, 12:00 PM');
  });
});
