import { describe, expect, it } from 'vitest';
import { canonicalJson, digestEvent, isHex64, sha256Hex } from './canonical.js';

describe('canonicalJson (RFC 8785)', () => {
  it('when keys are unordered, then they come out sorted by UTF-16 code units, recursively', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '1': 3 })).toBe('{"\\r":2,"1":3,"€":1}');
  });

  it('when numbers need ES6 formatting, then they follow it (RFC 8785 §3.2.2.3)', () => {
    expect(canonicalJson([1e21, 1e-7, -0, 0.000001, 333333333.33333329])).toBe('[1e+21,1e-7,0,0.000001,333333333.3333333]');
  });

  it('when a value has no JSON form, then it throws instead of hashing something else', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow();
  });
});

describe('sha256', () => {
  it('when hashing "abc", then it gives the FIPS 180-2 vector', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('when two events differ only in key order, then their digests are equal', () => {
    expect(digestEvent({ a: 1, b: 2 })).toBe(digestEvent({ b: 2, a: 1 }));
    expect(isHex64(digestEvent({ a: 1 }))).toBe(true);
    expect(isHex64('ABC')).toBe(false);
  });
});
