import { describe, expect, it } from 'vitest';
import { benchLedger } from './bench.js';
import * as ledger from './index.js';

describe('benchLedger', () => {
  it('when run on a few hundred entries, then it reports positive rates (no timing asserted)', async () => {
    const result = await benchLedger(300);
    expect(result.entries).toBe(300);
    expect(result.appendPerSec).toBeGreaterThan(0);
    expect(result.verifyPerSec).toBeGreaterThan(0);
  });
});

describe('public surface', () => {
  it('when imported from index, then the entry points are there', () => {
    for (const name of ['openLedger', 'FileLedger', 'verifyLedgerFolder', 'verifyEvidence', 'verifyPath', 'buildEvidence',
      'loadOrCreateSigningKey', 'openKeyring', 'createMemorySigner', 'summarise', 'subjectHash', 'canonicalJson', 'sha256Hex']) {
      expect(typeof (ledger as Record<string, unknown>)[name]).toBe('function');
    }
  });
});
