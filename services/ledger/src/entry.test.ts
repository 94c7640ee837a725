import { describe, expect, it } from 'vitest';
import { canonicalJson, digestEvent } from './canonical.js';
import { GENESIS_HASH, checkStoredLine, entryHash, parseStoredLine, sealEntry, serializeLine, type LedgerEntry } from './entry.js';
import { KeySet } from './keys.js';
import { createMemorySigner } from './signer/memory-signer.js';

const entry: LedgerEntry = {
  seq: 0, prevHash: GENESIS_HASH, type: 'DECISION', requestId: 'req-1', time: '2025-01-02T03:04:05.000Z',
  eventDigest: digestEvent({ x: 1 }), policyRevision: 'rev-1', summary: { agency: 'ICE_ERO', decision: 'DENY' },
};

describe('entries', () => {
  it('when sealed, then the hash is SHA-256 of the canonical entry and the JWS signs exactly that text', async () => {
    const signer = await createMemorySigner();
    const line = await sealEntry(entry, signer);
    expect(line.hash).toBe(entryHash(entry));
    expect(Buffer.from(line.jws.split('.')[1] ?? '', 'base64url').toString()).toBe(canonicalJson(entry));
    const keys = await KeySet.from({ keys: [signer.publicJwk] });
    expect(await checkStoredLine(parseStoredLine(serializeLine(line)), keys)).toBeNull();
  });

  it('when the entry is changed after sealing, then the check says changed even with a recomputed hash', async () => {
    const signer = await createMemorySigner();
    const keys = await KeySet.from({ keys: [signer.publicJwk] });
    const line = await sealEntry(entry, signer);
    const changed = { ...entry, summary: { agency: 'CBP', decision: 'DENY' } };
    expect((await checkStoredLine({ ...line, entry: changed }, keys))?.problem).toBe('changed');
    expect((await checkStoredLine({ ...line, entry: changed, hash: entryHash(changed) }, keys))?.problem).toBe('changed');
  });

  it('when signed by a key outside the JWKS, then the check says unknown_key', async () => {
    const line = await sealEntry(entry, await createMemorySigner());
    const keys = await KeySet.from({ keys: [(await createMemorySigner()).publicJwk] });
    expect((await checkStoredLine(line, keys))?.problem).toBe('unknown_key');
  });

  it('when a JWKS gives a key a false kid, then the key is filed under its real thumbprint', async () => {
    const signer = await createMemorySigner();
    const other = await createMemorySigner();
    const keys = await KeySet.from({ keys: [{ ...signer.publicJwk, kid: other.kid }] });
    expect(keys.has(signer.kid)).toBe(true);
    expect(keys.has(other.kid)).toBe(false);
  });

  it('when a line is not an entry, then parsing names the problem', () => {
    expect(() => parseStoredLine('{')).toThrow('not JSON');
    expect(() => parseStoredLine(JSON.stringify({ entry: { ...entry, seq: -1 }, hash: 'x', jws: 'y' }))).toThrow('seq');
    expect(() => parseStoredLine(JSON.stringify({ entry: { ...entry, extra: 1 }, hash: 'x', jws: 'y' }))).toThrow('unknown keys');
    expect(() => parseStoredLine(JSON.stringify({ entry: { ...entry, type: 'NOPE' }, hash: 'x', jws: 'y' }))).toThrow('type');
  });
});
