import { CompactSign, calculateJwkThumbprint, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { FirewallError } from '@firewall/core';
import { credentialAudience, credentialMediaType, createCredentialVerifier, subjectDigest, type CredentialBinding } from './credentials.js';
import type { IssuerRegistry } from './issuers.js';

const now = Date.parse('2026-03-01T12:00:00Z');
const nowS = now / 1000;
// Values a credential may carry that are personal data: none may appear in any refusal.
const secretCourt = 'Hennepin County District Court, Judge Wilhelmina Quarrington';
const secretPredicate = 'burglary at 4417 Larkspur Lane';
const alice = 'MID-7730041';
const bob = 'MID-7730042';
const carol = 'MID-7730043';
const secrets = [secretCourt, secretPredicate, alice, bob, carol, subjectDigest(alice), subjectDigest(bob), 'Larkspur', 'Quarrington'];

async function issuerKey(alg: 'EdDSA' | 'ES256') {
  const pair = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
  const jwk = await exportJWK(pair.publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...pair, alg, kid, jwk: { ...jwk, kid, alg, use: 'sig' } as JWK };
}

describe('legal-process credential verification', async () => {
  const court = await issuerKey('EdDSA');
  const idOffice = await issuerKey('ES256');
  const cityAttorney = await issuerKey('EdDSA');
  const stranger = await issuerKey('EdDSA'); // registered nowhere
  const registry: IssuerRegistry = {
    issuers: {
      HENNEPIN_DISTRICT_COURT: { jwks: { keys: [court.jwk] }, types: ['JUDICIAL_WARRANT', 'COURT_ORDER', 'JUDICIAL_SUBPOENA', 'GRAND_JURY_SUBPOENA'] },
      MUNICIPAL_ID_OFFICE: { jwks: { keys: [idOffice.jwk] }, types: ['SUBJECT_AUTHORIZATION'] },
      CITY_ATTORNEY_DATA_PRACTICES: { jwks: { keys: [cityAttorney.jwk] }, types: ['DATA_USE_AGREEMENT'] },
    },
  };
  const verifier = createCredentialVerifier(registry, { now: () => now });

  const warrantClaims = {
    iss: 'HENNEPIN_DISTRICT_COURT', aud: credentialAudience, iat: nowS - 60, exp: nowS + 3600, jti: 'cred-0001',
    agency: 'ICE_HSI', type: 'JUDICIAL_WARRANT', court: secretCourt, judgeSigned: true, expires: '2026-03-31',
    listedFields: ['name', 'address'], criminalPredicate: secretPredicate, subjects: [subjectDigest(alice), subjectDigest(bob)],
  };
  const forAlice: CredentialBinding = { agency: 'ICE_HSI', subjectIds: [alice], subjectCount: 1 };

  /** Signs any header and claims set, however wrong (the test decides what is malformed, not the library). */
  async function sign(claims: Record<string, unknown>, options: { key?: { privateKey: CryptoKey; alg: string; kid: string }; header?: Record<string, unknown> } = {}) {
    const key = options.key ?? court;
    return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({ alg: key.alg, typ: credentialMediaType, kid: key.kid, ...options.header } as { alg: string })
      .sign(key.privateKey);
  }

  /** The refusal's code; fails the test if anything a credential carried leaks into the error. */
  async function refusal(jws: string, binding: CredentialBinding = forAlice): Promise<{ code: string; details: readonly string[] }> {
    try {
      await verifier.verify(jws, binding);
    } catch (err) {
      expect(err).toBeInstanceOf(FirewallError);
      const e = err as FirewallError<string>;
      const shown = JSON.stringify({ message: e.message, details: e.details, cause: String(e.cause ?? ''), all: Object.entries(e) });
      for (const secret of secrets) expect(shown).not.toContain(secret);
      return { code: e.code, details: e.details };
    }
    throw new Error('the credential was accepted');
  }
  const codeOf = async (jws: string, binding?: CredentialBinding) => (await refusal(jws, binding)).code;

  it('a valid warrant credential yields its facts, bound to the agency and the subjects it lists', async () => {
    const jws = await sign(warrantClaims);
    await expect(verifier.verify(jws, forAlice)).resolves.toEqual({
      type: 'JUDICIAL_WARRANT', issuer: 'HENNEPIN_DISTRICT_COURT', credentialId: 'cred-0001', court: secretCourt, judgeSigned: true,
      expires: '2026-03-31', namedSubjects: 2, listedFields: ['name', 'address'], criminalPredicate: secretPredicate,
    });
    // Not single-use: one warrant serves every request it covers.
    await expect(verifier.verify(jws, { agency: 'ICE_HSI', subjectIds: [bob, alice], subjectCount: 2 })).resolves.toMatchObject({ namedSubjects: 2 });
  });

  it('the same credential for another subject, for no subject, or for more subjects than named is refused', async () => {
    const jws = await sign(warrantClaims);
    expect(await codeOf(jws, { agency: 'ICE_HSI', subjectIds: [carol], subjectCount: 1 })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
    expect(await codeOf(jws, { agency: 'ICE_HSI', subjectIds: [alice, carol], subjectCount: 2 })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
    expect(await codeOf(jws, { agency: 'ICE_HSI', subjectIds: [], subjectCount: 1 })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
    expect(await codeOf(jws, { agency: 'ICE_HSI', subjectIds: [] })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
    expect(await codeOf(jws, { agency: 'ICE_HSI', subjectIds: [alice], subjectCount: 40 })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
    // The digest is of the identifier exactly as given: no case folding or trimming widens what it covers.
    expect(await codeOf(jws, { agency: 'ICE_HSI', subjectIds: [alice.toLowerCase()] })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
    expect(await codeOf(jws, { agency: 'ICE_HSI', subjectIds: [` ${alice}`] })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
  });

  it('a credential without subjects names nobody: no request naming a subject passes, and namedSubjects is 0', async () => {
    const dua = await sign({ iss: 'CITY_ATTORNEY_DATA_PRACTICES', aud: credentialAudience, iat: nowS, exp: nowS + 600, jti: 'dua-1', agency: 'RESEARCHER', type: 'DATA_USE_AGREEMENT' }, { key: cityAttorney });
    await expect(verifier.verify(dua, { agency: 'RESEARCHER', subjectIds: [], subjectCount: 0 })).resolves.toEqual({
      type: 'DATA_USE_AGREEMENT', issuer: 'CITY_ATTORNEY_DATA_PRACTICES', credentialId: 'dua-1', namedSubjects: 0,
    });
    expect(await codeOf(dua, { agency: 'RESEARCHER', subjectIds: [alice], subjectCount: 1 })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
  });

  it('a subject authorization is verified for exactly one subject', async () => {
    const base = { iss: 'MUNICIPAL_ID_OFFICE', aud: credentialAudience, iat: nowS, exp: nowS + 600, jti: 'consent-9', agency: 'USCIS', type: 'SUBJECT_AUTHORIZATION' };
    const one = await sign({ ...base, subjects: [subjectDigest(alice)] }, { key: idOffice });
    await expect(verifier.verify(one, { agency: 'USCIS', subjectIds: [alice], subjectCount: 1 })).resolves.toEqual({
      type: 'SUBJECT_AUTHORIZATION', issuer: 'MUNICIPAL_ID_OFFICE', credentialId: 'consent-9', verified: true, namedSubjects: 1,
    });
    expect(await codeOf(one, { agency: 'USCIS', subjectIds: [bob], subjectCount: 1 })).toBe('PF_CREDENTIAL_WRONG_SUBJECT');
    const two = await sign({ ...base, subjects: [subjectDigest(alice), subjectDigest(bob)] }, { key: idOffice });
    expect(await refusal(two, { agency: 'USCIS', subjectIds: [alice] })).toEqual({ code: 'PF_CREDENTIAL_INVALID', details: ['subjects'] });
    const none = await sign(base, { key: idOffice });
    expect(await codeOf(none, { agency: 'USCIS', subjectIds: [] })).toBe('PF_CREDENTIAL_INVALID');
  });

  it('a credential issued to another agency is refused', async () => {
    expect(await codeOf(await sign(warrantClaims), { ...forAlice, agency: 'ICE_ERO' })).toBe('PF_CREDENTIAL_WRONG_AGENCY');
    expect(await codeOf(await sign({ ...warrantClaims, agency: undefined }))).toBe('PF_CREDENTIAL_INVALID');
  });

  it('expired, over-long and future-dated credentials are refused', async () => {
    expect(await codeOf(await sign({ ...warrantClaims, iat: nowS - 7200, exp: nowS - 1 }))).toBe('PF_CREDENTIAL_EXPIRED');
    expect(await refusal(await sign({ ...warrantClaims, exp: nowS + 8 * 24 * 3600 }))).toEqual({ code: 'PF_CREDENTIAL_INVALID', details: ['exp', 'iat'] });
    expect(await refusal(await sign({ ...warrantClaims, iat: nowS + 3600, exp: nowS + 7200 }))).toEqual({ code: 'PF_CREDENTIAL_INVALID', details: ['iat'] });
    const strict = createCredentialVerifier(registry, { now: () => now, maxLifetimeSeconds: 600 });
    await expect(strict.verify(await sign(warrantClaims), forAlice)).rejects.toMatchObject({ code: 'PF_CREDENTIAL_INVALID' });
  });

  it('an altered credential is refused: one payload byte changed, or re-signed with a key the issuer has not registered', async () => {
    const [header, payload, signature] = (await sign(warrantClaims)).split('.') as [string, string, string];
    const bytes = Buffer.from(payload, 'base64url');
    const at = bytes.indexOf('ICE_HSI') + 6;
    bytes[at] = 'J'.charCodeAt(0); // ICE_HSI → ICE_HSJ: still JSON, still well-formed claims
    const altered = `${header}.${bytes.toString('base64url')}.${signature}`;
    expect(await codeOf(altered, { ...forAlice, agency: 'ICE_HSJ' })).toBe('PF_CREDENTIAL_INVALID');
    const claimingCourtKid = await sign(warrantClaims, { key: { ...stranger, kid: court.kid } });
    expect(await codeOf(claimingCourtKid)).toBe('PF_CREDENTIAL_INVALID');
    const noKid = await sign(warrantClaims, { key: stranger, header: { kid: undefined } });
    expect(await codeOf(noKid)).toBe('PF_CREDENTIAL_INVALID');
    expect(await codeOf(await sign(warrantClaims, { key: stranger }))).toBe('PF_CREDENTIAL_UNKNOWN_ISSUER');
    // Another registered issuer's key does not sign for the court either.
    expect(await codeOf(await sign(warrantClaims, { key: cityAttorney }))).toBe('PF_CREDENTIAL_UNKNOWN_ISSUER');
    expect(await codeOf(await sign(warrantClaims, { key: { ...cityAttorney, kid: court.kid } }))).toBe('PF_CREDENTIAL_INVALID');
  });

  it('a credential from an unregistered issuer, or a type its issuer may not certify, is refused', async () => {
    expect(await codeOf(await sign({ ...warrantClaims, iss: 'SOME_OTHER_COURT' }))).toBe('PF_CREDENTIAL_UNKNOWN_ISSUER');
    for (const iss of ['__proto__', 'constructor', 'toString']) expect(await codeOf(await sign({ ...warrantClaims, iss }))).toBe('PF_CREDENTIAL_UNKNOWN_ISSUER');
    expect(await codeOf(await sign({ ...warrantClaims, iss: undefined }))).toBe('PF_CREDENTIAL_UNKNOWN_ISSUER');
    expect(await codeOf(await sign({ ...warrantClaims, type: 'SUBJECT_AUTHORIZATION', subjects: [subjectDigest(alice)] }))).toBe('PF_CREDENTIAL_TYPE_NOT_ALLOWED');
    expect(await codeOf(await sign({ ...warrantClaims, type: 'ADMIN_WARRANT_I200' }))).toBe('PF_CREDENTIAL_TYPE_NOT_ALLOWED');
    expect(await codeOf(await sign({ ...warrantClaims, type: 'ADMIN_SUBPOENA' }))).toBe('PF_CREDENTIAL_TYPE_NOT_ALLOWED');
  });

  it('alg none, an HS256 token keyed with the public key, and header-supplied keys are refused', async () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: credentialMediaType })}.${b64(warrantClaims)}`;
    expect(await codeOf(`${unsigned}.`)).toBe('PF_CREDENTIAL_INVALID');
    expect(await codeOf(`${unsigned}.AAAA`)).toBe('PF_CREDENTIAL_INVALID');
    for (const secret of [new TextEncoder().encode(await exportSPKI(court.publicKey)), new TextEncoder().encode(JSON.stringify(court.jwk))]) {
      const hs = await new CompactSign(new TextEncoder().encode(JSON.stringify(warrantClaims)))
        .setProtectedHeader({ alg: 'HS256', typ: credentialMediaType, kid: court.kid }).sign(secret);
      expect(await refusal(hs)).toEqual({ code: 'PF_CREDENTIAL_INVALID', details: ['header.alg'] });
    }
    const { kid: _k, alg: _a, use: _u, ...strangerJwk } = stranger.jwk;
    expect(await refusal(await sign(warrantClaims, { key: stranger, header: { jwk: strangerJwk } }))).toEqual({ code: 'PF_CREDENTIAL_INVALID', details: ['header.jwk'] });
    // Even the registered key, offered in the header, is refused: the header never chooses the key.
    const { kid: _c, alg: _b, use: _d, ...courtJwk } = court.jwk;
    expect(await codeOf(await sign(warrantClaims, { header: { jwk: courtJwk } }))).toBe('PF_CREDENTIAL_INVALID');
    for (const member of ['jku', 'x5u']) expect((await refusal(await sign(warrantClaims, { header: { [member]: 'https://attacker.example/keys' } }))).details).toEqual([`header.${member}`]);
    expect((await refusal(await sign(warrantClaims, { header: { x5c: ['MIIB'] } }))).details).toEqual(['header.x5c']);
  });

  it('a wrong audience, a missing or foreign typ, missing claims and claims of wrong types are refused, naming the claim', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ aud: 'another-service' }, 'aud'], [{ aud: undefined }, 'aud'], [{ exp: undefined }, 'exp'], [{ iat: undefined }, 'iat'],
      [{ jti: undefined }, 'jti'], [{ jti: 'x'.repeat(129) }, 'jti'], [{ jti: 42 }, 'jti'], [{ type: undefined }, 'type'], [{ type: 7 }, 'type'],
      [{ agency: ['ICE_HSI'] }, 'agency'], [{ exp: `${nowS + 60}` }, 'exp'], [{ iat: 1.5 }, 'iat'],
      [{ judgeSigned: 'true' }, 'judgeSigned'], [{ judgeSigned: 1 }, 'judgeSigned'], [{ court: 5 }, 'court'], [{ court: '' }, 'court'],
      [{ expires: 'next Tuesday' }, 'expires'], [{ expires: '2026-02-30' }, 'expires'], [{ listedFields: 'name,address' }, 'listedFields'],
      [{ listedFields: [1] }, 'listedFields'], [{ criminalPredicate: { what: secretPredicate } }, 'criminalPredicate'],
      [{ subjects: [alice] }, 'subjects'], [{ subjects: subjectDigest(alice) }, 'subjects'], [{ subjects: [] }, 'subjects'],
      [{ subjects: [subjectDigest(alice), subjectDigest(alice)] }, 'subjects'], [{ namedSubjects: 5 }, 'namedSubjects'],
    ];
    for (const [change, claim] of cases) {
      const result = await refusal(await sign({ ...warrantClaims, ...change }));
      expect({ change, ...result }).toEqual({ change, code: 'PF_CREDENTIAL_INVALID', details: [claim] });
    }
    expect((await refusal(await sign(warrantClaims, { header: { typ: 'JWT' } }))).details).toEqual(['typ']);
    expect((await refusal(await sign(warrantClaims, { header: { typ: undefined } }))).details).toEqual(['typ']);
    await expect(verifier.verify(await sign({ ...warrantClaims, namedSubjects: 2 }), forAlice)).resolves.toMatchObject({ namedSubjects: 2 });
  });

  it('anything that is not one compact JWS is refused as invalid', async () => {
    for (const junk of ['', 'abc', 'a.b', 'a.b.c.d', `${'a'.repeat(40_000)}.b.c`, 'eyJhbGciOiJFZERTQSJ9.@@@.sig']) {
      expect(await codeOf(junk)).toBe('PF_CREDENTIAL_INVALID');
    }
    expect(await codeOf(await sign(['not', 'an', 'object'] as unknown as Record<string, unknown>))).toBe('PF_CREDENTIAL_INVALID');
  });
});
