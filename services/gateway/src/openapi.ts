import { jsonSchemaOf, messageTypes, type FieldCatalog } from '@firewall/core';
import { dateOrDateTimePattern, dateTimePattern, edgeRefusals, errorResponses, errorSchema } from '@firewall/http';

type Schema = Record<string, unknown>;
const requestSchema = jsonSchemaOf(messageTypes.recordRequest) as { properties: Record<string, Schema> };
/** The body a requester sends: the RecordRequest without what the gateway stamps (id, time, identity). */
const { requestId: _id, receivedAt: _at, requester: _who, dryRunBy: _caller, legalBasis: avroLegalBasis, subjects: avroSubjects, ...bodyProperties } = requestSchema.properties;

/** Counts the gateway refuses when negative (PF_REQ_BAD_COUNT); the schema's own bounds otherwise. */
const nonNegative = (schema: Schema | undefined): Schema => ({ ...schema, minimum: 0 });
const subjects = (() => {
  const s = avroSubjects as Schema & { properties: Record<string, Schema> };
  return { ...s, properties: { ...s.properties, count: nonNegative(s.properties.count) } };
})();
/** The dry run's legal basis, with its facts as written (a what-if): dates and counts as the gateway checks them. */
const dryRunLegalBasis = (() => {
  const b = avroLegalBasis as Schema & { properties: Record<string, Schema> };
  return {
    ...b,
    properties: {
      ...b.properties,
      expires: { type: ['string', 'null'], pattern: dateOrDateTimePattern, description: 'YYYY-MM-DD (valid through that day, UTC) or an RFC 3339 date-time.' },
      namedSubjects: { ...nonNegative(b.properties.namedSubjects) },
    },
  };
})();

/** The legal basis a requester sends: the document's type and, to prove its facts, a credential. */
const legalBasisBody = {
  type: ['object', 'null'],
  required: ['type'],
  description: 'The legal process presented. Its facts (court, judge signature, expiry, named subjects, listed fields, criminal predicate, a resident\'s authorization) are believed only from `credential`: a compact JWS signed by a registered legal issuer, issued to your agency for these subjects. Without one, only `type` is kept, as a routing label (a reviewer checks the paper); any other key written here is ignored.',
  properties: {
    type: { type: 'string', description: 'A legal basis type code (conformance vocabulary).' },
    credential: { type: ['string', 'null'], description: 'Compact JWS from a registered legal issuer (see the README: legal-process credentials). One that does not verify is refused: 400 PF_CREDENTIAL_INVALID, or 403 with the reason.' },
  },
};

/** What the gateway strips from a body before anything reads it (identity, time and ids are its own). */
const ignored = (what: string) => ({ description: `Ignored: ${what}.` });

/**
 * One branch per record system: its name and the fields its catalog lists (at least one), so that a body the
 * schema calls valid is never refused as an unknown system or field.
 */
function perSystem(catalog: FieldCatalog, properties: Record<string, unknown>, required: string[]): Schema {
  return {
    oneOf: Object.entries(catalog.systems).map(([system, { fields }]) => ({
      type: 'object',
      additionalProperties: false,
      required,
      properties: {
        ...properties,
        system: { type: 'string', const: system },
        fields: { type: 'array', minItems: 1, items: { type: 'string', enum: Object.keys(fields) }, description: `Fields of ${system}, at least one.` },
      },
    })),
  };
}

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
const pending = { type: 'object', required: ['requestId', 'status'], properties: { requestId: { type: 'string' }, status: { const: 'PENDING' } } };
const json = (description: string, schema: Schema) => ({ description, content: { 'application/json': { schema } } });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const decisionResponse = (description: string) => json(description, ref('DecisionView'));
const deniedOrRefused = (description: string) => json(description, { anyOf: [ref('DecisionView'), ref('Error')] });

const decisionRefusals = {
  401: edgeRefusals.unauthenticated,
  413: edgeRefusals.tooLarge,
  415: edgeRefusals.encoding,
  429: edgeRefusals.rateLimited,
  503: `The firewall is starting (PF_GATEWAY_NOT_READY), or ${edgeRefusals.replayUnavailable}`,
  504: 'No decision, or no records, in time (PF_GATEWAY_TIMEOUT): nothing released',
};

/** The gateway's OpenAPI 3.1 document, served at /openapi.json; request bodies follow the field catalog. */
const readinessChecks = {
  type: 'array',
  items: { type: 'object', required: ['name', 'ok'], properties: { name: { type: 'string' }, ok: { type: 'boolean' }, code: { type: 'string', pattern: '^PF_' } } },
} as const;

export function gatewayOpenApiDocument(catalog: FieldCatalog) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sanctuary firewall gateway',
      version: '0.1.0',
      description: 'Record requests to city systems, decided by the separation-ordinance policy and audited in a signed ledger. Every operation lists every status it answers; a method a path does not list answers 405 with Allow.',
    },
    components: {
      securitySchemes: { agencyToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT (iss = agency code, aud = sanctuary-firewall, exp, iat, jti; EdDSA/ES256/RS256/PS256); single use' } },
      schemas: {
        RecordRequestBody: perSystem(catalog, {
          ...bodyProperties, subjects, legalBasis: legalBasisBody,
          requester: ignored('identity comes from the token'), receivedAt: ignored('the gateway stamps the time'),
          requestId: ignored('the gateway names the request'), dryRun: ignored('a dry run is POST /v1/decisions:evaluate'), dryRunBy: ignored('set only by a dry run'),
        }, ['purpose', 'system', 'fields']),
        DryRunBody: perSystem(catalog, {
          ...bodyProperties, subjects, legalBasis: dryRunLegalBasis,
          requester: requestSchema.properties.requester,
          receivedAt: { type: 'string', pattern: dateTimePattern, description: 'Evaluate as of this RFC 3339 time (default now).' },
          requestId: ignored('the gateway names the request'), dryRunBy: ignored('the caller\'s agency, from the token'), dryRun: ignored('always a dry run'),
        }, ['requester', 'purpose', 'system', 'fields']),
        DecisionView: decisionView,
        Pending: pending,
        Error: errorSchema,
      },
    },
    paths: {
      '/healthz': { get: { summary: 'Liveness', responses: { 200: json('The process is up.', { type: 'object', properties: { status: { const: 'ok' } } }) } } },
      '/readyz': {
        get: {
          summary: 'Readiness, live: started, bundle loaded, ledger writable, bus reachable, consumers running; each check by name, with the code of why it fails',
          responses: {
            200: json('Ready', { type: 'object', properties: { ready: { const: true }, checks: readinessChecks } }),
            503: json('Not ready (starting, or a check fails)', { type: 'object', properties: { ready: { const: false }, checks: readinessChecks } }),
          },
        },
      },
      '/openapi.json': { get: { summary: 'This document', responses: { 200: json('OpenAPI 3.1', { type: 'object' }) } } },
      '/v1/requests': {
        post: {
          summary: 'Ask for records; the policy decides',
          security: [{ agencyToken: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('RecordRequestBody') } } },
          responses: {
            200: decisionResponse('ALLOW or ALLOW_REDACTED: the decision with released and withheld fields, and the records encrypted to the requester'),
            202: decisionResponse('REVIEW: held for the city attorney; nothing released; a ticket id to follow'),
            403: deniedOrRefused('DENY (the cited rules and their legal sources, a DecisionView); or, an Error: a refused credential (PF_CREDENTIAL_EXPIRED, _UNKNOWN_ISSUER, _TYPE_NOT_ALLOWED, _WRONG_AGENCY, _WRONG_SUBJECT) or a role the registry does not grant (PF_AUTH_ROLE_NOT_GRANTED)'),
            ...errorResponses({
              400: 'Malformed request (PF_REQ_SCHEMA, _NOT_JSON, _NO_FIELDS, _UNKNOWN_SYSTEM, _UNKNOWN_FIELD, _BAD_DATE, _BAD_COUNT) or a malformed credential (PF_CREDENTIAL_INVALID): nothing was decided or released',
              ...decisionRefusals,
              502: 'The record system failed (PF_RELEASE_FAILED): nothing was released; the failure is audited',
            }),
          },
        },
      },
      '/v1/decisions:evaluate': {
        post: {
          summary: 'Dry run for city IT: the full decision for a hypothetical request (any requester); audited as DRY_RUN, nothing released',
          security: [{ agencyToken: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: ref('DryRunBody') } } },
          responses: {
            200: json('The full decision: per-field outcomes, every matched rule, alerts, open questions, policy revision and digest', { type: 'object', required: ['dryRun', 'decision'], properties: { dryRun: { const: true }, decision: decisionView.properties.decision } }),
            ...errorResponses({
              400: 'Malformed request (PF_REQ_*)',
              403: `The token lacks role CITY_IT (PF_AUTH_FORBIDDEN), or ${edgeRefusals.roleNotGranted}`,
              ...decisionRefusals,
            }),
          },
        },
      },
      '/v1/requests/{id}': {
        get: {
          summary: "A request's status, for the agency that made it",
          security: [{ agencyToken: [] }],
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            200: decisionResponse('Released'),
            202: json('Held for review (a DecisionView), or still pending', { anyOf: [ref('DecisionView'), ref('Pending')] }),
            403: deniedOrRefused(`Denied (a DecisionView), or ${edgeRefusals.roleNotGranted} (an Error)`),
            ...errorResponses({
              401: edgeRefusals.unauthenticated, 404: 'No request with that id for your agency on this gateway (PF_NOT_FOUND)',
              429: edgeRefusals.rateLimited, 503: edgeRefusals.replayUnavailable,
            }),
          },
        },
      },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof gatewayOpenApiDocument>;
