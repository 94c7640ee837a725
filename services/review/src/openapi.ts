import { edgeRefusals, errorResponses, notBlankPattern } from '@firewall/http';
import { MAX_FIELD_NAME_LENGTH, MAX_FIELDS, MAX_NOTE_LENGTH } from './resolution.js';

/**
 * The review API's OpenAPI 3.1 paths, to merge into the gateway's document (`paths`), which already defines the
 * `Error` schema and the `agencyToken` bearer scheme. Every status a route answers is listed; cases are described
 * loosely: GET /v1/reviews/{id} is the reference.
 */
const object = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const security = [{ agencyToken: [] }, { reviewSession: [] }];
const header = { name: 'x-firewall-review', in: 'header', required: true, schema: { type: 'string', const: '1' }, description: 'CSRF guard: required on every change; without it 403 PF_REVIEW_HEADER_REQUIRED.' };
const caseId = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'Case id = the request id.' };

const nullable = (type: string, extra: object = {}) => ({ type: [type, 'null'], ...extra });
/** The legal facts a reviewer verified on the paper (conformance README meanings); null or absent = not verified. */
const findingsSchema = {
  type: 'object', additionalProperties: false,
  description: 'Legal facts verified on the paper document. The request is re-decided with them in place of its legal facts (its type stays the requester\'s); they are signed with the resolution and the ledger records their names only.',
  properties: {
    court: nullable('string', { minLength: 1, maxLength: 200 }), judgeSigned: nullable('boolean'), verified: nullable('boolean'),
    expires: nullable('string', { description: 'YYYY-MM-DD (valid through that day, UTC) or RFC 3339 date-time' }),
    namedSubjects: nullable('integer', { minimum: 0 }),
    listedFields: nullable('array', { items: { type: 'string' }, uniqueItems: true, description: "fields of the request's system (the catalog)" }),
    criminalPredicate: nullable('string', { minLength: 1, maxLength: 200 }),
  },
};
const redecisionResponse = object('{ caseId, findings (every key, null = not verified), redecision: { decidedAt, decision, released, withheld, rules, decisive, reasons, policy, failure, allowable } }; allowable = what an ALLOW may release: [] after DENY, null after REVIEW (the reviewer\'s choice within the request)');

const headerMissing = 'The x-firewall-review header is missing (PF_REVIEW_HEADER_REQUIRED)';
const notReviewer = `Not a reviewer: a token of the data-practices office with role CITY_ATTORNEY or DATA_PRACTICES_REVIEWER (PF_AUTH_FORBIDDEN), or ${edgeRefusals.roleNotGranted}`;
/** What every reviewer-only route answers besides its own: it is an audited use, behind a reviewer identity. */
const reviewerRefusals = {
  401: `Not signed in: no session and ${edgeRefusals.unauthenticated}, or the session ended`,
  403: notReviewer,
  429: edgeRefusals.rateLimited,
  503: `${edgeRefusals.replayUnavailable}, or ${edgeRefusals.unrecorded}`,
};

const note = { type: 'string', minLength: 1, maxLength: MAX_NOTE_LENGTH, pattern: notBlankPattern, description: 'Required, not blank; signed with the resolution.' };
const fieldName = { type: 'string', maxLength: MAX_FIELD_NAME_LENGTH };
const resolutionBody = {
  oneOf: [
    {
      type: 'object', additionalProperties: false, required: ['outcome', 'note'],
      properties: { outcome: { const: 'DENY' }, fields: { type: 'array', maxItems: 0, items: fieldName, description: 'A DENY releases nothing.' }, note, findings: { ...findingsSchema, type: ['object', 'null'] } },
    },
    {
      type: 'object', additionalProperties: false, required: ['outcome', 'fields', 'note'],
      properties: {
        outcome: { const: 'ALLOW' },
        fields: { type: 'array', minItems: 1, maxItems: MAX_FIELDS, uniqueItems: true, items: fieldName, description: 'The fields to release: at least one, each one the request asked for (else 400 PF_REVIEW_FIELDS_TOO_WIDE); with findings, each one the re-decision releases unless it is REVIEW again.' },
        note,
        findings: { ...findingsSchema, type: ['object', 'null'] },
      },
    },
  ],
};

export const reviewSecuritySchemes = {
  reviewSession: { type: 'apiKey', in: 'cookie', name: 'pf_review_session', description: 'From POST /v1/reviews/session; HttpOnly, SameSite=Strict, 30 minutes.' },
};

export const reviewOpenApiPaths = {
  '/review': {
    get: { summary: 'The reviewer page (HTML).', responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } }, ...errorResponses({ 429: edgeRefusals.rateLimited }) } },
  },
  '/v1/reviews/jwks.json': { get: { summary: 'Public keys that verify resolution notes (JWS, EdDSA).', responses: { 200: object('JWKS'), ...errorResponses({ 429: edgeRefusals.rateLimited }) } } },
  '/v1/reviews/session': {
    post: {
      summary: 'Exchange a single-use reviewer token (iss CITY_ATTORNEY_DATA_PRACTICES, role CITY_ATTORNEY or DATA_PRACTICES_REVIEWER) for a session cookie.',
      security: [{ agencyToken: [] }], parameters: [header],
      responses: {
        201: object('{ role, expiresAt }; Set-Cookie pf_review_session'),
        ...errorResponses({ ...reviewerRefusals, 401: edgeRefusals.unauthenticated, 403: `${headerMissing}, or ${notReviewer}` }),
      },
    },
    get: { summary: 'Whether this browser has a reviewer session.', responses: { 200: object('{ signedIn, role?, expiresAt? }'), ...errorResponses({ 429: edgeRefusals.rateLimited }) } },
    delete: { summary: 'Sign out.', parameters: [header], responses: { 204: { description: 'signed out' }, ...errorResponses({ 403: headerMissing, 429: edgeRefusals.rateLimited }) } },
  },
  '/v1/reviews': {
    get: {
      summary: 'Review cases (held requests).', security,
      parameters: [{ name: 'status', in: 'query', required: false, schema: { type: 'string', enum: ['OPEN', 'RESOLVED', 'ALL'], default: 'OPEN' } }],
      responses: { 200: object('{ cases: [...] }'), ...errorResponses({ 400: 'status is not OPEN, RESOLVED or ALL, or is given twice (PF_REVIEW_INVALID)', ...reviewerRefusals }) },
    },
  },
  '/v1/reviews/{id}': {
    get: {
      summary: 'One case.', security, parameters: [caseId],
      responses: {
        200: object('the case; legalDocument { status: VERIFIED (verifiedBy = the registered issuer) | UNVERIFIED (the requester stated the type only) | NONE | NOT_RECEIVED, verifiedBy, text }'),
        ...errorResponses({ ...reviewerRefusals, 404: 'No such case (PF_REVIEW_NOT_FOUND)' }),
      },
    },
  },
  '/v1/reviews/{id}/findings:preview': {
    post: {
      summary: "What the policy decides with these verified findings in place of the request's legal facts; resolves nothing (audited as REVIEW_VIEW).",
      security, parameters: [caseId, header],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', additionalProperties: false, required: ['findings'], properties: { findings: findingsSchema } } } },
      },
      responses: {
        200: redecisionResponse,
        ...errorResponses({
          400: 'PF_REVIEW_INVALID (details: the paths, never the values) or PF_REQ_NOT_JSON',
          ...reviewerRefusals,
          403: `${headerMissing}, or ${notReviewer}`,
          404: 'No such case (PF_REVIEW_NOT_FOUND)',
          409: 'PF_REVIEW_ALREADY_RESOLVED, or PF_REVIEW_REQUEST_MISSING (only the decision has reached the desk)',
          413: edgeRefusals.tooLarge,
          415: edgeRefusals.encoding,
        }),
      },
    },
  },
  '/v1/reviews/{id}/resolution': {
    post: {
      summary: 'Resolve a case: DENY, or ALLOW with the fields to release (never wider than requested; with findings, never wider than the re-decision releases unless it is REVIEW again), with a note the desk signs (findings included).',
      security, parameters: [caseId, header],
      requestBody: { required: true, content: { 'application/json': { schema: resolutionBody } } },
      responses: {
        200: object('the resolved case; the ReviewResolution is on firewall.reviews.v1'),
        ...errorResponses({
          400: 'The body is not a resolution (PF_REVIEW_INVALID, PF_REVIEW_NO_FIELDS, PF_REQ_NOT_JSON) or releases a field the request did not ask for, or with findings one the re-decision does not release (PF_REVIEW_FIELDS_TOO_WIDE)',
          ...reviewerRefusals,
          403: `${headerMissing}, or ${notReviewer}`,
          404: 'No such case (PF_REVIEW_NOT_FOUND)',
          409: 'The case is already resolved (PF_REVIEW_ALREADY_RESOLVED); with these findings the policy denies, so only a DENY (PF_REVIEW_FINDINGS_DENY); or the request has not reached the desk (PF_REVIEW_REQUEST_MISSING)',
          413: edgeRefusals.tooLarge,
          415: edgeRefusals.encoding,
          503: `The resolution could not be published (PF_REVIEW_PUBLISH_FAILED), or ${reviewerRefusals[503]}`,
        }),
      },
    },
  },
};
