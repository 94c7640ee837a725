import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@firewall/core';
import { loadIssuerRegistry } from './issuers.js';

describe('issuer registry', async () => {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const publicJwk = await exportJWK(pair.publicKey);
  const privateJwk = await exportJWK(pair.privateKey);
  const dir = mkdtempSync(join(tmpdir(), 'pf-issuers-'));
  let n = 0;
  const file = (content: unknown) => {
    const path = join(dir, `issuers-${n++}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const court = { jwks: { keys: [publicJwk] }, types: ['JUDICIAL_WARRANT', 'COURT_ORDER'], note: 'Fourth Judicial District' };

  function problem(content: unknown): string {
    try {
      loadIssuerRegistry(file(content));
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('PF_CONFIG_INVALID');
      return (err as ConfigError).message;
    }
    throw new Error('the registry was accepted');
  }

  it('loads issuers with their public keys and the types they may certify', () => {
    expect(loadIssuerRegistry(file({ issuers: { HENNEPIN_DISTRICT_COURT: court } }))).toEqual({ issuers: { HENNEPIN_DISTRICT_COURT: court } });
  });

  it('refuses a missing or non-JSON file and a registry without issuers, naming the file', () => {
    expect(problem('{ not json')).toMatch(/issuers-\d+\.json is missing or not JSON/);
    expect(() => loadIssuerRegistry(join(dir, 'absent.json'))).toThrow(/absent\.json is missing or not JSON.*FIREWALL_ISSUER_REGISTRY/);
    expect(problem({ agencies: {} })).toContain('has no "issuers" object');
    expect(problem({ issuers: [] })).toContain('has no "issuers" object');
    expect(problem({ issuers: {} })).toContain('lists no issuers');
  });

  it('refuses private or secret keys, no keys, keys for symmetric or unlisted algorithms, and encryption keys', () => {
    expect(problem({ issuers: { C: court } })).toContain('an issuer code is 2 to 64 upper-case letters');
    expect(problem({ issuers: { 'hennepin court': court } })).toContain('an issuer code is');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: [privateJwk] } } } })).toContain('Issuer COURT in');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: [privateJwk] } } } })).toContain('PRIVATE or secret key');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } } } })).toContain('PRIVATE or secret key');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: [{ kty: 'oct' }] } } } })).toContain('"kty" other than OKP, EC or RSA');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: [] } } } })).toContain('has no public keys');
    expect(problem({ issuers: { COURT: { ...court, jwks: undefined } } })).toContain('has no public keys');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: ['abc'] } } } })).toContain('key 1 is not a JSON Web Key');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: [publicJwk, { ...publicJwk, alg: 'HS256' }] } } } })).toContain('key 2 names an algorithm other than');
    expect(problem({ issuers: { COURT: { ...court, jwks: { keys: [{ ...publicJwk, use: 'enc' }] } } } })).toContain('is not a signing key');
  });

  it('refuses missing, empty, unknown or repeated types, naming the known ones', () => {
    expect(problem({ issuers: { COURT: { ...court, types: undefined } } })).toContain('has no "types"');
    expect(problem({ issuers: { COURT: { ...court, types: [] } } })).toContain('has no "types"');
    const unknown = problem({ issuers: { COURT: { ...court, types: ['JUDICIAL_WARRANT', 'ADMIN_WARRANT_I200'] } } });
    expect(unknown).toContain('"ADMIN_WARRANT_I200", which no credential may certify');
    expect(unknown).toContain('SUBJECT_AUTHORIZATION');
    expect(problem({ issuers: { COURT: { ...court, types: ['STATUTE_1373'] } } })).toContain('which no credential may certify');
    expect(problem({ issuers: { COURT: { ...court, types: ['COURT_ORDER', 'COURT_ORDER'] } } })).toContain('lists a type twice');
    expect(problem({ issuers: { COURT: { ...court, note: 3 } } })).toContain('"note" that is not text');
    expect(problem({ issuers: { COURT: 'key' } })).toContain('is not an object');
  });
});
