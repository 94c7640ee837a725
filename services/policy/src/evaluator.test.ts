import { describe, expect, it } from 'vitest';
import { parseRfc3339Ns } from './evaluator.js';

describe('time.parse_rfc3339_ns for the wasm policy', () => {
  it('keeps sub-millisecond fractions, offsets and lower-case t/z', () => {
    expect(parseRfc3339Ns('2030-06-30T12:00:00Z')).toBe(1909051200000000000);
    expect(parseRfc3339Ns('2030-06-30T12:00:00.0009Z') - parseRfc3339Ns('2030-06-30T12:00:00.0001Z')).toBeGreaterThan(0);
    expect(parseRfc3339Ns('2030-06-30t14:00:00.5+02:00')).toBe(parseRfc3339Ns('2030-06-30T12:00:00.5Z'));
  });

  it('throws on anything else (the policy guards formats first, so this is fail-closed)', () => {
    expect(() => parseRfc3339Ns('2030-06-30')).toThrow();
    expect(() => parseRfc3339Ns(42)).toThrow();
  });
});
