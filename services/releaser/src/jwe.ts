import { CompactEncrypt, calculateJwkThumbprint, compactDecrypt, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { ReleaseError } from './errors.js';

/**
 * Release payloads are compact JWEs (RFC 7516) to the requesting agency's registered encryption key:
 * ECDH-ES+A256KW key agreement (X25519 or P-256/384/521) with A256GCM content encryption. Only the holder of
 * the agency's private key can read them: not Kafka, not the logs, not the gateway that hands them over.
 */
export const releaseKeyAlg = 'ECDH-ES+A256KW';
export const releaseContentEnc = 'A256GCM';
export const RELEASE_JWE_TYP = 'pf-release+jwe';

/**
 * The agency registry as the releaser needs it (structurally the gateway's AgencyRegistry): each agency's JWKS
 * holds its token-signing keys (`use: "sig"`) and one encryption key (`use: "enc"`, public part only).
 */
export interface AgencyKeys {
  readonly agencies: Readonly<Record<string, { readonly jwks: { readonly keys: readonly JWK[] } }>>;
}

const curves: Readonly<Record<string, readonly string[]>> = { OKP: ['X25519'], EC: ['P-256', 'P-384', 'P-521'] };

/** Whether a JWK can be a release encryption key: `use: "enc"`, an ECDH curve, no private part, a compatible alg. */
export function isEncryptionJwk(jwk: JWK): boolean {
  return jwk.use === 'enc' && typeof jwk.kty === 'string' && (curves[jwk.kty] ?? []).includes(jwk.crv ?? '')
    && !('d' in jwk) && (jwk.alg === undefined || jwk.alg === releaseKeyAlg);
}

/** The agency's registered encryption key (the first suitable one), or undefined when it has none. */
export function encryptionKeyOf(registry: AgencyKeys, agency: string): JWK | undefined {
  if (!Object.hasOwn(registry.agencies, agency)) return undefined;
  return registry.agencies[agency]!.jwks.keys.find(isEncryptionJwk);
}

/** Encrypts a JSON payload to a public encryption JWK; the header names the key (`kid`) and the type. */
export async function encryptPayload(payload: unknown, recipient: JWK): Promise<string> {
  if (!isEncryptionJwk(recipient)) throw new ReleaseError('PF_RELEASE_NO_KEY', 'The recipient key is not a public ECDH encryption key with use "enc".');
  const key = await importJWK({ kty: recipient.kty, crv: recipient.crv, x: recipient.x, ...(recipient.y ? { y: recipient.y } : {}) }, releaseKeyAlg);
  const kid = recipient.kid ?? (await calculateJwkThumbprint(recipient));
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: releaseKeyAlg, enc: releaseContentEnc, kid, typ: RELEASE_JWE_TYP, cty: 'json' })
    .encrypt(key);
}

/** Decrypts a release payload with the agency's private encryption key (a JWK with `d`, or a CryptoKey). */
export async function decryptPayload<T = unknown>(jwe: string, privateKey: JWK | CryptoKey): Promise<T> {
  const key = isJwk(privateKey) ? await importJWK(privateKey, releaseKeyAlg) : privateKey;
  const { plaintext } = await compactDecrypt(jwe, key, { keyManagementAlgorithms: [releaseKeyAlg], contentEncryptionAlgorithms: [releaseContentEnc] });
  return JSON.parse(new TextDecoder().decode(plaintext)) as T;
}

/** A new encryption key pair for an agency: the public JWK goes in its registry entry, the private one stays with it. */
export async function generateEncryptionKeyPair(crv: 'X25519' | 'P-256' = 'X25519'): Promise<{ publicJwk: JWK; privateJwk: JWK }> {
  const { publicKey, privateKey } = await generateKeyPair(releaseKeyAlg, { crv, extractable: true });
  const bare = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(bare);
  const meta = { kid, use: 'enc', alg: releaseKeyAlg } as const;
  return { publicJwk: { ...bare, ...meta }, privateJwk: { ...(await exportJWK(privateKey)), ...meta } };
}

/**
 * A registry where each listed agency (all by default) also has this public encryption key, replacing any
 * encryption key it had; signing keys stay first and untouched. For development registries and tests.
 */
export function withEncryptionKey<R extends AgencyKeys>(registry: R, publicJwk: JWK, agencies: readonly string[] = Object.keys(registry.agencies)): R {
  if ('d' in publicJwk) throw new ReleaseError('PF_RELEASE_CONFIG', 'Only the PUBLIC encryption key belongs in the agency registry.');
  const entries = Object.entries(registry.agencies).map(([code, entry]) => [code, agencies.includes(code)
    ? { ...entry, jwks: { ...entry.jwks, keys: [...entry.jwks.keys.filter((k) => k.use !== 'enc'), publicJwk] } }
    : entry]);
  return { ...registry, agencies: Object.fromEntries(entries) };
}

function isJwk(key: JWK | CryptoKey): key is JWK {
  return typeof (key as JWK).kty === 'string';
}
