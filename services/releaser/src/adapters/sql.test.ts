import { describe, expect, it } from 'vitest';
import { quoteIdent } from './sql.js';

// The adapter itself runs against a real PostgreSQL server in test/integration/release.test.ts.
describe('SQL adapter identifiers', () => {
  it('quotes plain and schema-qualified names, and refuses anything else', () => {
    expect(quoteIdent('summons')).toBe('"summons"');
    expect(quoteIdent('courts.summons')).toBe('"courts"."summons"');
    for (const bad of ['summons; DROP TABLE x', 'a.b.c', '"x"', '1abc', '', 'x y']) expect(() => quoteIdent(bad), bad).toThrow(/plain identifier/);
  });
});
