import { generateKeyPairSync } from 'node:crypto';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '@firewall/core';
import { jwksOf, signerFromPkcs8Pem, type Jwks, type Signer } from '@firewall/ledger';

/**
 * The review desk's own Ed25519 key: it signs every resolution note (compact JWS, `kid` = RFC 7638 thumbprint).
 * A separate key from the ledger's: the desk states what the reviewer decided, the ledger states that it was
 * recorded. Embedded mode generates it on first run ($FIREWALL_DATA_DIR/keys/review-signing.key.pem, 0600).
 */
export async function loadOrCreateReviewKey(path: string, options: { create?: boolean } = {}): Promise<Signer> {
  let pem: string;
  try {
    pem = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || options.create !== true) {
      throw new ConfigError('PF_CONFIG_INVALID', `Cannot read the review desk signing key ${path}.`, { cause: err, details: ['FIREWALL_REVIEW_KEY'] });
    }
    pem = await writeNewKey(path);
  }
  try {
    return await signerFromPkcs8Pem(pem);
  } catch (cause) {
    throw new ConfigError('PF_CONFIG_INVALID', `The review desk signing key ${path} is not an Ed25519 PKCS#8 key.`, { cause, details: ['FIREWALL_REVIEW_KEY'] });
  }
}

/** The JWKS that verifies the desk's notes (GET /v1/reviews/jwks.json serves it). */
export function reviewJwks(signer: Signer): Jwks {
  return jwksOf([signer.publicJwk]);
}

async function writeNewKey(path: string): Promise<string> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(pem, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    return pem;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFile(path, 'utf8'); // another process made it first
    throw err;
  }
}
