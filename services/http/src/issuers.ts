import type { JSONWebKeySet } from 'jose';
import { ConfigError, isPlainObject } from '@firewall/core';
import { checkPublicKeys, readRegistryFile } from './jwks.js';

/**
 * The basis types a legal-process credential may certify: those whose facts the policy reads and that some
 * office issues as a document (POLICY-DOMAIN.md, policies/legal_basis/data.json).
 *
 * - JUDICIAL_WARRANT, COURT_ORDER: a valid judicial order needs judgeSigned, court, expires and coverage.
 * - JUDICIAL_SUBPOENA, GRAND_JURY_SUBPOENA, ADMIN_SUBPOENA: judicial or legal process, coverage by namedSubjects.
 * - SUBJECT_AUTHORIZATION: subject-authorized needs `verified` for exactly one subject.
 * - DATA_USE_AGREEMENT: R20's record-level de-identified grant rests on it.
 *
 * Left out on purpose: the administrative immigration documents (I-200, I-205, detainers…) never count as
 * authority (R3 denies on the type alone, so certifying their facts would lend them weight they must not
 * have); STATUTE_1373 is a statute, not a document anyone issues; a DATA_SHARING_AGREEMENT only ever makes
 * R11 deny, so a label is all the policy needs.
 */
export const credentialTypes = [
  'JUDICIAL_WARRANT',
  'COURT_ORDER',
  'JUDICIAL_SUBPOENA',
  'GRAND_JURY_SUBPOENA',
  'ADMIN_SUBPOENA',
  'SUBJECT_AUTHORIZATION',
  'DATA_USE_AGREEMENT',
] as const;

export type CredentialType = (typeof credentialTypes)[number];

export interface IssuerEntry {
  readonly jwks: JSONWebKeySet;
  /** The basis types this issuer may certify; a credential of any other type from it is refused. */
  readonly types: readonly CredentialType[];
  readonly note?: string;
}

/** Offices whose signed credentials the firewall believes (city IT maintains this file; public keys only). */
export interface IssuerRegistry {
  readonly issuers: Readonly<Record<string, IssuerEntry>>;
}

/** Issuer codes are compared with a credential's `iss`: upper-case letters, digits and underscores. */
const issuerCodePattern = /^[A-Z][A-Z0-9_]{1,63}$/;

export function loadIssuerRegistry(path: string): IssuerRegistry {
  return parseIssuerRegistry(readRegistryFile(path, 'issuer registry', 'FIREWALL_ISSUER_REGISTRY'), path);
}

/** Validates a registry already read; `source` names it in messages. */
export function parseIssuerRegistry(parsed: unknown, source: string): IssuerRegistry {
  const issuers = isPlainObject(parsed) ? parsed.issuers : undefined;
  if (!isPlainObject(issuers)) throw invalid(`The issuer registry ${source} has no "issuers" object.`);
  const codes = Object.keys(issuers);
  if (codes.length === 0) throw invalid(`The issuer registry ${source} lists no issuers: no credential could ever be verified.`);
  const checked: Record<string, IssuerEntry> = {};
  for (const code of codes) {
    const where = `Issuer ${code} in ${source}`;
    if (!issuerCodePattern.test(code)) throw invalid(`${where}: an issuer code is 2 to 64 upper-case letters, digits or underscores, starting with a letter.`);
    const entry = issuers[code];
    if (!isPlainObject(entry)) throw invalid(`${where} is not an object with "jwks" and "types".`);
    checked[code] = { jwks: checkPublicKeys(entry.jwks, where, { use: ['sig'] }), types: checkTypes(entry.types, where), ...checkNote(entry.note, where) };
  }
  return { issuers: checked };
}

function checkTypes(types: unknown, where: string): CredentialType[] {
  if (!Array.isArray(types) || types.length === 0) throw invalid(`${where} has no "types": list the basis types it may certify (${credentialTypes.join(', ')}).`);
  const unknown = types.filter((t) => !(credentialTypes as readonly unknown[]).includes(t));
  if (unknown.length) throw invalid(`${where} lists ${unknown.map((t) => JSON.stringify(t)).join(', ')}, which no credential may certify; allowed: ${credentialTypes.join(', ')}.`);
  if (new Set(types).size !== types.length) throw invalid(`${where} lists a type twice.`);
  return types as CredentialType[];
}

function checkNote(note: unknown, where: string): { note?: string } {
  if (note === undefined) return {};
  if (typeof note !== 'string') throw invalid(`${where} has a "note" that is not text.`);
  return { note };
}

function invalid(message: string): ConfigError {
  return new ConfigError('PF_CONFIG_INVALID', message);
}
