import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthError } from '@firewall/core';
import { createAuthenticator, tokenAudience } from './auth.js';

describe('agency token authentication', async () => {
  const agencyKey = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = await exportJWK(agencyKey.publicKey);
  const auth = createAuthenticator({ agencies: { MPD: { jwks: { keys: [publicJwk] } } } });

  const token = (claims: { iss?: string; aud?: string; exp?: string; jti?: string } = {}, key = agencyKey.privateKey) =>
    new SignJWT({}).setProtectedHeader({ alg: 'EdDSA' }).setIssuer(claims.iss ?? 'MPD').setAudience(claims.aud ?? tokenAudience)
      .setIssuedAt().setExpirationTime(claims.exp ?? '5m').setJti(claims.jti ?? randomUUID()).sign(key);

  async function codeOf(header: string | undefined): Promise<string | undefined> {
    try {
      await auth.authenticate(header);
      return undefined;
    } catch (err) {
      return err instanceof AuthError ? err.code : 'not an AuthError';
    }
  }

  it('when the token is signed by the agency’s registered key, then the agency is the requester', async () => {
    await expect(auth.authenticate(`Bearer ${await token()}`)).resolves.toEqual({ agency: 'MPD', role: null });
  });

  it('when the same token is presented twice, then the second is refused as a replay', async () => {
    const t = await token();
    await auth.authenticate(`Bearer ${t}`);
    expect(await codeOf(`Bearer ${t}`)).toBe('PF_AUTH_REPLAYED');
  });

  it('refuses missing, unsigned, foreign-key, wrong-audience, expired and unregistered-agency tokens', async () => {
    expect(await codeOf(undefined)).toBe('PF_AUTH_MISSING');
    const unsecured = new UnsecuredJWT({ jti: randomUUID() }).setIssuer('MPD').setAudience(tokenAudience).setIssuedAt().setExpirationTime('5m').encode();
    expect(await codeOf(`Bearer ${unsecured}`)).toBe('PF_AUTH_INVALID');
    expect(await codeOf(`Bearer ${await token({}, stranger.privateKey)}`)).toBe('PF_AUTH_INVALID');
    expect(await codeOf(`Bearer ${await token({ aud: 'someone-else' })}`)).toBe('PF_AUTH_INVALID');
    expect(await codeOf(`Bearer ${await token({ exp: '-1m' })}`)).toBe('PF_AUTH_INVALID');
    expect(await codeOf(`Bearer ${await token({ iss: 'ICE_ERO' })}`)).toBe('PF_AUTH_UNKNOWN_AGENCY');
  });

  it('refuses an HS256 token made with the agency’s public key as the secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(publicJwk));
    const forged = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer('MPD').setAudience(tokenAudience)
      .setIssuedAt().setExpirationTime('5m').setJti(randomUUID()).sign(secret);
    expect(await codeOf(`Bearer ${forged}`)).toBe('PF_AUTH_INVALID');
  });
});
