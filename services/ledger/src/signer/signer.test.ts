import { generateKeyPairSync } from 'node:crypto';
import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../test-support.js';
import { loadOrCreateSigningKey, signerFromPkcs8Pem } from './file-signer.js';
import { openKeyring } from './keyring.js';
import { createMemorySigner } from './memory-signer.js';
import type { Signer } from './signer.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});
async function dir(): Promise<string> {
  const t = await tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

async function expectVerifies(signer: Signer): Promise<void> {
  const jws = await signer.sign('{"a":1}', { typ: 'test+jws' });
  expect(decodeProtectedHeader(jws)).toEqual({ alg: 'EdDSA', kid: signer.kid, typ: 'test+jws' });
  const { payload } = await compactVerify(jws, await importJWK(signer.publicJwk, 'EdDSA'));
  expect(Buffer.from(payload).toString()).toBe('{"a":1}');
}

describe('memory signer', () => {
  it('when it signs, then the JWS verifies with its public JWK and its kid is the RFC 7638 thumbprint', async () => {
    const signer = await createMemorySigner();
    await expectVerifies(signer);
    expect(signer.kid).toBe(await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: signer.publicJwk.x }));
    expect(signer.publicJwk).not.toHaveProperty('d');
  });
});

describe('file signer', () => {
  it('when told to create, then it writes a 0600 PKCS8 key once and loads the same key afterwards', async () => {
    const path = join(await dir(), 'ledger.pem');
    const first = await loadOrCreateSigningKey(path, { create: true });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateSigningKey(path);
    expect(again.kid).toBe(first.kid);
    await expectVerifies(again);
  });

  it('when the key is missing and creation was not asked for, then it fails with PF_LEDGER_KEY', async () => {
    await expect(loadOrCreateSigningKey(join(await dir(), 'none.pem'))).rejects.toMatchObject({ code: 'PF_LEDGER_KEY' });
  });

  it('when the file holds another kind of key, then it fails with PF_LEDGER_KEY', async () => {
    const path = join(await dir(), 'ec.pem');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    await writeFile(path, privateKey.export({ format: 'pem', type: 'pkcs8' }));
    await expect(loadOrCreateSigningKey(path)).rejects.toMatchObject({ code: 'PF_LEDGER_KEY' });
    await expect(signerFromPkcs8Pem('not a pem')).rejects.toMatchObject({ code: 'PF_LEDGER_KEY' });
  });
});

describe('keyring', () => {
  it('when rotated, then the newest key is active and the JWKS lists every key', async () => {
    const d = await dir();
    const ring = await openKeyring(d, { create: true });
    const first = ring.active;
    const second = await ring.rotate();
    expect(ring.active.kid).toBe(second.kid);
    expect(ring.jwks().keys.map((k) => k.kid)).toEqual([first.kid, second.kid]);
    expect(await readdir(d)).toEqual(['ed25519-000001.pem', 'ed25519-000002.pem']);
    const reopened = await openKeyring(d);
    expect(reopened.active.kid).toBe(second.kid);
    expect(reopened.get(first.kid)?.kid).toBe(first.kid);
    expect((await stat(join(d, 'ed25519-000002.pem'))).mode & 0o777).toBe(0o600);
  });

  it('when the folder holds no key and creation was not asked for, then it fails with PF_LEDGER_KEY', async () => {
    await expect(openKeyring(await dir())).rejects.toMatchObject({ code: 'PF_LEDGER_KEY' });
  });
});
