import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { SignJWT, calculateJwkThumbprint, exportJWK, exportPKCS8, generateKeyPair, importPKCS8, type JWK } from 'jose';
import { AuthError } from '@firewall/core';
import { firewallRoles, tokenAudience, type AgencyRegistry } from '@firewall/http';
import { reviewerAgency, reviewerRoles } from '@firewall/review';
import { generateEncryptionKeyPair } from '@firewall/releaser';

/**
 * Embedded mode's development agency key: one Ed25519 key registered for every agency code the policy knows,
 * so a developer can try any requester. It exists only in the embedded data folder; a real registry lists each
 * agency's own public keys and `firewall token` refuses to run.
 */
const devKeyFile = (dataDir: string) => join(dataDir, 'keys', 'dev-agency.key.pem');
/**
 * The development agencies' encryption key pair (X25519, ECDH-ES+A256KW): its public half is registered beside
 * the signing key (`use: "enc"`), so the releaser encrypts released records to it; the private JWK stays here so
 * whoever holds a `firewall token` can read them (`firewall decrypt`).
 */
export const devEncryptionKeyFile = (dataDir: string) => join(dataDir, 'keys', 'dev-agency.enc.jwk.json');
export const devRegistryFile = (dataDir: string) => join(dataDir, 'agencies.json');

/**
 * Registry-only agencies of the firewall's own staff, with the roles the registry grants them: they are not in the
 * policy's agency data, so as requesters they are granted nothing (R26), and no requesting agency holds their roles.
 */
export const cityItAgency = 'CITY_IT';
export const devStaffRoles: Readonly<Record<string, readonly string[]>> = {
  [reviewerAgency]: reviewerRoles,
  [cityItAgency]: [firewallRoles.cityIt, firewallRoles.operator],
};

/** Writes the development registry: every code given (the policy's agencies) plus the firewall's own staff. */
export async function ensureDevAgencies(dataDir: string, agencyCodes: readonly string[]): Promise<{ registryPath: string; created: boolean }> {
  const keyPath = devKeyFile(dataDir);
  let created = await ensureSigningKey(keyPath);
  const encPath = devEncryptionKeyFile(dataDir);
  if (!existsSync(encPath)) {
    const { privateJwk } = await generateEncryptionKeyPair();
    mkdirSync(join(dataDir, 'keys'), { recursive: true });
    writeFileSync(encPath, `${JSON.stringify(privateJwk)}\n`, { mode: 0o600 });
    created = true;
  }
  const publicJwk = await publicJwkOf(keyPath);
  const { d: _private, ...encPublicJwk } = devEncryptionKey(dataDir);
  // The signing key stays first: mintDevToken names it by position.
  const registry: AgencyRegistry = {
    agencies: Object.fromEntries([...new Set([...agencyCodes, ...Object.keys(devStaffRoles)])].map((code) => [code, {
      jwks: { keys: [publicJwk, encPublicJwk] }, ...(devStaffRoles[code] ? { roles: [...devStaffRoles[code]] } : {}), note: 'development keys (embedded mode)',
    }])),
  };
  const registryPath = devRegistryFile(dataDir);
  writeFileSync(registryPath, `${JSON.stringify(registry, null, 2)}\n`);
  return { registryPath, created };
}

/** The development agencies' private encryption JWK (embedded mode only). */
export function devEncryptionKey(dataDir: string): JWK {
  const path = devEncryptionKeyFile(dataDir);
  if (!existsSync(path)) throw new AuthError('PF_AUTH_NOT_EMBEDDED', `No development encryption key in ${dataDir}: run "npx firewall start" once (embedded mode) first.`);
  return JSON.parse(readFileSync(path, 'utf8')) as JWK;
}

/** Creates an Ed25519 signing key (PKCS#8 PEM, mode 0600) at keyPath unless one is there; true when created. */
export async function ensureSigningKey(keyPath: string): Promise<boolean> {
  if (existsSync(keyPath)) return false;
  const { privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  mkdirSync(dirname(keyPath), { recursive: true });
  writeFileSync(keyPath, await exportPKCS8(privateKey), { mode: 0o600 });
  return true;
}

/** The public JWK (alg, use, thumbprint kid) of the Ed25519 key at keyPath. */
export async function publicJwkOf(keyPath: string) {
  const privateKey = await importPKCS8(readFileSync(keyPath, 'utf8'), 'EdDSA', { extractable: true });
  const { d: _private, ...publicJwk } = await exportJWK(privateKey);
  return { ...publicJwk, alg: 'EdDSA', use: 'sig', kid: await calculateJwkThumbprint(publicJwk) };
}

/** Mints a short-lived, single-use development token for a registered agency (embedded mode only). */
export async function mintDevToken(dataDir: string, agency: string, options: { role?: string; ttlSeconds?: number } = {}): Promise<string> {
  const keyPath = devKeyFile(dataDir);
  if (!existsSync(keyPath)) {
    throw new AuthError('PF_AUTH_NOT_EMBEDDED', `No development agency key in ${dataDir}: run "npx firewall start" once (embedded mode) first.`);
  }
  const registry = JSON.parse(readFileSync(devRegistryFile(dataDir), 'utf8')) as AgencyRegistry;
  if (!Object.hasOwn(registry.agencies, agency)) {
    throw new AuthError('PF_AUTH_UNKNOWN_AGENCY', `Agency ${agency} is not registered. Registered: ${Object.keys(registry.agencies).join(', ')}.`);
  }
  const privateKey = await importPKCS8(readFileSync(keyPath, 'utf8'), 'EdDSA');
  const kid = (registry.agencies[agency]!.jwks.keys[0] as { kid?: string }).kid;
  return new SignJWT({ ...(options.role ? { role: options.role } : {}) })
    .setProtectedHeader({ alg: 'EdDSA', ...(kid ? { kid } : {}) })
    .setIssuer(agency)
    .setSubject(agency)
    .setAudience(tokenAudience)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlSeconds ?? 900}s`)
    .setJti(randomUUID())
    .sign(privateKey);
}
