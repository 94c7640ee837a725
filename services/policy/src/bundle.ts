import { createHash } from 'node:crypto';
import { PolicyError } from '@firewall/core';
import { readBundleArchive, type BundleFiles } from './bundle-files.js';
import { hashBundleFile, verifyBundle, type SigningKey } from './bundle-signature.js';

/** A bundle that passed signature verification, ready to evaluate. */
export interface VerifiedBundle {
  readonly wasm: Buffer;
  readonly data: Record<string, unknown>;
  readonly revision: string;
  /** SHA-256 over the hashes of policy.wasm and data.json: names exactly the policy that decided. */
  readonly digest: string;
  readonly entrypoint: string;
  readonly keyId: string | undefined;
}

export const policyEntrypoint = 'firewall/decision/result';

/** Reads, verifies and unpacks a signed bundle; refuses unsigned, altered or wrongly signed ones. */
export async function loadSignedBundle(path: string, trustedKey: SigningKey): Promise<VerifiedBundle> {
  const files = readBundleArchive(path);
  const { keyId } = await verifyBundle(files, trustedKey);
  return { ...unpackBundle(files), keyId };
}

/** Unpacks without verifying: only for tools that compare bundles (replay, the freshness check), never to serve. */
export function unpackBundle(files: BundleFiles): Omit<VerifiedBundle, 'keyId'> {
  const wasm = files.get('policy.wasm');
  const manifestRaw = files.get('.manifest');
  if (!wasm || !manifestRaw) throw new PolicyError('PF_POLICY_BUNDLE_INVALID', 'The bundle has no policy.wasm or .manifest: build it with `opa build -t wasm`.');
  const manifest = JSON.parse(manifestRaw.toString('utf8')) as { revision?: string; wasm?: { entrypoint: string }[] };
  const entrypoints = (manifest.wasm ?? []).map((w) => w.entrypoint);
  if (!entrypoints.includes(policyEntrypoint)) {
    throw new PolicyError('PF_POLICY_BUNDLE_INVALID', `The bundle does not export the ${policyEntrypoint} entrypoint.`);
  }
  const dataRaw = files.get('data.json') ?? Buffer.from('{}');
  const data = JSON.parse(dataRaw.toString('utf8')) as Record<string, unknown>;
  const digest = createHash('sha256').update(hashBundleFile('policy.wasm', wasm)).update(hashBundleFile('data.json', dataRaw)).digest('hex');
  return { wasm, data, revision: manifest.revision ?? '', digest, entrypoint: policyEntrypoint };
}
