import { ConfigError, PolicyError } from '@firewall/core';
import { PolicyEvaluator, loadBundlePublicKey, loadSignedBundle, prepareEmbeddedBundle } from '@firewall/policy';
import { isEmbedded, type FirewallConfig } from './config.js';

/**
 * Loads the policy the way every command does (start, conformance, bench): a signed bundle verified against
 * the trusted key. Embedded mode signs the shipped bundle with its dev key; otherwise FIREWALL_BUNDLE and
 * FIREWALL_BUNDLE_PUBLIC_KEY are required and only that key is trusted.
 */
export async function loadPolicy(config: FirewallConfig): Promise<{ evaluator: PolicyEvaluator; note: string; bundlePath: string }> {
  let bundlePath: string;
  let publicKeyPath: string;
  let note: string;
  if (config.FIREWALL_BUNDLE) {
    bundlePath = config.FIREWALL_BUNDLE;
    publicKeyPath = config.FIREWALL_BUNDLE_PUBLIC_KEY!;
    note = `policy bundle ${bundlePath}, trusted key ${publicKeyPath}`;
  } else if (isEmbedded(config)) {
    try {
      const prepared = await prepareEmbeddedBundle(config.FIREWALL_DATA_DIR);
      ({ bundlePath, publicKeyPath } = prepared);
      note = `shipped policy bundle, ${prepared.signed === 'new' ? 'signed now' : 'signed earlier'} with the development key${prepared.keyCreated ? ' (created on this first run)' : ''}`;
    } catch (cause) {
      throw new PolicyError('PF_POLICY_BUNDLE_INVALID', `The signed policy bundle in ${config.FIREWALL_DATA_DIR}/policy cannot be read: it may be damaged or altered. Nothing will be decided with it. Delete that folder to have the shipped bundle signed again.`, { cause });
    }
  } else {
    throw new ConfigError('PF_CONFIG_INVALID', 'Outside the embedded mode, set FIREWALL_BUNDLE (a signed bundle) and FIREWALL_BUNDLE_PUBLIC_KEY (the key it must be signed with).');
  }
  const bundle = await loadSignedBundle(bundlePath, await loadBundlePublicKey(publicKeyPath));
  return { evaluator: await PolicyEvaluator.load(bundle), note: `${note}; revision ${bundle.revision}`, bundlePath };
}
