/**
 * `firewall credential` as a developer runs it: the built bin in real processes, on a real data folder, and
 * its output checked by the verifier the gateway uses, against the registry the command wrote.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '@firewall/core';
import { createCredentialVerifier, loadIssuerRegistry } from '@firewall/http';

const bin = join(repoRoot, 'services', 'cli', 'bin', 'firewall.js');

function run(args: string[], env: Record<string, string> = {}) {
  const { KAFKA_BROKERS: _unset, FIREWALL_ISSUER_REGISTRY: _unset2, ...base } = process.env;
  const result = spawnSync(process.execPath, [bin, ...args], { env: { ...base, LOG_LEVEL: 'warn', ...env }, encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('firewall credential', () => {
  it('prints only a compact credential that verifies with the issuer registry it wrote, bound to agency and subjects', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pf-cred-'));
    const minted = run([
      'credential', '--issuer', 'HENNEPIN_DISTRICT_COURT', '--type', 'JUDICIAL_WARRANT', '--agency', 'ICE_HSI',
      '--subject', 'MID-0001', '--subject', 'MID-0002', '--court', 'Hennepin County District Court', '--judge-signed',
      '--expires', '2099-12-31', '--listed-fields', 'name,address', '--criminal-predicate', 'felony theft', '--ttl', '600',
    ], { FIREWALL_DATA_DIR: dataDir });
    expect(minted.stderr).toBe('');
    expect(minted.code).toBe(0);
    expect(minted.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const jws = minted.stdout.trim();
    // Subject identifiers never travel in the credential, only their digests.
    expect(Buffer.from(jws.split('.')[1]!, 'base64url').toString()).not.toContain('MID-000');
    expect(statSync(join(dataDir, 'keys', 'dev-issuer.key.pem')).mode & 0o777).toBe(0o600);

    const verifier = createCredentialVerifier(loadIssuerRegistry(join(dataDir, 'issuers.json')));
    await expect(verifier.verify(jws, { agency: 'ICE_HSI', subjectIds: ['MID-0002'], subjectCount: 1 })).resolves.toEqual({
      type: 'JUDICIAL_WARRANT', issuer: 'HENNEPIN_DISTRICT_COURT', credentialId: expect.any(String), court: 'Hennepin County District Court',
      judgeSigned: true, expires: '2099-12-31', namedSubjects: 2, listedFields: ['name', 'address'], criminalPredicate: 'felony theft',
    });
    await expect(verifier.verify(jws, { agency: 'ICE_HSI', subjectIds: ['MID-0003'], subjectCount: 1 })).rejects.toMatchObject({ code: 'PF_CREDENTIAL_WRONG_SUBJECT' });
    await expect(verifier.verify(jws, { agency: 'ICE_ERO', subjectIds: ['MID-0001'], subjectCount: 1 })).rejects.toMatchObject({ code: 'PF_CREDENTIAL_WRONG_AGENCY' });

    // A second run keeps the key: the first credential still verifies against the registry rewritten now.
    const consent = run(['credential', '--issuer', 'MUNICIPAL_ID_OFFICE', '--type', 'SUBJECT_AUTHORIZATION', '--agency', 'USCIS', '--subject', 'MID-0001'], { FIREWALL_DATA_DIR: dataDir });
    expect(consent.code).toBe(0);
    const again = createCredentialVerifier(loadIssuerRegistry(join(dataDir, 'issuers.json')));
    await expect(again.verify(consent.stdout.trim(), { agency: 'USCIS', subjectIds: ['MID-0001'], subjectCount: 1 })).resolves.toMatchObject({ verified: true, namedSubjects: 1 });
    await expect(again.verify(jws, { agency: 'ICE_HSI', subjectIds: ['MID-0001'] })).resolves.toMatchObject({ type: 'JUDICIAL_WARRANT' });
  });

  it('refuses a type the issuer may not certify, and refuses to run outside the embedded mode', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'pf-cred-'));
    const notAllowed = run(['credential', '--issuer', 'MUNICIPAL_ID_OFFICE', '--type', 'JUDICIAL_WARRANT', '--agency', 'ICE_HSI', '--subject', 'MID-1'], { FIREWALL_DATA_DIR: dataDir });
    expect(notAllowed.code).toBe(1);
    expect(notAllowed.stdout).toBe('');
    expect(notAllowed.stderr).toContain('PF_CREDENTIAL_TYPE_NOT_ALLOWED');

    const refused = run(['credential', '--issuer', 'HENNEPIN_DISTRICT_COURT', '--type', 'JUDICIAL_WARRANT', '--agency', 'ICE_HSI', '--subject', 'MID-1'], { FIREWALL_DATA_DIR: dataDir, KAFKA_BROKERS: '127.0.0.1:1' });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain('PF_AUTH_NOT_EMBEDDED');

    const help = run(['credential', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: firewall credential');
    expect(run(['--help']).stdout).toContain('FIREWALL_ISSUER_REGISTRY');
  });
});
