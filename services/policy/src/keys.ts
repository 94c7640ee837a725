import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { calculateJwkThumbprint, exportJWK, exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, importSPKI } from 'jose';
import { bundleSigningAlg, type SigningKey } from './bundle-signature.js';

export interface BundleKeyPair {
  readonly privateKey: SigningKey;
  readonly publicKey: SigningKey;
  readonly keyId: string;
}

/** Reads the operator's bundle signing key (PKCS#8 PEM), or creates one (embedded mode's first run). */
export async function loadOrCreateBundleKey(privatePath: string, publicPath: string): Promise<BundleKeyPair & { created: boolean }> {
  let created = false;
  if (!existsSync(privatePath)) {
    const { privateKey, publicKey } = await generateKeyPair(bundleSigningAlg, { extractable: true });
    mkdirSync(dirname(privatePath), { recursive: true });
    writeFileSync(privatePath, await exportPKCS8(privateKey), { mode: 0o600 });
    chmodSync(privatePath, 0o600);
    writeFileSync(publicPath, await exportSPKI(publicKey));
    created = true;
  }
  const privateKey = await importPKCS8(readFileSync(privatePath, 'utf8'), bundleSigningAlg, { extractable: true });
  const publicKey = await loadBundlePublicKey(publicPath);
  return { privateKey, publicKey, keyId: await keyIdOf(publicKey), created };
}

export async function loadBundlePublicKey(path: string): Promise<SigningKey> {
  return importSPKI(readFileSync(path, 'utf8'), bundleSigningAlg, { extractable: true });
}

export async function keyIdOf(publicKey: SigningKey): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey));
}
