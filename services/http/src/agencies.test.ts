import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { grantsRole, loadAgencyRegistry } from './agencies.js';

const dir = mkdtempSync(join(tmpdir(), 'pf-agencies-'));
let n = 0;
const load = (registry: unknown) => {
  const path = join(dir, `agencies-${n++}.json`);
  writeFileSync(path, JSON.stringify(registry));
  return loadAgencyRegistry(path);
};
const problem = (registry: unknown) => {
  try {
    load(registry);
    return 'accepted';
  } catch (err) {
    return (err as Error).message;
  }
};

describe('agency registry', async () => {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const pub = await exportJWK(publicKey);
  const priv = await exportJWK(privateKey);

  it('accepts signing and encryption public keys and grants only the listed roles', () => {
    const registry = load({ agencies: { CITY_IT: { jwks: { keys: [{ ...pub, use: 'sig' }, { ...pub, kty: 'OKP', crv: 'X25519', use: 'enc', alg: 'ECDH-ES+A256KW' }] }, roles: ['CITY_IT'] } } });
    expect(grantsRole(registry, 'CITY_IT', 'CITY_IT')).toBe(true);
    expect(grantsRole(registry, 'CITY_IT', 'OPERATOR')).toBe(false);
    expect(grantsRole(registry, '__proto__', 'CITY_IT')).toBe(false);
  });

  it('refuses private or secret keys, symmetric keys, signing with HS*, roles that are not codes', () => {
    expect(problem({ agencies: { MPD: { jwks: { keys: [priv] } } } })).toContain('PRIVATE or secret key');
    expect(problem({ agencies: { MPD: { jwks: { keys: [{ ...pub, p: 'x' }] } } } })).toContain('PRIVATE or secret key');
    expect(problem({ agencies: { MPD: { jwks: { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] } } } })).toContain('PRIVATE or secret key');
    expect(problem({ agencies: { MPD: { jwks: { keys: [{ kty: 'oct' }] } } } })).toContain('other than OKP, EC or RSA');
    expect(problem({ agencies: { MPD: { jwks: { keys: [{ ...pub, alg: 'HS256' }] } } } })).toContain('algorithm other than');
    expect(problem({ agencies: { MPD: { jwks: { keys: [] } } } })).toContain('no public keys');
    expect(problem({ agencies: { MPD: { jwks: { keys: [pub] }, roles: ['city it'] } } })).toContain('role codes');
  });
});
