import { randomUUID } from 'node:crypto';
import { createCredentialVerifier, loadIssuerRegistry, type CredentialVerifier } from '@firewall/http';
import { devIssuerTypes, ensureDevIssuers, mintCredential } from '../../services/cli/src/dev-credentials.js';

/** The embedded mode's development issuers for a test's data folder, as the firewall's credential verifier. */
export async function devCredentialVerifier(dataDir: string): Promise<CredentialVerifier> {
  return createCredentialVerifier(loadIssuerRegistry((await ensureDevIssuers(dataDir)).registryPath));
}

const issuerFor = (type: unknown) => Object.entries(devIssuerTypes).find(([, types]) => (types as readonly unknown[]).includes(type))?.[0];

/**
 * A conformance scenario's request as an agency sends it over HTTP. The scenario's legal facts stand for what
 * verification concluded; over HTTP that takes a credential, so they are minted into one by the development issuer
 * that certifies the type, issued to the scenario's agency for the subjects a NAMED request names (`subjectIds`, or
 * fictional ids, one per subject, when it names none; other selections name no one and carry no subject ids). A type no issuer certifies travels as its type alone.
 */
export async function presentedOverHttp(dataDir: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  const basis = request.legalBasis as Record<string, unknown> | null | undefined;
  const issuer = basis ? issuerFor(basis.type) : undefined;
  if (!basis || !issuer) return request;
  const agency = (request.requester as { agency: string }).agency;
  const subjects = request.subjects as { count?: number; selection?: string } | undefined;
  const recordLevel = subjects?.selection === undefined || subjects.selection === 'NAMED';
  // Only named subjects are bound to a credential; a selection by attribute names no one (and a credential
  // without subjects refuses any named id).
  const subjectIds = recordLevel
    ? (request.subjectIds as string[] | undefined) ?? Array.from({ length: subjects?.count ?? 1 }, () => `TEST-SUBJECT-${randomUUID()}`)
    : undefined;
  const credential = await mintCredential(dataDir, {
    issuer, type: basis.type as string, agency, subjects: subjectIds ?? [],
    ...(typeof basis.court === 'string' ? { court: basis.court } : {}),
    ...(basis.judgeSigned === true ? { judgeSigned: true } : {}),
    ...(typeof basis.expires === 'string' ? { expires: basis.expires } : {}),
    ...(Array.isArray(basis.listedFields) ? { listedFields: basis.listedFields as string[] } : {}),
    ...(typeof basis.criminalPredicate === 'string' ? { criminalPredicate: basis.criminalPredicate } : {}),
  });
  const { subjectIds: _unbound, ...rest } = request;
  return { ...rest, legalBasis: { type: basis.type, credential }, ...(subjectIds ? { subjectIds } : {}) };
}
