import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { isPlainObject, messageTypes, type ReviewResolution } from '@firewall/core';
import { lengthOf, notBlank } from '@firewall/http';
import { canonicalJson, type Signer } from '@firewall/ledger';
import { ReviewError } from './errors.js';
import type { LegalFindings } from './findings.js';

export const resolutionOutcomes = ['ALLOW', 'DENY'] as const;
export type ResolutionOutcome = (typeof resolutionOutcomes)[number];

/** JWS `typ` of a resolution note, so a desk signature can never pass for a ledger entry's or a checkpoint's. */
export const RESOLUTION_TYP = 'pf-review-resolution+jws';
export const MAX_NOTE_LENGTH = 4000;
/** Bounds on the fields a reviewer lists (field names are short catalog names; a request lists a few). */
export const MAX_FIELDS = 50;
export const MAX_FIELD_NAME_LENGTH = 64;
const trimmed = (text: string) => text.replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, '');

export interface ResolutionInput {
  readonly outcome: ResolutionOutcome;
  /** ALLOW: the fields to release, non-empty and within the requested fields. DENY: none. */
  readonly fields: readonly string[];
  readonly note: string;
}

/** The signed statement: the resolution with the note's text in place of its signature. */
export interface ResolutionPayload {
  readonly requestId: string;
  readonly resolvedAt: string;
  readonly reviewerRole: string;
  readonly reviewerKid: string;
  readonly outcome: ResolutionOutcome;
  readonly fields: readonly string[];
  /** The legal facts the reviewer verified on the paper; absent when none were recorded (then not signed at all). */
  readonly findings?: LegalFindings;
  readonly note: string;
}

/**
 * Checks a reviewer's input against the requested fields. An ALLOW names at least one field and none outside the
 * request (PF_REVIEW_FIELDS_TOO_WIDE); a DENY names none; the note is required. Fields come back in request order.
 */
export function parseResolutionInput(body: unknown, requested: readonly string[]): ResolutionInput {
  if (!isPlainObject(body)) throw new ReviewError('PF_REVIEW_INVALID', 'Send a JSON object { outcome, fields, note }.', { details: ['(root)'] });
  const unknownKeys = Object.keys(body).filter((k) => !['outcome', 'fields', 'note', 'findings'].includes(k));
  // `findings` are checked by the desk (parseFindings), which knows the request's system.
  if (unknownKeys.length) throw new ReviewError('PF_REVIEW_INVALID', 'Only outcome, fields, note and findings may be sent.', { details: unknownKeys.slice(0, 10).map((k) => k.slice(0, 64)) });
  const { outcome, fields = [], note } = body;
  if (!resolutionOutcomes.includes(outcome as ResolutionOutcome)) {
    throw new ReviewError('PF_REVIEW_INVALID', 'outcome must be ALLOW or DENY.', { details: ['outcome'] });
  }
  // The same bounds as the OpenAPI schema, counted the same way (characters, not UTF-16 units).
  if (typeof note !== 'string' || !notBlank.test(note) || lengthOf(note) > MAX_NOTE_LENGTH) {
    throw new ReviewError('PF_REVIEW_INVALID', `A note is required (at most ${MAX_NOTE_LENGTH} characters): it is signed with the resolution.`, { details: ['note'] });
  }
  if (!Array.isArray(fields) || fields.length > MAX_FIELDS || !fields.every((f): f is string => typeof f === 'string' && lengthOf(f) <= MAX_FIELD_NAME_LENGTH)) {
    throw new ReviewError('PF_REVIEW_INVALID', `fields must be a list of at most ${MAX_FIELDS} field names.`, { details: ['fields'] });
  }
  if (new Set(fields).size !== fields.length) throw new ReviewError('PF_REVIEW_INVALID', 'fields lists a field twice.', { details: ['fields'] });
  if (outcome === 'DENY') {
    if (fields.length) throw new ReviewError('PF_REVIEW_INVALID', 'A DENY releases nothing: send no fields.', { details: ['fields'] });
    return { outcome, fields: [], note: trimmed(note) };
  }
  if (fields.length === 0) throw new ReviewError('PF_REVIEW_NO_FIELDS', 'An ALLOW must name the fields to release (at least one requested field).', { details: ['fields'] });
  const wider = fields.filter((f) => !requested.includes(f));
  if (wider.length) {
    // Only field names the request itself used may be echoed; anything else is reported by position.
    throw new ReviewError('PF_REVIEW_FIELDS_TOO_WIDE', `An ALLOW may only release requested fields: ${requested.join(', ')}.`, {
      details: fields.flatMap((f, i) => (requested.includes(f) ? [] : [`fields.${i}`])),
    });
  }
  return { outcome: 'ALLOW', fields: requested.filter((f) => fields.includes(f)), note: trimmed(note) };
}

/** Signs the payload (canonical JSON, RFC 8785) and returns the ReviewResolution with the compact JWS as its note. */
export async function signResolution(payload: ResolutionPayload, signer: Signer): Promise<ReviewResolution> {
  if (payload.reviewerKid !== signer.kid) throw new TypeError('reviewerKid must be the signer kid');
  const note = await signer.sign(canonicalJson(payload), { typ: RESOLUTION_TYP });
  const { note: _text, ...rest } = payload;
  const resolution: ReviewResolution = { ...rest, fields: [...rest.fields], findings: rest.findings ? { ...rest.findings } : null, note };
  if (!messageTypes.reviewResolution.isValid(resolution)) throw new TypeError('resolution does not fit the ReviewResolution schema');
  return resolution;
}

/**
 * Verifies a published ReviewResolution against the desk's public key (a JWK or a JWKS) and returns the signed
 * payload: the note's JWS must be the desk's EdDSA signature over exactly the message's other fields.
 */
export async function verifyResolution(resolution: ReviewResolution, keys: JWK | { keys: readonly JWK[] }): Promise<ResolutionPayload> {
  const bad = (why: string, cause?: unknown) => new ReviewError('PF_REVIEW_BAD_SIGNATURE', `The resolution note does not verify: ${why}.`, { cause });
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(resolution.note);
  } catch (cause) {
    throw bad('not a compact JWS', cause);
  }
  if (header.alg !== 'EdDSA' || header.typ !== RESOLUTION_TYP || header.kid !== resolution.reviewerKid) throw bad('wrong alg, typ or kid');
  const jwk = 'keys' in keys ? keys.keys.find((k) => k.kid === header.kid) : keys;
  if (!jwk || (jwk.kid !== undefined && jwk.kid !== header.kid)) throw bad('no key with that kid');
  let payload: unknown;
  try {
    const verified = await compactVerify(resolution.note, await importJWK({ ...jwk, alg: 'EdDSA' }, 'EdDSA'), { algorithms: ['EdDSA'] });
    payload = JSON.parse(Buffer.from(verified.payload).toString('utf8'));
  } catch (cause) {
    throw bad('bad signature', cause);
  }
  const { note: _jws, ...signedFields } = resolution;
  if (!isPlainObject(payload) || typeof payload.note !== 'string') throw bad('payload is not a resolution');
  const { note: _text, ...payloadFields } = payload;
  // A resolution without findings signed none (and one signed before findings existed has none either).
  const asSigned = { ...payloadFields, findings: payloadFields.findings ?? null };
  if (canonicalJson(asSigned) !== canonicalJson({ ...signedFields, fields: signedFields.fields ?? [], findings: signedFields.findings ?? null })) throw bad('the message differs from what was signed');
  return payload as unknown as ResolutionPayload;
}
