import { describe, expect, it } from 'vitest';
import { BoundedMap } from './lru.js';

describe('BoundedMap', () => {
  it('keeps the most recently used entries up to its capacity', () => {
    const map = new BoundedMap<string, number>(2);
    map.set('a', 1).set('b', 2);
    expect(map.get('a')).toBe(1);
    map.set('c', 3);
    expect(map.has('b')).toBe(false);
    expect([map.get('a'), map.get('c'), map.size]).toEqual([1, 3, 2]);
    expect(map.delete('a')).toBe(true);
    expect(() => new BoundedMap(0)).toThrow(RangeError);
  });
});
