import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { LedgerError } from './errors.js';

/**
 * The key of the keyed hash of subject identifiers (HMAC-SHA256): with it, the city attorney finds every request
 * about one person; without it, the ledger's hashes say nothing about who. Stored base64 in a 0600 file.
 */
export async function loadOrCreateSubjectKey(path: string, options: { create?: boolean } = {}): Promise<Uint8Array> {
  try {
    const key = Buffer.from((await readFile(path, 'utf8')).trim(), 'base64');
    if (key.length < 32) throw new LedgerError('PF_LEDGER_SUBJECT_KEY', 'The subject hash key must hold at least 32 bytes (base64).');
    return key;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || !options.create) throw err;
    const key = randomBytes(32);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  }
}
