import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { SignJWT, importPKCS8 } from 'jose';
import { AuthError, FirewallError, isValidTime } from '@firewall/core';
import {
  credentialAudience, credentialMediaType, defaultMaxLifetimeSeconds, parseIssuerRegistry, subjectDigest, type CredentialType, type IssuerRegistry,
} from '@firewall/http';
import { ensureSigningKey, publicJwkOf } from './dev-keys.js';

/**
 * Embedded mode's development issuers: one Ed25519 key (its own, never the agencies' key) registered for
 * three offices, each allowed only what that office would certify in the city:
 * - the district court signs what a judge or its clerk issues: warrants, orders, judicial and grand-jury
 *   subpoenas;
 * - the city attorney's data-practices office signs the data use agreements it makes with researchers, and
 *   certifies an administrative subpoena the city received (that it is genuine and whom it names, not that it
 *   is enforceable: R5 still sends every one to a reviewer). The agency that wrote the subpoena never
 *   certifies its own paper;
 * - the municipal ID office witnesses a resident's signed consent (SUBJECT_AUTHORIZATION).
 * It exists only in the embedded data folder; a real registry lists each office's own public keys, and
 * `firewall credential` refuses to run outside the embedded mode.
 */
const devIssuerKeyFile = (dataDir: string) => join(dataDir, 'keys', 'dev-issuer.key.pem');
export const devIssuerRegistryFile = (dataDir: string) => join(dataDir, 'issuers.json');

export const devIssuerTypes: Readonly<Record<string, readonly CredentialType[]>> = {
  HENNEPIN_DISTRICT_COURT: ['JUDICIAL_WARRANT', 'COURT_ORDER', 'JUDICIAL_SUBPOENA', 'GRAND_JURY_SUBPOENA'],
  CITY_ATTORNEY_DATA_PRACTICES: ['ADMIN_SUBPOENA', 'DATA_USE_AGREEMENT'],
  MUNICIPAL_ID_OFFICE: ['SUBJECT_AUTHORIZATION'],
};

export async function ensureDevIssuers(dataDir: string): Promise<{ registryPath: string; created: boolean }> {
  const keyPath = devIssuerKeyFile(dataDir);
  const created = await ensureSigningKey(keyPath);
  const publicJwk = await publicJwkOf(keyPath);
  const registry: IssuerRegistry = {
    issuers: Object.fromEntries(Object.entries(devIssuerTypes).map(([code, types]) => [code, { jwks: { keys: [publicJwk] }, types, note: 'development issuer (embedded mode): not a real office' }])),
  };
  const registryPath = devIssuerRegistryFile(dataDir);
  writeFileSync(registryPath, `${JSON.stringify(registry, null, 2)}\n`);
  return { registryPath, created };
}

export interface CredentialRequest {
  readonly issuer: string;
  readonly type: string;
  readonly agency: string;
  /** Subject identifiers as requests will give them; the credential carries only their SHA-256 digests. */
  readonly subjects: readonly string[];
  readonly court?: string;
  readonly judgeSigned?: boolean;
  readonly expires?: string;
  readonly listedFields?: readonly string[];
  readonly criminalPredicate?: string;
  readonly ttlSeconds?: number;
}

/** Signs a development legal-process credential with the embedded mode's issuer key (embedded mode only). */
export async function mintCredential(dataDir: string, request: CredentialRequest): Promise<string> {
  const keyPath = devIssuerKeyFile(dataDir);
  const registryPath = devIssuerRegistryFile(dataDir);
  if (!existsSync(keyPath) || !existsSync(registryPath)) {
    throw new AuthError('PF_AUTH_NOT_EMBEDDED', `No development issuer key in ${dataDir}: run "npx firewall start" once (embedded mode) first.`);
  }
  const registry = parseIssuerRegistry(JSON.parse(readFileSync(registryPath, 'utf8')), registryPath);
  const issuer = Object.hasOwn(registry.issuers, request.issuer) ? registry.issuers[request.issuer]! : undefined;
  if (!issuer) {
    throw new FirewallError('PF_CREDENTIAL_UNKNOWN_ISSUER', `Issuer ${request.issuer} is not registered. Registered: ${Object.keys(registry.issuers).join(', ')}.`);
  }
  if (!(issuer.types as readonly string[]).includes(request.type)) {
    throw new FirewallError('PF_CREDENTIAL_TYPE_NOT_ALLOWED', `Issuer ${request.issuer} may certify only ${issuer.types.join(', ')}.`);
  }
  if (request.type === 'SUBJECT_AUTHORIZATION' && request.subjects.length !== 1) {
    throw new FirewallError('PF_CREDENTIAL_INVALID', 'A SUBJECT_AUTHORIZATION names exactly one subject: pass --subject once.');
  }
  if (request.expires !== undefined && !isValidTime(request.expires, true)) {
    throw new FirewallError('PF_CREDENTIAL_INVALID', '--expires must be a date (YYYY-MM-DD) or an RFC 3339 date-time.');
  }
  const ttl = request.ttlSeconds ?? 3600;
  if (!Number.isSafeInteger(ttl) || ttl < 1 || ttl > defaultMaxLifetimeSeconds) {
    throw new FirewallError('PF_CREDENTIAL_INVALID', `--ttl must be whole seconds from 1 to ${defaultMaxLifetimeSeconds} (the firewall refuses longer-lived credentials).`);
  }
  const subjects = [...new Set(request.subjects)].map(subjectDigest);
  const claims = {
    agency: request.agency,
    type: request.type,
    ...(request.court !== undefined ? { court: request.court } : {}),
    ...(request.judgeSigned !== undefined ? { judgeSigned: request.judgeSigned } : {}),
    ...(request.expires !== undefined ? { expires: request.expires } : {}),
    ...(request.listedFields !== undefined ? { listedFields: [...request.listedFields] } : {}),
    ...(request.criminalPredicate !== undefined ? { criminalPredicate: request.criminalPredicate } : {}),
    ...(subjects.length ? { subjects } : {}),
  };
  const kid = (issuer.jwks.keys[0] as { kid?: string }).kid;
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', typ: credentialMediaType, ...(kid ? { kid } : {}) })
    .setIssuer(request.issuer)
    .setAudience(credentialAudience)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .setJti(randomUUID())
    .sign(await importPKCS8(readFileSync(keyPath, 'utf8'), 'EdDSA'));
}
