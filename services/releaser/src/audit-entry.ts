import { compactVerify } from 'jose';
import type { AuditEntry } from '@firewall/core';
import { ENTRY_TYP, canonicalJson, entryHash, type KeySet, type LedgerEntry } from '@firewall/ledger';

/**
 * Whether an AuditEntry from firewall.audit.v1 is a ledger entry signed by one of `keys`: its hash is the hash
 * of its content and its JWS (EdDSA, typ ENTRY_TYP, a known kid) signs exactly that content. Someone who can
 * write to the topic but does not hold the ledger's key cannot make the releaser act.
 */
export async function verifyAuditEntry(entry: AuditEntry, keys: KeySet): Promise<boolean> {
  let rebuilt: LedgerEntry;
  try {
    rebuilt = {
      seq: entry.seq, prevHash: entry.prevHash, type: entry.type as LedgerEntry['type'], requestId: entry.requestId ?? null, time: entry.time,
      eventDigest: entry.eventDigest, policyRevision: entry.policyRevision ?? null, summary: JSON.parse(entry.summary) as LedgerEntry['summary'],
    };
  } catch {
    return false;
  }
  const text = canonicalJson(rebuilt);
  if (entryHash(rebuilt) !== entry.hash) return false;
  const [headerPart = '', payloadPart = ''] = entry.jws.split('.');
  if (Buffer.from(payloadPart, 'base64url').toString('utf8') !== text) return false;
  let header: { alg?: unknown; typ?: unknown; kid?: unknown };
  try {
    header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
  } catch {
    return false;
  }
  if (header.alg !== 'EdDSA' || header.typ !== ENTRY_TYP || typeof header.kid !== 'string') return false;
  const key = keys.key(header.kid);
  if (!key) return false;
  try {
    await compactVerify(entry.jws, await key, { algorithms: ['EdDSA'] });
    return true;
  } catch {
    return false;
  }
}

/** The `kid` in an entry's JWS header, if it has one. */
export function entryKid(entry: Pick<AuditEntry, 'jws'>): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(entry.jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}
