import { CompactSign, calculateJwkThumbprint, type CryptoKey } from 'jose';

/** The public half of an Ed25519 signing key as published in a JWKS. */
export interface Ed25519PublicJwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
  readonly kid: string;
  readonly alg: 'EdDSA';
  readonly use: 'sig';
  /**
   * The key's validity interval, set by the ledger when it publishes the key and when it retires it (keys.ts,
   * KeyValidity). Custom members (RFC 7517 §4 allows them; a JWKS reader that does not know them ignores them).
   */
  readonly validFrom?: string;
  readonly validUntil?: string;
  readonly firstSeq?: number;
  readonly lastSeq?: number;
}

export interface Jwks {
  readonly keys: readonly Ed25519PublicJwk[];
}

export interface SignOptions {
  /** JWS `typ` header, so an entry signature can never be replayed as a checkpoint signature. */
  readonly typ?: string;
}

/**
 * Signs ledger payloads as compact JWS (EdDSA over Ed25519, `kid` in the protected header).
 * Implementations: memory (tests), file (PKCS8 PEM), keyring (a folder of them).
 */
export interface Signer {
  /** RFC 7638 JWK thumbprint of the public key. */
  readonly kid: string;
  readonly publicJwk: Ed25519PublicJwk;
  sign(payload: Uint8Array | string, options?: SignOptions): Promise<string>;
}

/** RFC 7638 thumbprint (SHA-256, base64url) of an Ed25519 public key given by its `x`. */
export function ed25519Kid(x: string): Promise<string> {
  return calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x }, 'sha256');
}

/** Builds a Signer from a non-extractable private CryptoKey and its public `x`. */
export async function signerFromKey(privateKey: CryptoKey, x: string): Promise<Signer> {
  const kid = await ed25519Kid(x);
  const publicJwk: Ed25519PublicJwk = Object.freeze({ kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' });
  return Object.freeze({
    kid,
    publicJwk,
    async sign(payload: Uint8Array | string, options: SignOptions = {}): Promise<string> {
      const bytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
      const header = options.typ === undefined ? { alg: 'EdDSA', kid } : { alg: 'EdDSA', kid, typ: options.typ };
      return new CompactSign(bytes).setProtectedHeader(header).sign(privateKey);
    },
  });
}

/** A JWKS document listing the given public keys once each, in first-seen order. */
export function jwksOf(keys: Iterable<Ed25519PublicJwk>): Jwks {
  const byKid = new Map<string, Ed25519PublicJwk>();
  for (const key of keys) if (!byKid.has(key.kid)) byKid.set(key.kid, key);
  return { keys: [...byKid.values()] };
}
