// "What you will learn" in the studio: textarea lines per language ↔ the API's list of points.
import { describe, expect, test } from 'vitest';
import { OUTCOME_CHARS_MAX, outcomesFrom, outcomesProblem, outcomesText } from './src/lib/outcomes';

describe('course outcomes in the studio form', () => {
  test('line N of every language is point N; a point missing in one language keeps its place', () => {
    const values = {
      'outcomes.en': 'Mix colours\nControl water\nStretch paper\n',
      'outcomes.ru': 'Смешивать цвета\n\nНатягивать бумагу',
      'outcomes.kk': '',
    };
    const points = outcomesFrom(values);
    expect(points).toEqual([
      { en: 'Mix colours', ru: 'Смешивать цвета' },
      { en: 'Control water' },
      { en: 'Stretch paper', ru: 'Натягивать бумагу' },
    ]);
    // Back into the textareas: the same lines, the empty Russian one included.
    expect(outcomesText(points, 'ru')).toBe('Смешивать цвета\n\nНатягивать бумагу');
    expect(outcomesText(points, 'en')).toBe('Mix colours\nControl water\nStretch paper');
    expect(outcomesText(points, 'kk')).toBe('');
  });

  test('lines empty in every language are dropped; spaces are trimmed; nothing typed is an empty list', () => {
    expect(outcomesFrom({ 'outcomes.en': '  One  \n\n\nTwo', 'outcomes.ru': '\n\n\n' })).toEqual([{ en: 'One' }, { en: 'Two' }]);
    expect(outcomesFrom({})).toEqual([]);
  });

  test('the limits the API checks: 12 points, 300 characters a line, named by language', () => {
    const lines = (n: number) => Array.from({ length: n }, (_, i) => `Point ${i + 1}`).join('\n');
    expect(outcomesProblem({ 'outcomes.en': lines(12), 'outcomes.ru': lines(12) })).toBeNull();
    expect(outcomesProblem({ 'outcomes.en': lines(3), 'outcomes.kk': lines(13) })).toBe('kk');
    expect(outcomesProblem({ 'outcomes.ru': 'x'.repeat(OUTCOME_CHARS_MAX) })).toBeNull();
    expect(outcomesProblem({ 'outcomes.ru': `ok\n${'x'.repeat(OUTCOME_CHARS_MAX + 1)}` })).toBe('ru');
  });
});
