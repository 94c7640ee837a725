import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { PolicyError } from '@firewall/core';
import { readBundleArchive, writeBundleArchive, type BundleFiles } from './bundle-files.js';
import { hashBundleFile, signBundle, signaturesFile, verifyBundle } from './bundle-signature.js';

const files = (): BundleFiles => new Map([
  ['.manifest', Buffer.from('{"revision":"r1","wasm":[{"entrypoint":"firewall/decision/result","module":"/policy.wasm"}]}')],
  ['policy.wasm', Buffer.from([0, 97, 115, 109, 1, 0, 0, 0])],
  ['data.json', Buffer.from('{"b":1,"a":{"y":"<x>","x":[1,2]}}')],
]);

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (err) {
    return err instanceof PolicyError ? err.code : 'not a PolicyError';
  }
}

describe('bundle signatures (OPA format, jose)', async () => {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const other = await generateKeyPair('ES256');

  it('when the bundle is signed with the trusted key, then it verifies', async () => {
    const signed = await signBundle(files(), privateKey, 'k1');
    await expect(verifyBundle(signed, publicKey)).resolves.toEqual({ keyId: 'k1' });
  });

  it('when a single byte of a file changed, then it is refused as tampered', async () => {
    const signed = await signBundle(files(), privateKey, 'k1');
    const wasm = Buffer.from(signed.get('policy.wasm')!);
    wasm[7] = wasm[7]! ^ 1;
    signed.set('policy.wasm', wasm);
    expect(await codeOf(verifyBundle(signed, publicKey))).toBe('PF_POLICY_BUNDLE_TAMPERED');
  });

  it('when a file is added or removed after signing, then it is refused', async () => {
    const added = await signBundle(files(), privateKey, 'k1');
    added.set('extra.rego', Buffer.from('package x'));
    expect(await codeOf(verifyBundle(added, publicKey))).toBe('PF_POLICY_BUNDLE_TAMPERED');
    const removed = await signBundle(files(), privateKey, 'k1');
    removed.delete('data.json');
    expect(await codeOf(verifyBundle(removed, publicKey))).toBe('PF_POLICY_BUNDLE_TAMPERED');
  });

  it('when the bundle is unsigned or signed by another key, then it is refused', async () => {
    expect(await codeOf(verifyBundle(files(), publicKey))).toBe('PF_POLICY_BUNDLE_UNSIGNED');
    const foreign = await signBundle(files(), other.privateKey, 'k2');
    expect(await codeOf(verifyBundle(foreign, publicKey))).toBe('PF_POLICY_BUNDLE_BAD_SIGNATURE');
    const garbled = await signBundle(files(), privateKey, 'k1');
    garbled.set(signaturesFile, Buffer.from('{"signatures":[]}'));
    expect(await codeOf(verifyBundle(garbled, publicKey))).toBe('PF_POLICY_BUNDLE_BAD_SIGNATURE');
  });

  it('hashes JSON files over their content, not their formatting', () => {
    expect(hashBundleFile('data.json', Buffer.from('{"a": 1, "b": [true]}'))).toBe(hashBundleFile('data.json', Buffer.from('{"b":[true],"a":1}')));
    expect(hashBundleFile('policy.wasm', Buffer.from('a'))).not.toBe(hashBundleFile('policy.wasm', Buffer.from('b')));
  });

  it('survives a round trip through a .tar.gz archive', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'pf-')), 'b.tar.gz');
    writeBundleArchive(path, await signBundle(files(), privateKey, 'k1'));
    await expect(verifyBundle(readBundleArchive(path), publicKey)).resolves.toEqual({ keyId: 'k1' });
  });
});
