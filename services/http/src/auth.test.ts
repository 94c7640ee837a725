import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { AuthError } from '@firewall/core';
import { createAuthenticator, tokenAudience } from './auth.js';
import { MemoryReplayGuard } from './memory-replay-guard.js';
import { RateLimiter } from './rate-limit.js';

describe('agency token authentication', async () => {
  const agencyKey = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const stranger = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
  const publicJwk = await exportJWK(agencyKey.publicKey);
  const registry = { agencies: { MPD: { jwks: { keys: [publicJwk] } }, CITY_IT: { jwks: { keys: [publicJwk] }, roles: ['CITY_IT', 'OPERATOR'] } } };
  const auth = createAuthenticator(registry, { replay: new MemoryReplayGuard() });

  const token = (claims: { iss?: string; aud?: string; exp?: string | number; jti?: unknown; role?: unknown; iat?: number } = {}, key = agencyKey.privateKey) => {
    const jwt = new SignJWT({ ...(claims.role !== undefined ? { role: claims.role } : {}), jti: (claims.jti ?? randomUUID()) as string })
      .setProtectedHeader({ alg: 'EdDSA' }).setIssuer(claims.iss ?? 'MPD').setAudience(claims.aud ?? tokenAudience)
      .setIssuedAt(claims.iat).setExpirationTime(claims.exp ?? '5m');
    return jwt.sign(key);
  };

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

  it('when a jti is not a short string (an object, an array, a number, 201 characters), then the token is refused', async () => {
    for (const jti of [{ a: 1 }, ['x'], 42, 'x'.repeat(201), '']) expect(await codeOf(`Bearer ${await token({ jti })}`)).toBe('PF_AUTH_INVALID');
  });

  it('when an object jti is replayed, then the replay is refused (it never gets in at all)', async () => {
    const t = await token({ jti: { id: 'same' } });
    expect(await codeOf(`Bearer ${t}`)).toBe('PF_AUTH_INVALID');
    expect(await codeOf(`Bearer ${t}`)).toBe('PF_AUTH_INVALID');
  });

  it('when a token lives longer than the maximum lifetime, then it is refused even with a recent iat', async () => {
    expect(await codeOf(`Bearer ${await token({ exp: '100y' })}`)).toBe('PF_AUTH_INVALID');
    expect(await codeOf(`Bearer ${await token({ exp: '61m' })}`)).toBe('PF_AUTH_INVALID');
    expect(await codeOf(`Bearer ${await token({ exp: '59m' })}`)).toBeUndefined();
    const short = createAuthenticator(registry, { replay: new MemoryReplayGuard(), maxLifetimeSeconds: 120 });
    await expect(short.authenticate(`Bearer ${await token({ exp: '5m' })}`)).rejects.toMatchObject({ code: 'PF_AUTH_INVALID' });
  });

  it('replay is per (issuer, jti): the same jti from two agencies is two tokens', async () => {
    const jti = randomUUID();
    expect(await codeOf(`Bearer ${await token({ jti })}`)).toBeUndefined();
    await expect(auth.authenticate(`Bearer ${await token({ jti, iss: 'CITY_IT' })}`)).resolves.toEqual({ agency: 'CITY_IT', role: null });
    expect(await codeOf(`Bearer ${await token({ jti, iss: 'CITY_IT' })}`)).toBe('PF_AUTH_REPLAYED');
  });

  it('a role counts only when the registry grants it to the agency', async () => {
    await expect(auth.authenticate(`Bearer ${await token({ iss: 'CITY_IT', role: 'OPERATOR' })}`)).resolves.toEqual({ agency: 'CITY_IT', role: 'OPERATOR' });
    expect(await codeOf(`Bearer ${await token({ role: 'CITY_IT' })}`)).toBe('PF_AUTH_ROLE_NOT_GRANTED');
    expect(await codeOf(`Bearer ${await token({ iss: 'CITY_IT', role: 'CITY_ATTORNEY' })}`)).toBe('PF_AUTH_ROLE_NOT_GRANTED');
    expect(await codeOf(`Bearer ${await token({ iss: 'CITY_IT', role: ['OPERATOR'] })}`)).toBe('PF_AUTH_ROLE_NOT_GRANTED');
  });

  it('a token refused for the agency\'s rate is not spent: it is accepted once the rate allows', async () => {
    let clock = Date.now();
    const limited = createAuthenticator(registry, { replay: new MemoryReplayGuard(), perAgency: new RateLimiter({ perSecond: 1, burst: 1 }, { now: () => clock }) });
    await limited.authenticate(`Bearer ${await token()}`);
    const second = await token();
    await expect(limited.authenticate(`Bearer ${second}`)).rejects.toMatchObject({ code: 'PF_RATE_LIMITED', retryAfterSeconds: 1 });
    clock += 1500;
    await expect(limited.authenticate(`Bearer ${second}`)).resolves.toEqual({ agency: 'MPD', role: null });
  });
});
