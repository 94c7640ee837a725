import { exportJWK, generateKeyPair } from 'jose';
import { LedgerError } from '../errors.js';
import { signerFromKey, type Signer } from './signer.js';

/** A fresh Ed25519 key that lives only in memory: for tests and benchmarks, never for a real ledger. */
export async function createMemorySigner(): Promise<Signer> {
  const { privateKey, publicKey } = await generateKeyPair('Ed25519', { extractable: false });
  const { x } = await exportJWK(publicKey);
  if (typeof x !== 'string') throw new LedgerError('PF_LEDGER_KEY', 'generated key has no public part');
  return signerFromKey(privateKey, x);
}
