import { canonicalJson, isHex64, sha256Hex } from './canonical.js';
import { checkJws, type KeySet, type SignatureProblem } from './keys.js';
import type { Signer } from './signer/signer.js';
import type { Summary } from './summary.js';

export const entryTypes = [
  'REQUEST_RECEIVED',
  'DECISION',
  'REVIEW',
  'RELEASE',
  'DEAD_LETTER',
  'DRY_RUN',
  'KEY_ROTATION',
  'REJECTED_INPUT',
  /** A use of the audit API or the review desk, or a refused attempt (firewall.access.v1). */
  'ACCESS',
] as const;

export type EntryType = (typeof entryTypes)[number];

/** One audited event. `seq` starts at 0 and equals the entry's Merkle leaf index. */
export interface LedgerEntry {
  readonly seq: number;
  /** Hash of the previous entry; GENESIS_HASH for seq 0. */
  readonly prevHash: string;
  readonly type: EntryType;
  /** Null only where there is no request (a key rotation, an undecodable message). */
  readonly requestId: string | null;
  /** RFC 3339 UTC time the ledger wrote the entry. */
  readonly time: string;
  /** Hex SHA-256 over the canonical JSON of the full event (see digestEvent). */
  readonly eventDigest: string;
  readonly policyRevision: string | null;
  readonly summary: Summary;
}

/** A line of a segment file: the entry, its hash and its signature. */
export interface StoredLine {
  readonly entry: LedgerEntry;
  /** Hex SHA-256 over the canonical JSON (RFC 8785) of `entry`. */
  readonly hash: string;
  /** Compact JWS (EdDSA, kid, typ ENTRY_TYP) whose payload is the canonical JSON of `entry`. */
  readonly jws: string;
}

export const GENESIS_HASH = '0'.repeat(64);
export const ENTRY_TYP = 'pf-ledger-entry+jws';

export function entryHash(entry: LedgerEntry): string {
  return sha256Hex(canonicalJson(entry));
}

/** Hashes and signs an entry. */
export async function sealEntry(entry: LedgerEntry, signer: Signer): Promise<StoredLine> {
  const text = canonicalJson(entry);
  return { entry, hash: sha256Hex(text), jws: await signer.sign(text, { typ: ENTRY_TYP }) };
}

export function serializeLine(line: StoredLine): string {
  return JSON.stringify({ entry: line.entry, hash: line.hash, jws: line.jws });
}

const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Why `value` is not a well-formed entry, or null. Does not judge the summary's contents. */
export function entryShapeProblem(value: unknown): string | null {
  if (!isRecord(value)) return 'entry is not an object';
  const { seq, prevHash, type, requestId, time, eventDigest, policyRevision, summary } = value;
  const extra = Object.keys(value).filter((k) => !['seq', 'prevHash', 'type', 'requestId', 'time', 'eventDigest', 'policyRevision', 'summary'].includes(k));
  if (extra.length > 0) return 'entry has unknown keys';
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) return 'seq is not a non-negative integer';
  if (!isHex64(prevHash)) return 'prevHash is not a hex SHA-256';
  if (!entryTypes.includes(type as EntryType)) return 'type is not an entry type';
  if (requestId !== null && (typeof requestId !== 'string' || !REQUEST_ID.test(requestId))) return 'requestId is not an id';
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) return 'time is not a time';
  if (!isHex64(eventDigest)) return 'eventDigest is not a hex SHA-256';
  if (policyRevision !== null && typeof policyRevision !== 'string') return 'policyRevision is not a string';
  if (!isRecord(summary)) return 'summary is not an object';
  return null;
}

export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && REQUEST_ID.test(value);
}

/** Parses a segment line. Throws a TypeError naming what is wrong. */
export function parseStoredLine(text: string): StoredLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TypeError('line is not JSON');
  }
  if (!isRecord(value)) throw new TypeError('line is not an object');
  const problem = entryShapeProblem(value.entry);
  if (problem !== null) throw new TypeError(problem);
  if (typeof value.hash !== 'string' || typeof value.jws !== 'string') throw new TypeError('line lacks hash or jws');
  return { entry: value.entry as unknown as LedgerEntry, hash: value.hash, jws: value.jws };
}

/**
 * Checks one line on its own: its hash is the hash of its entry (else 'changed'), its JWS signs exactly that
 * entry (else 'changed'), with a known key (else 'unknown_key') and a valid signature (else 'bad_signature').
 * Chain and order are the caller's business.
 */
export async function checkStoredLine(line: StoredLine, keys: KeySet): Promise<SignatureProblem | null> {
  const text = canonicalJson(line.entry);
  if (sha256Hex(text) !== line.hash) return { problem: 'changed', detail: 'hash does not match the entry' };
  return checkJws(line.jws, text, ENTRY_TYP, keys, { seq: line.entry.seq, time: line.entry.time });
}
