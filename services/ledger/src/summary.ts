import { createHmac } from 'node:crypto';
import { LedgerError } from './errors.js';
import { isHex64 } from './canonical.js';

/**
 * What an entry may say about a request: codes and names, never values. The ledger holds no personal data,
 * so the only link to a person is a keyed hash (`subjectHashes`) that a reviewer holding the key can recompute.
 */
export interface Summary {
  readonly agency?: string;
  readonly purpose?: string;
  readonly basisType?: string;
  readonly system?: string;
  readonly fields?: readonly string[];
  readonly decision?: string;
  readonly rules?: readonly string[];
  readonly reviewerRole?: string;
  readonly subjectHashes?: readonly string[];
  readonly channel?: string;
  readonly selection?: string;
  readonly count?: number;
  /** A reason code (dead letters, rejected input), never an error message, which may echo input. */
  readonly reason?: string;
  readonly previousKid?: string;
  readonly newKid?: string;
  /** ACCESS entries: the caller's verified role, what was done (an AccessAction), GRANTED or REFUSED, the HTTP status. */
  readonly role?: string;
  readonly action?: string;
  readonly outcome?: string;
  readonly status?: number;
  /** ACCESS entries: names of the search filters used, never their values. */
  readonly filters?: readonly string[];
  /** REVIEW entries: names of the legal facts the reviewer verified on the paper (court, judgeSigned, …), never their values. */
  readonly verifiedFacts?: readonly string[];
}

type Kind = 'code' | 'codes' | 'hashes' | 'count' | 'kid';

const allowed: Readonly<Record<keyof Summary, Kind>> = {
  agency: 'code',
  purpose: 'code',
  basisType: 'code',
  system: 'code',
  fields: 'codes',
  decision: 'code',
  rules: 'codes',
  reviewerRole: 'code',
  subjectHashes: 'hashes',
  channel: 'code',
  selection: 'code',
  count: 'count',
  reason: 'code',
  previousKid: 'kid',
  newKid: 'kid',
  role: 'code',
  action: 'code',
  outcome: 'code',
  status: 'count',
  filters: 'codes',
  verifiedFacts: 'codes',
};

export const summaryKeys = Object.freeze(Object.keys(allowed) as (keyof Summary)[]);

/** Put in place of a value that is not a code, so free text (a name, a date, an id number) never reaches the ledger. */
export const REDACTED = '[redacted]';

// A code: starts with a letter or digit, then letters, digits, `. _ : / -`, at most 128 characters, with at least
// one letter. Spaces, `@`, and digit-only strings (phone, SSN, dates) are not codes.
const CODE = /^(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const KID = /^[A-Za-z0-9_-]{43}$/;
const MAX_LIST = 512;

export function isCode(value: unknown): value is string {
  return typeof value === 'string' && (value === REDACTED || CODE.test(value));
}

function isKey(key: string): key is keyof Summary {
  return Object.hasOwn(allowed, key);
}

function valid(kind: Kind, value: unknown): boolean {
  switch (kind) {
    case 'code':
      return isCode(value);
    case 'codes':
      return Array.isArray(value) && value.length <= MAX_LIST && value.every(isCode);
    case 'hashes':
      return Array.isArray(value) && value.length <= MAX_LIST && value.every(isHex64);
    case 'count':
      return Number.isSafeInteger(value) && (value as number) >= 0;
    case 'kid':
      return typeof value === 'string' && KID.test(value);
  }
}

function sanitise(kind: Kind, value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (kind === 'code') return isCode(value) ? value : REDACTED;
  if (kind === 'codes') return Array.isArray(value) ? value.slice(0, MAX_LIST).map((v) => (isCode(v) ? v : REDACTED)) : [REDACTED];
  if (valid(kind, value)) return kind === 'hashes' ? [...(value as string[])] : value;
  throw new LedgerError('PF_LEDGER_SUMMARY_NOT_ALLOWED', 'summary value has the wrong shape', { details: [kind] });
}

/**
 * Builds a summary from anything by copying only the allowed keys. Other keys are dropped; a string that is not a
 * code is replaced by REDACTED. Hashes, counts and kids of the wrong shape throw PF_LEDGER_SUMMARY_NOT_ALLOWED.
 */
export function summarise(input: Readonly<Record<string, unknown>>): Summary {
  const out: Record<string, unknown> = {};
  for (const key of summaryKeys) {
    if (!Object.hasOwn(input, key)) continue;
    const value = sanitise(allowed[key], input[key]);
    if (value !== undefined) out[key] = value;
  }
  return out as Summary;
}

/** Strict check used on every append: only allowed keys, each of its kind. Throws PF_LEDGER_SUMMARY_NOT_ALLOWED. */
export function assertSummary(value: unknown): asserts value is Summary {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new LedgerError('PF_LEDGER_SUMMARY_NOT_ALLOWED', 'summary must be an object');
  }
  for (const [key, v] of Object.entries(value)) {
    if (!isKey(key)) throw new LedgerError('PF_LEDGER_SUMMARY_NOT_ALLOWED', 'summary key is not allowed', { details: [key.slice(0, 64)] });
    if (!valid(allowed[key], v)) throw new LedgerError('PF_LEDGER_SUMMARY_NOT_ALLOWED', 'summary value is not allowed', { details: [key] });
  }
}

/**
 * Keyed hash (HMAC-SHA256, hex) of a subject identifier, NFC-normalised and trimmed. The same key and identifier
 * always give the same hash, so a reviewer with the key finds every request about one person; without the key the
 * hash says nothing (a plain hash of an SSN or a name could be reversed by trying them all).
 */
export function subjectHash(key: Uint8Array | string, identifier: string): string {
  const keyBytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (keyBytes.length < 32) throw new LedgerError('PF_LEDGER_SUBJECT_KEY', 'subject hash key must be at least 32 bytes');
  return createHmac('sha256', keyBytes).update(identifier.normalize('NFC').trim(), 'utf8').digest('hex');
}
