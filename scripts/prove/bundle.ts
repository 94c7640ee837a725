/**
 * The bundle under proof, loaded as the services load theirs: a signed bundle verified against a trusted key
 * (loadSignedBundle), then PolicyEvaluator.load. Without --bundle, the shipped bundle is signed with a fresh
 * development key in a temp folder exactly as the embedded mode does (prepareEmbeddedBundle).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle, shippedBundlePath } from '@firewall/policy';

export interface BundleSource { readonly bundlePath: string; readonly publicKeyPath: string; readonly cleanup: () => void }

/** Signs `shipped` (an unsigned `opa build -t wasm` bundle, default the shipped one) with a development key. */
export async function signedCopy(shipped: string = shippedBundlePath): Promise<BundleSource> {
  const dir = mkdtempSync(join(tmpdir(), 'pf-prove-'));
  const prepared = await prepareEmbeddedBundle(dir, shipped);
  return { bundlePath: prepared.bundlePath, publicKeyPath: prepared.publicKeyPath, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function loadEvaluator(source: Pick<BundleSource, 'bundlePath' | 'publicKeyPath'>): Promise<PolicyEvaluator> {
  return PolicyEvaluator.load(await loadSignedBundle(source.bundlePath, await loadBundlePublicKey(source.publicKeyPath)));
}
