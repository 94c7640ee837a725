/**
 * The review API's OpenAPI 3.1 paths, to merge into the gateway's document (`paths`), which already defines the
 * `Error` schema and the `agencyToken` bearer scheme. Cases are described loosely: GET /v1/reviews/{id} is the
 * reference.
 */
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const object = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const security = [{ agencyToken: [] }, { reviewSession: [] }];
const header = { name: 'x-firewall-review', in: 'header', required: true, schema: { type: 'string', const: '1' }, description: 'CSRF guard: required on every change.' };
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

export const reviewSecuritySchemes = {
  reviewSession: { type: 'apiKey', in: 'cookie', name: 'pf_review_session', description: 'From POST /v1/reviews/session; HttpOnly, SameSite=Strict, 30 minutes.' },
};

export const reviewOpenApiPaths = {
  '/review': { get: { summary: 'The reviewer page (HTML).', responses: { 200: { description: 'HTML page', content: { 'text/html': {} } } } } },
  '/v1/reviews/jwks.json': { get: { summary: 'Public keys that verify resolution notes (JWS, EdDSA).', responses: { 200: object('JWKS') } } },
  '/v1/reviews/session': {
    post: {
      summary: 'Exchange a single-use reviewer token (iss CITY_ATTORNEY_DATA_PRACTICES, role CITY_ATTORNEY or DATA_PRACTICES_REVIEWER) for a session cookie.',
      security: [{ agencyToken: [] }], parameters: [header],
      responses: { 201: object('{ role, expiresAt }; Set-Cookie pf_review_session'), 401: errorResponse('bad token'), 403: errorResponse('not a reviewer') },
    },
    get: { summary: 'Whether this browser has a reviewer session.', responses: { 200: object('{ signedIn, role?, expiresAt? }') } },
    delete: { summary: 'Sign out.', parameters: [header], responses: { 204: { description: 'signed out' } } },
  },
  '/v1/reviews': {
    get: {
      summary: 'Review cases (held requests).', security,
      parameters: [{ name: 'status', in: 'query', schema: { type: 'string', enum: ['OPEN', 'RESOLVED', 'ALL'], default: 'OPEN' } }],
      responses: { 200: object('{ cases: [...] }'), 401: errorResponse('not signed in'), 403: errorResponse('not a reviewer') },
    },
  },
  '/v1/reviews/{id}': {
    get: {
      summary: 'One case.', security, parameters: [caseId],
      responses: {
        200: object('the case; legalDocument { status: VERIFIED (verifiedBy = the registered issuer) | UNVERIFIED (the requester stated the type only) | NONE | NOT_RECEIVED, verifiedBy, text }'),
        401: errorResponse('not signed in'), 403: errorResponse('not a reviewer'), 404: errorResponse('no such case'),
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
        400: errorResponse('PF_REVIEW_INVALID (details: the paths, never the values) or PF_REQ_NOT_JSON'),
        401: errorResponse('not signed in'), 403: errorResponse('not a reviewer, or the x-firewall-review header is missing'),
        404: errorResponse('no such case'), 409: errorResponse('PF_REVIEW_ALREADY_RESOLVED, or PF_REVIEW_REQUEST_MISSING (only the decision has reached the desk)'),
      },
    },
  },
  '/v1/reviews/{id}/resolution': {
    post: {
      summary: 'Resolve a case: DENY, or ALLOW with the fields to release (never wider than requested; with findings, never wider than the re-decision releases unless it is REVIEW again), with a note the desk signs (findings included).',
      security, parameters: [caseId, header],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object', additionalProperties: false, required: ['outcome', 'note'],
              properties: {
                outcome: { type: 'string', enum: ['ALLOW', 'DENY'] }, fields: { type: 'array', items: { type: 'string' } }, note: { type: 'string', maxLength: 4000 },
                findings: { ...findingsSchema, type: ['object', 'null'] },
              },
            },
          },
        },
      },
      responses: {
        200: object('the resolved case; the ReviewResolution is on firewall.reviews.v1'),
        400: errorResponse('PF_REVIEW_INVALID, PF_REVIEW_NO_FIELDS or PF_REVIEW_FIELDS_TOO_WIDE (wider than the request, or with findings than the re-decision releases)'),
        401: errorResponse('not signed in'), 403: errorResponse('not a reviewer, or the x-firewall-review header is missing'),
        404: errorResponse('no such case'),
        409: errorResponse('PF_REVIEW_ALREADY_RESOLVED; PF_REVIEW_FINDINGS_DENY (with these findings the policy denies: only DENY); PF_REVIEW_REQUEST_MISSING'),
        503: errorResponse('PF_REVIEW_PUBLISH_FAILED (recorded; published when the desk restarts)'),
      },
    },
  },
};
