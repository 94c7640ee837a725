import { join } from 'node:path';
import { loadOrCreateSigningKey } from '@firewall/ledger';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { ensureDevAgencies } from '../../services/cli/src/dev-keys.js';

/**
 * What a Kafka-mode firewall process needs on disk, as the operator would provide it: a signed bundle and its
 * public key, an agency registry and a ledger signing key.
 */
export async function prepareOperatorFiles(dataDir: string) {
  const prepared = await prepareEmbeddedBundle(dataDir);
  const evaluator = await PolicyEvaluator.load(await loadSignedBundle(prepared.bundlePath, await loadBundlePublicKey(prepared.publicKeyPath)));
  const { registryPath } = await ensureDevAgencies(dataDir, Object.keys((evaluator.bundle.data as { agencies: object }).agencies));
  const ledgerKeyPath = join(dataDir, 'keys', 'ledger.key.pem');
  const signer = await loadOrCreateSigningKey(ledgerKeyPath, { create: true });
  return {
    evaluator, signer, registryPath, ledgerKeyPath,
    env: {
      FIREWALL_DATA_DIR: dataDir, FIREWALL_BUNDLE: prepared.bundlePath, FIREWALL_BUNDLE_PUBLIC_KEY: prepared.publicKeyPath,
      FIREWALL_AGENCY_REGISTRY: registryPath, FIREWALL_LEDGER_KEY: ledgerKeyPath,
    },
  };
}
