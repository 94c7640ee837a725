import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { importPKCS8 } from 'jose';
import { LedgerError } from '../errors.js';
import { fsyncDir, isExists, isNotFound } from '../fs-util.js';
import { signerFromKey, type Signer } from './signer.js';

export interface LoadKeyOptions {
  /** Generate and write a new key (mode 0600) when the file does not exist. Default false: a missing key is an error. */
  readonly create?: boolean;
}

/** A Signer from an Ed25519 private key in PKCS8 PEM. */
export async function signerFromPkcs8Pem(pem: string): Promise<Signer> {
  let x: unknown;
  try {
    const key = createPrivateKey({ key: pem, format: 'pem' });
    if (key.asymmetricKeyType !== 'ed25519') throw new TypeError(`key type ${key.asymmetricKeyType ?? 'unknown'}`);
    x = createPublicKey(key).export({ format: 'jwk' }).x;
  } catch (err) {
    throw new LedgerError('PF_LEDGER_KEY', 'not an Ed25519 PKCS8 private key', { cause: err });
  }
  if (typeof x !== 'string') throw new LedgerError('PF_LEDGER_KEY', 'Ed25519 key has no public part');
  const privateKey = await importPKCS8(pem, 'EdDSA', { extractable: false });
  return signerFromKey(privateKey, x);
}

/** Writes a new Ed25519 PKCS8 PEM key to `path` (exclusive create, 0600, fsynced) and returns its PEM. */
export async function writeNewSigningKey(path: string): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(pem, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(dirname(path));
  return pem;
}

/**
 * Loads the Ed25519 signing key at `path`, or, with `{ create: true }`, generates and writes one when the file
 * does not exist. kid = RFC 7638 thumbprint of the public key.
 */
export async function loadOrCreateSigningKey(path: string, options: LoadKeyOptions = {}): Promise<Signer> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if (!isNotFound(err) || options.create !== true) {
      throw new LedgerError('PF_LEDGER_KEY', 'cannot read the ledger signing key', { cause: err, details: [path] });
    }
    try {
      pem = await writeNewSigningKey(path);
    } catch (createErr) {
      if (!isExists(createErr)) throw new LedgerError('PF_LEDGER_KEY', 'cannot write the ledger signing key', { cause: createErr, details: [path] });
      pem = await readFile(path, 'utf8'); // another process created it first
    }
  }
  return signerFromPkcs8Pem(pem);
}
