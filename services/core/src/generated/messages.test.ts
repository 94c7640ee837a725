import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generate, generatedPath } from '../../../../scripts/gen-types.js';

describe('generated message types', () => {
  it('match the Avro schemas (run `npx tsx scripts/gen-types.ts` after changing a schema)', () => {
    expect(readFileSync(generatedPath, 'utf8')).toBe(generate());
  });
});
