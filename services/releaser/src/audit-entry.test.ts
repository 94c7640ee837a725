import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KeySet, createMemorySigner, digestEvent, openLedger, toAuditEntry } from '@firewall/ledger';
import { verifyAuditEntry } from './audit-entry.js';

describe('verifyAuditEntry', () => {
  it('accepts an entry the ledger signed and refuses any change or an unknown key', async () => {
    const signer = await createMemorySigner();
    const ledger = await openLedger(mkdtempSync(join(tmpdir(), 'pf-verify-')), signer);
    const stored = await ledger.append({ type: 'DECISION', requestId: 'req-1', eventDigest: digestEvent({ a: 1 }), policyRevision: 'r', summary: { decision: 'ALLOW' } });
    await ledger.close();
    const entry = toAuditEntry(stored);
    const keys = await KeySet.from({ keys: [signer.publicJwk] });
    expect(await verifyAuditEntry(entry, keys)).toBe(true);
    expect(await verifyAuditEntry({ ...entry, eventDigest: digestEvent({ a: 2 }) }, keys)).toBe(false);
    expect(await verifyAuditEntry({ ...entry, summary: '{"decision":"DENY"}' }, keys)).toBe(false);
    expect(await verifyAuditEntry({ ...entry, summary: 'nope' }, keys)).toBe(false);
    expect(await verifyAuditEntry(entry, await KeySet.from({ keys: [(await createMemorySigner()).publicJwk] }))).toBe(false);
  });
});
