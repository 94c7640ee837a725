import { isPlainObject, isValidTime } from '@firewall/core';
import { credentialTypes, type CredentialType } from './issuers.js';

/** The one error the claim checks raise: the caller turns it into PF_CREDENTIAL_INVALID with the claim's name. */
export class ClaimProblem extends Error {
  readonly claim: string;
  constructor(claim: string, what: string) {
    super(`The credential's "${claim}" claim ${what}.`);
    this.claim = claim;
  }
}

/** The claims of a credential whose signature, issuer, audience and expiry jose already checked. */
export interface CredentialClaims {
  readonly iss: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  readonly agency: string;
  readonly type: string;
  readonly court?: string;
  readonly judgeSigned?: boolean;
  readonly expires?: string;
  readonly listedFields?: readonly string[];
  readonly criminalPredicate?: string;
  /** SHA-256 digests (base64url, no padding) of the subject identifiers; absent = the credential names nobody. */
  readonly subjects?: readonly string[];
}

export const maxSubjects = 500;
const maxListedFields = 200;
const subjectDigestPattern = /^[A-Za-z0-9_-]{43}$/;
const jtiPattern = /^[\x21-\x7e]{1,128}$/;
const agencyPattern = /^[A-Z][A-Z0-9_]{0,63}$/;
const fieldPattern = /^[A-Za-z][A-Za-z0-9_]{0,99}$/;

/**
 * Checks every claim's type and bounds. A wrong type is a malformed credential, never a fact taken at a
 * default: a `judgeSigned: "yes"` is refused, not read as false. Problems name the claim, never its value.
 */
export function readClaims(payload: unknown): CredentialClaims {
  if (!isPlainObject(payload)) throw new ClaimProblem('(payload)', 'set is not a JSON object');
  const p = payload;
  const claims: CredentialClaims = {
    iss: text(p, 'iss', 64, true)!,
    jti: pattern(p, 'jti', jtiPattern, 'must be 1 to 128 visible ASCII characters')!,
    iat: seconds(p, 'iat'),
    exp: seconds(p, 'exp'),
    agency: pattern(p, 'agency', agencyPattern, 'must be the requesting agency code (upper-case letters, digits, underscores)')!,
    type: pattern(p, 'type', /^[A-Z][A-Z0-9_]{0,63}$/, 'must be a basis type code')!,
    ...optional('court', text(p, 'court', 200)),
    ...optional('judgeSigned', boolean(p, 'judgeSigned')),
    ...optional('expires', expiresOf(p)),
    ...optional('listedFields', listedFieldsOf(p)),
    ...optional('criminalPredicate', text(p, 'criminalPredicate', 500)),
    ...optional('subjects', subjectsOf(p)),
  };
  if (p.namedSubjects !== undefined && p.namedSubjects !== (claims.subjects?.length ?? 0)) {
    throw new ClaimProblem('namedSubjects', 'must equal the number of "subjects" (or be left out)');
  }
  if (claims.type === 'SUBJECT_AUTHORIZATION' && claims.subjects?.length !== 1) {
    throw new ClaimProblem('subjects', 'must name exactly one subject for a SUBJECT_AUTHORIZATION');
  }
  return claims;
}

export const isCredentialType = (type: string): type is CredentialType => (credentialTypes as readonly string[]).includes(type);

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function text(p: Record<string, unknown>, claim: string, max: number, required = false): string | undefined {
  const value = p[claim];
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw new ClaimProblem(claim, `must be text of 1 to ${max} characters`);
  return value;
}

function pattern(p: Record<string, unknown>, claim: string, re: RegExp, what: string): string {
  const value = p[claim];
  if (typeof value !== 'string' || !re.test(value)) throw new ClaimProblem(claim, value === undefined ? 'is missing' : what);
  return value;
}

function seconds(p: Record<string, unknown>, claim: string): number {
  const value = p[claim];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ClaimProblem(claim, 'must be a time in whole seconds since 1970');
  return value;
}

function boolean(p: Record<string, unknown>, claim: string): boolean | undefined {
  const value = p[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new ClaimProblem(claim, 'must be true or false');
  return value;
}

function expiresOf(p: Record<string, unknown>): string | undefined {
  const value = p.expires;
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !isValidTime(value, true)) throw new ClaimProblem('expires', 'must be a date (YYYY-MM-DD) or an RFC 3339 date-time');
  return value;
}

function listedFieldsOf(p: Record<string, unknown>): readonly string[] | undefined {
  const value = p.listedFields;
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length > maxListedFields || !value.every((f) => typeof f === 'string' && fieldPattern.test(f))) {
    throw new ClaimProblem('listedFields', `must be a list of at most ${maxListedFields} field names`);
  }
  return [...new Set(value as string[])];
}

function subjectsOf(p: Record<string, unknown>): readonly string[] | undefined {
  const value = p.subjects;
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || value.length > maxSubjects || !value.every((s) => typeof s === 'string' && subjectDigestPattern.test(s))) {
    throw new ClaimProblem('subjects', `must be a list of 1 to ${maxSubjects} SHA-256 digests (base64url) of subject identifiers`);
  }
  if (new Set(value).size !== value.length) throw new ClaimProblem('subjects', 'lists a subject twice');
  return value as string[];
}
