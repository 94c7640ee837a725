import { jsonSchemaOf, messageTypes } from '@firewall/core';

const requestSchema = jsonSchemaOf(messageTypes.recordRequest) as { properties: Record<string, unknown>; required?: string[] };
/** The body a requester sends: the RecordRequest without what the gateway stamps (id, time, identity). */
const { requestId: _id, receivedAt: _at, requester: _who, dryRunBy: _caller, legalBasis: _basis, ...bodyProperties } = requestSchema.properties;

/** The legal basis a requester sends: the document's type and, to prove its facts, a credential. */
const legalBasisBody = {
  type: ['object', 'null'],
  required: ['type'],
  description: 'The legal process presented. Its facts (court, judge signature, expiry, named subjects, listed fields, criminal predicate, a resident\'s authorization) are believed only from `credential`: a compact JWS signed by a registered legal issuer, issued to your agency for these subjects. Without one, only `type` is kept, as a routing label (a reviewer checks the paper); any facts written here are ignored.',
  properties: {
    type: { type: 'string', description: 'A legal basis type code (conformance vocabulary).' },
    credential: { type: 'string', description: 'Compact JWS from a registered legal issuer (see the README: legal-process credentials).' },
  },
};

const error = {
  type: 'object',
  required: ['error', 'code'],
  properties: { error: { type: 'string' }, code: { type: 'string', pattern: '^PF_[A-Z_]+$' }, requestId: { type: ['string', 'null'] }, details: { type: 'array', items: { type: 'string' } } },
};
const citation = { type: 'object', properties: { id: { type: 'string' }, title: { type: 'string' }, sources: { type: 'array', items: { type: 'string' } } } };
const decisionView = {
  type: 'object',
  required: ['requestId', 'decision', 'rules'],
  properties: {
    requestId: { type: 'string' },
    decision: { type: 'string', enum: ['ALLOW', 'ALLOW_REDACTED', 'DENY', 'REVIEW'] },
    decidedAt: { type: 'string', format: 'date-time' },
    rules: { type: 'array', items: citation },
    reasons: { type: 'array', items: { type: 'object', properties: { rule: { type: 'string' }, text: { type: 'string' } } } },
    policyRevision: { type: 'string' },
    released: { type: 'array', items: { type: 'string' } },
    withheld: { type: 'array', items: { type: 'string' } },
    ticket: { type: 'object', properties: { id: { type: 'string' }, status: { type: 'string' } } },
    records: {
      type: 'object',
      description: 'ALLOW / ALLOW_REDACTED: the released records as a compact JWE (ECDH-ES+A256KW, A256GCM) to the agency\'s registered encryption key; only that key opens it.',
      properties: { jwe: { type: 'string' }, count: { type: 'integer' }, fields: { type: 'array', items: { type: 'string' } }, transformed: { type: 'array', items: { type: 'string' } } },
    },
  },
};
const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
const decisionResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/DecisionView' } } } });

/** The gateway's OpenAPI 3.1 document, served at /openapi.json. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'Sanctuary firewall gateway',
    version: '0.1.0',
    description: 'Record requests to city systems, decided by the separation-ordinance policy and audited in a signed ledger.',
  },
  components: {
    securitySchemes: { agencyToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (iss = agency code, aud = sanctuary-firewall, exp, iat, jti; EdDSA/ES256/RS256/PS256)' } },
    schemas: {
      RecordRequestBody: { type: 'object', additionalProperties: false, required: ['purpose', 'system', 'fields'], properties: { ...bodyProperties, legalBasis: legalBasisBody, requester: { description: 'Ignored: identity comes from the token.' }, receivedAt: { description: 'Ignored: the gateway stamps the time.' } } },
      DryRunBody: { type: 'object', required: ['requester', 'purpose', 'system', 'fields'], properties: { ...bodyProperties, legalBasis: _basis, requester: requestSchema.properties.requester, receivedAt: { type: 'string', format: 'date-time', description: 'Evaluate as of this time (default now).' } } },
      DecisionView: decisionView,
      Error: error,
    },
  },
  paths: {
    '/healthz': { get: { summary: 'Liveness', responses: { 200: { description: 'The process is up.' } } } },
    '/readyz': { get: { summary: 'Readiness: policy loaded and consumers positioned', responses: { 200: { description: 'Ready' }, 503: { description: 'Not ready yet' } } } },
    '/openapi.json': { get: { summary: 'This document', responses: { 200: { description: 'OpenAPI 3.1' } } } },
    '/v1/requests': {
      post: {
        summary: 'Ask for records; the policy decides',
        security: [{ agencyToken: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RecordRequestBody' } } } },
        responses: {
          200: decisionResponse('ALLOW or ALLOW_REDACTED: the decision with released and withheld fields, and the records encrypted to the requester'),
          502: errorResponse('The record system failed or timed out (PF_RELEASE_FAILED): nothing was released; the failure is audited'),
          202: decisionResponse('REVIEW: held for the city attorney; nothing released; a ticket id to follow'),
          400: errorResponse('Malformed request (PF_REQ_*) or a malformed credential (PF_CREDENTIAL_INVALID): nothing was decided or released'),
          401: errorResponse('Missing, invalid, replayed or unregistered token (PF_AUTH_*)'),
          403: { description: 'DENY (the cited rules and their legal sources, a DecisionView); or a refused credential (PF_CREDENTIAL_EXPIRED, _UNKNOWN_ISSUER, _TYPE_NOT_ALLOWED, _WRONG_AGENCY, _WRONG_SUBJECT) or a role the registry does not grant (PF_AUTH_ROLE_NOT_GRANTED), an Error', content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/DecisionView' }, { $ref: '#/components/schemas/Error' }] } } } },
          413: errorResponse('Body too large'),
          415: errorResponse('A body encoding or charset the gateway does not read (PF_REQ_BAD_ENCODING)'),
          429: errorResponse('Too many requests from this agency or address (PF_RATE_LIMITED); see Retry-After'),
          503: errorResponse('Not ready yet, or single use of the token cannot be checked (PF_AUTH_REPLAY_UNAVAILABLE)'),
          504: errorResponse('No decision, or no records, in time (PF_GATEWAY_TIMEOUT): nothing released'),
        },
      },
    },
    '/v1/decisions:evaluate': {
      post: {
        summary: 'Dry run for city IT: the full decision for a hypothetical request (any requester); audited as DRY_RUN, nothing released',
        security: [{ agencyToken: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/DryRunBody' } } } },
        responses: {
          200: { description: 'The full decision: per-field outcomes, every matched rule, alerts, open questions, policy revision and digest' },
          400: errorResponse('Malformed request'),
          401: errorResponse('Not authenticated'),
          403: errorResponse('The token lacks role CITY_IT (PF_AUTH_FORBIDDEN), or asks for a role the registry does not grant its agency (PF_AUTH_ROLE_NOT_GRANTED)'),
          413: errorResponse('Body too large'),
          415: errorResponse('Unreadable body encoding'),
          429: errorResponse('Rate limited'),
          503: errorResponse('Not ready'),
          504: errorResponse('No decision in time'),
        },
      },
    },
    '/v1/requests/{id}': {
      get: {
        summary: "A request's status, for the agency that made it",
        security: [{ agencyToken: [] }],
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: decisionResponse('Released'), 202: decisionResponse('Held or still pending'), 403: decisionResponse('Denied'), 401: errorResponse('Not authenticated'), 404: errorResponse('Unknown id'), 429: errorResponse('Rate limited'), 503: errorResponse('Single use of the token cannot be checked') },
      },
    },
  },
} as const;
