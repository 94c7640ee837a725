import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { compactVerify, importJWK, type CryptoKey } from 'jose';
import { LedgerError } from './errors.js';
import { isNotFound, writeFileAtomic } from './fs-util.js';
import { JWKS_FILE } from './layout.js';
import { ed25519Kid, jwksOf, type Ed25519PublicJwk, type Jwks, type Signer } from './signer/signer.js';

/** Why a signed object failed, in the verifier's vocabulary. */
export interface SignatureProblem {
  readonly problem: 'changed' | 'malformed' | 'unknown_key' | 'bad_signature' | 'key_not_valid';
  readonly detail: string;
}

/**
 * A ledger key's validity, as members of its JWK. Positions are the authority: the chain and the witnessed tree
 * heads fix where each entry sits, while an entry's time is only what its signer wrote. So a key signs entries
 * `firstSeq` … `lastSeq` (inclusive) and tree heads covering no entry outside them. Time bounds nothing signed
 * after `validUntil` (the ledger sets it to the latest time it wrote, so a clock step cannot make it fail); a
 * `validFrom` is informative only, since a clock stepping back would date a new key's first entries before it, and
 * the position bound already says where it starts. Members, not `nbf`/`exp`: those
 * are JWT claims (RFC 7519) that a JWKS reader would not apply to a key, and they cannot say a position.
 * A key without members (published before intervals existed) is unbounded.
 */
export interface KeyValidity {
  readonly validFrom?: string;
  readonly validUntil?: string;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
}

/** Where a signature sits: an entry's position or a tree head's size, and the time it states. */
export type SignedAt = { readonly seq: number; readonly time: string } | { readonly size: number; readonly time: string };

const isTime = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(v) && !Number.isNaN(Date.parse(v));
const isPosition = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function validityOf(k: Record<string, unknown>, kid: string): KeyValidity {
  const v: Record<string, string | number> = {};
  for (const [name, ok] of [['validFrom', isTime], ['validUntil', isTime], ['firstSeq', isPosition], ['lastSeq', isPosition]] as const) {
    if (k[name] === undefined) continue;
    // A bound that cannot be read must not read as no bound.
    if (!ok(k[name])) throw new LedgerError('PF_LEDGER_JWKS', `key ${kid}: ${name} is malformed`);
    v[name] = k[name] as string | number;
  }
  return v;
}

/** Why `at` is outside the key's interval, or null. */
export function outsideValidity(v: KeyValidity, at: SignedAt, kid: string): string | null {
  if ('seq' in at) {
    if (v.firstSeq !== undefined && at.seq < v.firstSeq) return `entry ${at.seq} is signed by kid ${kid}, whose first position is ${v.firstSeq}`;
    if (v.lastSeq !== undefined && at.seq > v.lastSeq) return `entry ${at.seq} is signed by kid ${kid}, retired after position ${v.lastSeq}`;
  } else {
    if (v.firstSeq !== undefined && at.size <= v.firstSeq) return `tree head of ${at.size} entries is signed by kid ${kid}, whose first position is ${v.firstSeq}`;
    if (v.lastSeq !== undefined && at.size > v.lastSeq + 1) return `tree head of ${at.size} entries is signed by kid ${kid}, retired after position ${v.lastSeq}`;
  }
  const time = Date.parse(at.time);
  if (v.validUntil !== undefined && !(time <= Date.parse(v.validUntil))) return `signed at ${at.time} by kid ${kid}, valid until ${v.validUntil}`;
  return null;
}

/**
 * Public keys by kid. The kid of each key is recomputed (RFC 7638 thumbprint), never taken from the document,
 * so a JWKS cannot give a key someone else's kid.
 */
export class KeySet {
  readonly #jwks: Map<string, Ed25519PublicJwk>;
  readonly #keys = new Map<string, Promise<CryptoKey>>();

  private constructor(jwks: Map<string, Ed25519PublicJwk>) {
    this.#jwks = jwks;
  }

  static async from(jwks: unknown): Promise<KeySet> {
    const keys = (jwks as { keys?: unknown } | null)?.keys;
    if (!Array.isArray(keys)) throw new LedgerError('PF_LEDGER_JWKS', 'a JWKS needs a "keys" array');
    const map = new Map<string, Ed25519PublicJwk>();
    for (const key of keys as unknown[]) {
      const k = key as Record<string, unknown> | null;
      if (k?.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string' || 'd' in k) continue;
      const kid = await ed25519Kid(k.x);
      map.set(kid, { kty: 'OKP', crv: 'Ed25519', x: k.x, kid, alg: 'EdDSA', use: 'sig', ...validityOf(k, kid) });
    }
    return new KeySet(map);
  }

  static async fromFile(path: string): Promise<KeySet> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      throw new LedgerError('PF_LEDGER_JWKS', 'cannot read the JWKS file', { cause: err, details: [path] });
    }
    try {
      return await KeySet.from(JSON.parse(text));
    } catch (err) {
      throw new LedgerError('PF_LEDGER_JWKS', 'the JWKS file is not a JWKS', { cause: err, details: [path] });
    }
  }

  get size(): number {
    return this.#jwks.size;
  }

  has(kid: string): boolean {
    return this.#jwks.has(kid);
  }

  get jwks(): Jwks {
    return jwksOf(this.#jwks.values());
  }

  /** A KeySet with these keys added; a key it already holds keeps its validity interval. */
  with(keys: Iterable<Ed25519PublicJwk>): KeySet {
    const map = new Map(this.#jwks);
    for (const key of keys) map.set(key.kid, { ...map.get(key.kid), ...key });
    return new KeySet(map);
  }

  /** A KeySet with these bounds set on keys it holds. */
  withValidity(changes: ReadonlyMap<string, KeyValidity>): KeySet {
    const map = new Map(this.#jwks);
    for (const [kid, v] of changes) {
      const key = map.get(kid);
      if (key !== undefined) map.set(kid, { ...key, ...v });
    }
    return new KeySet(map);
  }

  validity(kid: string): KeyValidity {
    const { validFrom, validUntil, firstSeq, lastSeq } = this.#jwks.get(kid) ?? {};
    return { ...(validFrom ? { validFrom } : {}), ...(validUntil ? { validUntil } : {}), ...(firstSeq !== undefined ? { firstSeq } : {}), ...(lastSeq !== undefined ? { lastSeq } : {}) };
  }

  key(kid: string): Promise<CryptoKey> | undefined {
    const jwk = this.#jwks.get(kid);
    if (jwk === undefined) return undefined;
    let key = this.#keys.get(kid);
    if (key === undefined) {
      key = importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }, 'EdDSA') as Promise<CryptoKey>;
      this.#keys.set(kid, key);
    }
    return key;
  }
}

function decodeJson(part: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `kid` of a compact JWS's protected header, if it has one. */
export function jwsKid(jws: string): string | undefined {
  const kid = decodeJson(jws.split('.')[0] ?? '')?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

/**
 * Checks that a compact JWS signs exactly `payload` (the canonical text the verifier rebuilt), with `typ`, by a
 * key in `keys`. Order matters: a changed payload is reported as changed even though its signature also fails.
 */
export async function checkJws(jws: string, payload: string, typ: string, keys: KeySet, at?: SignedAt): Promise<SignatureProblem | null> {
  const parts = jws.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) {
    return { problem: 'malformed', detail: 'not a compact JWS' };
  }
  const [headerPart = '', payloadPart = ''] = parts;
  if (Buffer.from(payloadPart, 'base64url').toString('utf8') !== payload) {
    return { problem: 'changed', detail: 'the signed payload differs from the stored content' };
  }
  const header = decodeJson(headerPart);
  if (header?.alg !== 'EdDSA' || header.typ !== typ || typeof header.kid !== 'string') {
    return { problem: 'bad_signature', detail: `protected header is not {alg: EdDSA, typ: ${typ}, kid}` };
  }
  const key = keys.key(header.kid);
  if (key === undefined) return { problem: 'unknown_key', detail: `kid ${header.kid} is not in the JWKS` };
  try {
    await compactVerify(jws, await key, { algorithms: ['EdDSA'] });
  } catch {
    return { problem: 'bad_signature', detail: `signature does not verify with kid ${header.kid}` };
  }
  const outside = at === undefined ? null : outsideValidity(keys.validity(header.kid), at, header.kid);
  return outside === null ? null : { problem: 'key_not_valid', detail: outside };
}

/** The keys in a ledger folder's jwks.json (none if it has no such file). */
export async function readFolderKeys(dir: string): Promise<KeySet> {
  const path = join(dir, JWKS_FILE);
  try {
    return await KeySet.from(JSON.parse(await readFile(path, 'utf8')));
  } catch (err) {
    if (isNotFound(err)) return KeySet.from({ keys: [] });
    throw new LedgerError('PF_LEDGER_JWKS', 'jwks.json in the ledger folder is unreadable', { cause: err, details: [path] });
  }
}

/**
 * Makes sure the folder's jwks.json lists these signers' keys, keeping every key it had (`current`, as read with
 * readFolderKeys), before any of them signs there; a key new to the folder is valid from `from` (the next position
 * and now), and `bounds` set or move other keys' bounds (a rotation). Returns the folder's keys after.
 */
export async function publishKeys(
  dir: string,
  signers: readonly Signer[],
  current: KeySet,
  from?: { readonly seq: number; readonly time: string },
  bounds: ReadonlyMap<string, KeyValidity> = new Map(),
): Promise<KeySet> {
  const missing = signers.filter((s) => !current.has(s.kid));
  if (missing.length === 0 && bounds.size === 0) return current;
  const fresh = new Map(from === undefined ? [] : missing.map((s) => [s.kid, { firstSeq: from.seq, validFrom: from.time }] as const));
  const next = current.with(missing.map((s) => s.publicJwk)).withValidity(new Map([...fresh, ...bounds]));
  await writeFileAtomic(join(dir, JWKS_FILE), JSON.stringify(next.jwks, null, 2) + '\n');
  return next;
}
