import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { ConfigError, isPlainObject } from '@firewall/core';

/** Asymmetric signature algorithms only: no `none`, and no HS* (a public key must never double as an HMAC secret). */
export const signingAlgorithms = ['EdDSA', 'ES256', 'ES384', 'RS256', 'PS256'] as const;
/** Key types of asymmetric keys; `oct` (a shared secret) never. */
const keyTypes = new Set(['OKP', 'EC', 'RSA']);
/** Members of a JWK that only a private (or secret) key has. */
const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
/** Key-agreement algorithms an agency's encryption key may name (releases are encrypted to it). */
const encryptionAlgorithms = ['ECDH-ES+A256KW', 'ECDH-ES', 'RSA-OAEP-256'];

/**
 * Checks a registry's public JWKS (the agency registry, the legal-issuer registry): at least one key, public keys
 * only, asymmetric key types, signing algorithms only for signing keys, and only the uses the registry allows.
 * Throws ConfigError PF_CONFIG_INVALID naming `where` and the key's position, never a key's value.
 */
export function checkPublicKeys(jwks: unknown, where: string, options: { use: readonly ('sig' | 'enc')[] }): JSONWebKeySet {
  const keys = isPlainObject(jwks) ? jwks.keys : undefined;
  if (!Array.isArray(keys) || keys.length === 0) throw invalid(`${where} has no public keys ("jwks": {"keys": [...]}).`);
  keys.forEach((key: unknown, i) => {
    const at = `${where}, key ${i + 1}`;
    if (!isPlainObject(key)) throw invalid(`${at} is not a JSON Web Key object.`);
    if (privateMembers.some((m) => m in key)) throw invalid(`${at} is a PRIVATE or secret key: remove it and list only the public key.`);
    if (typeof key.kty !== 'string' || !keyTypes.has(key.kty)) throw invalid(`${at} has key type "kty" other than OKP, EC or RSA.`);
    const use = key.use ?? 'sig';
    if (!(options.use as readonly unknown[]).includes(use)) {
      throw invalid(options.use.join() === 'sig' ? `${at} is not a signing key ("use" must be "sig" or absent).` : `${at} has "use" ${JSON.stringify(use)}; allowed here: ${options.use.join(', ')}.`);
    }
    const algorithms: readonly unknown[] = use === 'enc' ? encryptionAlgorithms : signingAlgorithms;
    if (key.alg !== undefined && !algorithms.includes(key.alg)) throw invalid(`${at} names an algorithm other than ${algorithms.join(', ')}.`);
  });
  return { keys: keys as JSONWebKeySet['keys'] };
}

/** Reads a registry file city IT maintains; a missing or unparsable file is a ConfigError that says which setting names it. */
export function readRegistryFile(path: string, what: string, setting: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError('PF_CONFIG_INVALID', `The ${what} ${path} is missing or not JSON (set ${setting} to the file city IT maintains).`, { cause });
  }
}

function invalid(message: string): ConfigError {
  return new ConfigError('PF_CONFIG_INVALID', message);
}
