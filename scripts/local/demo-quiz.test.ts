import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../workers/assessments/document.ts';
import { demoQuizDocument } from './demo-quiz.ts';

describe('demo quiz', () => {
  it('is a valid quiz document with only choice questions (all playable live)', () => {
    const parsed = parseDocument(demoQuizDocument);
    expect(parsed.ok, parsed.ok ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
    expect(demoQuizDocument.questions.every((q) => q.type === 'single' || q.type === 'multiple')).toBe(true);
  });
});
