import { createHash } from 'node:crypto';
import { CompactSign, compactVerify, type CryptoKey, type KeyObject } from 'jose';
import { PolicyError } from '@firewall/core';
import type { BundleFiles } from './bundle-files.js';

/**
 * OPA's bundle signature format (https://www.openpolicyagent.org/docs/management-bundles#signing):
 * `.signatures.json` = { "signatures": [JWS] } whose payload lists every file of the bundle with its SHA-256.
 * JSON files are hashed over their parsed content with sorted keys (so formatting does not matter); every
 * other file over its bytes. Signed and verified with jose, so no OPA binary is needed at install.
 */
export const signaturesFile = '.signatures.json';
export const bundleSigningAlg = 'ES256';

interface SignedFile { name: string; hash: string; algorithm: string }

export type SigningKey = CryptoKey | KeyObject;

export async function signBundle(files: BundleFiles, key: SigningKey, keyId: string): Promise<BundleFiles> {
  const listed: SignedFile[] = [...files.keys()]
    .filter((name) => name !== signaturesFile)
    .sort()
    .map((name) => ({ name, hash: hashBundleFile(name, files.get(name)!), algorithm: 'SHA-256' }));
  const payload = new TextEncoder().encode(JSON.stringify({ files: listed, keyid: keyId, iat: Math.floor(Date.now() / 1000), iss: 'sanctuary-firewall' }));
  const jws = await new CompactSign(payload).setProtectedHeader({ alg: bundleSigningAlg, kid: keyId }).sign(key);
  const signed = new Map(files);
  signed.set(signaturesFile, Buffer.from(JSON.stringify({ signatures: [jws] })));
  return signed;
}

/**
 * Verifies the signature and that the signed file list is exactly the bundle's files with matching hashes.
 * Throws PF_POLICY_BUNDLE_UNSIGNED, _BAD_SIGNATURE or _TAMPERED; returns the key id on success.
 */
export async function verifyBundle(files: BundleFiles, key: SigningKey): Promise<{ keyId: string | undefined }> {
  const raw = files.get(signaturesFile);
  if (!raw) throw new PolicyError('PF_POLICY_BUNDLE_UNSIGNED', 'The policy bundle is not signed (no .signatures.json): refusing to load it.');
  const jws = parseSignatures(raw);
  let payload: Uint8Array;
  let keyId: string | undefined;
  try {
    const result = await compactVerify(jws, key, { algorithms: [bundleSigningAlg, 'RS256', 'PS256', 'EdDSA'] });
    payload = result.payload;
    keyId = result.protectedHeader.kid;
  } catch (cause) {
    throw new PolicyError('PF_POLICY_BUNDLE_BAD_SIGNATURE', 'The policy bundle signature does not verify with the trusted public key: refusing to load it.', { cause });
  }
  const listed = parseListed(payload);
  const actual = [...files.keys()].filter((n) => n !== signaturesFile);
  const problems: string[] = [];
  for (const name of actual) {
    const entry = listed.get(name);
    if (!entry) problems.push(`${name}: not covered by the signature`);
    else if (entry.hash !== hashBundleFile(name, files.get(name)!)) problems.push(`${name}: content changed since signing`);
  }
  for (const name of listed.keys()) if (!files.has(name)) problems.push(`${name}: signed but missing`);
  if (problems.length) {
    throw new PolicyError('PF_POLICY_BUNDLE_TAMPERED', `The policy bundle does not match its signature: ${problems.join('; ')}.`, { details: problems });
  }
  return { keyId };
}

function parseSignatures(raw: Buffer): string {
  try {
    const parsed = JSON.parse(raw.toString('utf8')) as { signatures?: unknown };
    const first = Array.isArray(parsed.signatures) ? parsed.signatures[0] : undefined;
    if (typeof first === 'string' && parsed.signatures && (parsed.signatures as unknown[]).length === 1) return first;
  } catch {
    // fall through to the error below
  }
  throw new PolicyError('PF_POLICY_BUNDLE_BAD_SIGNATURE', 'The bundle .signatures.json must hold exactly one signature.');
}

function parseListed(payload: Uint8Array): Map<string, SignedFile> {
  const parsed = JSON.parse(new TextDecoder().decode(payload)) as { files?: SignedFile[] };
  const files = Array.isArray(parsed.files) ? parsed.files : [];
  return new Map(files.map((f) => [f.name.replace(/^(\.\/|\/)+/, ''), f]));
}

/** SHA-256 as OPA computes it: JSON files over their canonical content, other files over their bytes. */
export function hashBundleFile(name: string, content: Buffer): string {
  const hash = createHash('sha256');
  if (name.endsWith('.json') || name === '.manifest') hash.update(goCanonicalJson(JSON.parse(content.toString('utf8'))));
  else hash.update(content);
  return hash.digest('hex');
}

/** Sorted-key compact JSON with Go's encoding/json string escaping (OPA is written in Go). */
function goCanonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(goCanonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.keys(value).sort().map((k) => `${goString(k)}:${goCanonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  if (typeof value === 'string') return goString(value);
  return JSON.stringify(value);
}

function goString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
