import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { policiesDir } from '@firewall/core';
import { readBundleArchive, writeBundleArchive } from './bundle-files.js';
import { signBundle } from './bundle-signature.js';
import { unpackBundle } from './bundle.js';
import { loadOrCreateBundleKey } from './keys.js';

/** The compiled, unsigned bundle committed with the code (rebuilt from the Rego by deploy/opa/build-policy.sh). */
export const shippedBundlePath = join(policiesDir, 'dist', 'bundle.tar.gz');

export interface EmbeddedBundle {
  readonly bundlePath: string;
  readonly publicKeyPath: string;
  readonly signed: 'existing' | 'new';
  readonly keyCreated: boolean;
}

/**
 * Embedded mode only: the operator is the developer, so the firewall signs the shipped bundle with a
 * development key it generates on first run (never committed). It signs again only when the shipped policy
 * changed (a new revision); it never re-signs a bundle it finds altered — that bundle is refused at load.
 */
export async function prepareEmbeddedBundle(dataDir: string, shipped: string = shippedBundlePath): Promise<EmbeddedBundle> {
  const keyDir = join(dataDir, 'keys');
  const publicKeyPath = join(keyDir, 'bundle-signing.pub.pem');
  const key = await loadOrCreateBundleKey(join(keyDir, 'bundle-signing.key.pem'), publicKeyPath);
  const bundlePath = join(dataDir, 'policy', 'bundle.signed.tar.gz');
  const source = readBundleArchive(shipped);
  if (existsSync(bundlePath) && unpackBundle(readBundleArchive(bundlePath)).revision === unpackBundle(source).revision) {
    return { bundlePath, publicKeyPath, signed: 'existing', keyCreated: key.created };
  }
  writeBundleArchive(bundlePath, await signBundle(source, key.privateKey, key.keyId));
  return { bundlePath, publicKeyPath, signed: 'new', keyCreated: key.created };
}
