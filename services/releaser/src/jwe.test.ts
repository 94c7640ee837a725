import { describe, expect, it } from 'vitest';
import { decryptPayload, encryptPayload, encryptionKeyOf, generateEncryptionKeyPair, isEncryptionJwk, withEncryptionKey, RELEASE_JWE_TYP } from './jwe.js';

describe('release payload encryption (JWE)', () => {
  it.each(['X25519', 'P-256'] as const)('round-trips a payload to a %s key, and the header names alg, enc, kid and type', async (crv) => {
    const { publicJwk, privateJwk } = await generateEncryptionKeyPair(crv);
    const jwe = await encryptPayload({ records: [{ full_name: 'Avery Fictionsen' }] }, publicJwk);
    expect(jwe.split('.')).toHaveLength(5);
    expect(jwe).not.toContain('Avery');
    const header = JSON.parse(Buffer.from(jwe.split('.')[0]!, 'base64url').toString()) as Record<string, unknown>;
    expect(header).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', kid: publicJwk.kid, typ: RELEASE_JWE_TYP });
    expect(await decryptPayload(jwe, privateJwk)).toEqual({ records: [{ full_name: 'Avery Fictionsen' }] });
  });

  it('cannot be read with another key', async () => {
    const alice = await generateEncryptionKeyPair();
    const mallory = await generateEncryptionKeyPair();
    const jwe = await encryptPayload({ secret: 1 }, alice.publicJwk);
    await expect(decryptPayload(jwe, mallory.privateJwk)).rejects.toThrow();
  });

  it('refuses to encrypt to a signing key or a private key', async () => {
    const { publicJwk, privateJwk } = await generateEncryptionKeyPair();
    await expect(encryptPayload({}, { ...publicJwk, use: 'sig' })).rejects.toMatchObject({ code: 'PF_RELEASE_NO_KEY' });
    await expect(encryptPayload({}, privateJwk)).rejects.toMatchObject({ code: 'PF_RELEASE_NO_KEY' });
    expect(isEncryptionJwk({ kty: 'OKP', crv: 'Ed25519', x: 'x', use: 'enc' })).toBe(false);
  });

  it('finds the agency\'s enc key beside its signing keys, and adds one without disturbing them', async () => {
    const { publicJwk } = await generateEncryptionKeyPair();
    const signing = { kty: 'OKP', crv: 'Ed25519', x: 'abc', use: 'sig', kid: 'sig-1' };
    const registry = { agencies: { MN_COURT: { jwks: { keys: [signing] }, note: 'kept' }, FBI: { jwks: { keys: [signing] } } } };
    expect(encryptionKeyOf(registry, 'MN_COURT')).toBeUndefined();
    const withKey = withEncryptionKey(registry, publicJwk, ['MN_COURT']);
    expect(withKey.agencies.MN_COURT.jwks.keys).toEqual([signing, publicJwk]);
    expect(withKey.agencies.MN_COURT.note).toBe('kept');
    expect(encryptionKeyOf(withKey, 'MN_COURT')).toEqual(publicJwk);
    expect(encryptionKeyOf(withKey, 'FBI')).toBeUndefined();
    expect(encryptionKeyOf(withKey, 'toString')).toBeUndefined();
    const { privateJwk } = await generateEncryptionKeyPair();
    expect(() => withEncryptionKey(registry, privateJwk)).toThrow(/PUBLIC/);
  });
});
