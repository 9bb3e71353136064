// Above a principal × resource budget only agents are named; below it everyone is (control).
import { describe, expect, it } from 'vitest';
import { NAME_EVERYONE_UP_TO_PAIRS, namingScope, scopedView, type ResourceView } from '../../src/resources/blast.js';

describe('naming scope', () => {
  it('names everyone in an account under the budget', () => {
    expect(namingScope(100, 1_000, ['arn:agent'])).toEqual({});
    expect(namingScope(NAME_EVERYONE_UP_TO_PAIRS, 1, [])).toEqual({});
  });

  it('names only agents above it, and says so', () => {
    const s = namingScope(1_000, 5_000, ['arn:aws:iam::1:role/kiro-agent']);
    expect([...s.keep!]).toEqual(['arn:aws:iam::1:role/kiro-agent']);
    expect(s.note).toMatch(/named for the 1 agent principal\(s\) only: 1000 principals × 5000 resources/);
  });

  it('a scoped view answers for kept principals and is empty for the rest', () => {
    const full = { count: 3, production: 1, byType: new Map(), sample: [] };
    const view = { summary: () => full } as unknown as ResourceView;
    const scoped = scopedView(view, new Set(['arn:agent']));
    expect(scoped.summary('arn:agent', { kinds: ['delete'], which: 'own' })).toBe(full);
    expect(scoped.summary('arn:app', { kinds: ['delete'], which: 'own' }).count).toBe(0);
    expect(scopedView(view, undefined)).toBe(view);
  });
});
