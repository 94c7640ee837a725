import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LedgerError } from '../errors.js';
import { isExists, isNotFound } from '../fs-util.js';
import { signerFromPkcs8Pem, writeNewSigningKey } from './file-signer.js';
import { jwksOf, type Jwks, type Signer } from './signer.js';

const KEY_FILE = /^ed25519-(\d{6})\.pem$/;

const keyFileName = (n: number): string => `ed25519-${String(n).padStart(6, '0')}.pem`;

/**
 * A folder of Ed25519 PKCS8 PEM keys, `ed25519-000001.pem`, `ed25519-000002.pem`, …: the highest number is active,
 * the others are kept so their public keys stay in the JWKS. Keep it outside the ledger folder (the ledger folder is
 * meant to be copied and handed out; private keys are not).
 */
export interface Keyring {
  readonly dir: string;
  /** The newest key: the one that signs. */
  readonly active: Signer;
  /** Every key, oldest first (active last). */
  readonly signers: readonly Signer[];
  get(kid: string): Signer | undefined;
  /** Public keys of every key in the ring. */
  jwks(): Jwks;
  /**
   * Writes a new key and makes it active. Then call `ledger.rotateKey(keyring.active)` so the old key signs the
   * KEY_ROTATION entry naming it; if the process dies in between, opening the ledger with
   * `{ previousSigners: keyring.signers }` finishes the rotation.
   */
  rotate(): Promise<Signer>;
}

/** Opens the keyring in `dir`; with `{ create: true }` creates the folder (0700) and a first key when there is none. */
export async function openKeyring(dir: string, options: { create?: boolean } = {}): Promise<Keyring> {
  if (options.create === true) await mkdir(dir, { recursive: true, mode: 0o700 });
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new LedgerError('PF_LEDGER_KEY', isNotFound(err) ? 'no keyring folder' : 'cannot read the keyring', { cause: err, details: [dir] });
  }
  const numbered = names.flatMap((name) => {
    const n = KEY_FILE.exec(name)?.[1];
    return n === undefined ? [] : [{ n: Number(n), path: join(dir, name) }];
  });
  numbered.sort((a, b) => a.n - b.n);
  const signers: Signer[] = [];
  for (const { path } of numbered) signers.push(await signerFromPkcs8Pem(await readFile(path, 'utf8')));
  let last = numbered.at(-1)?.n ?? 0;
  if (signers.length === 0) {
    if (options.create !== true) throw new LedgerError('PF_LEDGER_KEY', 'the keyring holds no key', { details: [dir] });
    signers.push(await signerFromPkcs8Pem(await writeNewSigningKey(join(dir, keyFileName(++last)))));
  }

  const ring: Keyring = {
    dir,
    get active() {
      return signers[signers.length - 1] as Signer;
    },
    get signers() {
      return [...signers];
    },
    get: (kid) => signers.find((s) => s.kid === kid),
    jwks: () => jwksOf(signers.map((s) => s.publicJwk)),
    async rotate() {
      for (;;) {
        try {
          const signer = await signerFromPkcs8Pem(await writeNewSigningKey(join(dir, keyFileName(++last))));
          signers.push(signer);
          return signer;
        } catch (err) {
          if (!isExists(err)) throw new LedgerError('PF_LEDGER_KEY', 'cannot write a new key', { cause: err, details: [dir] });
        }
      }
    },
  };
  return ring;
}
