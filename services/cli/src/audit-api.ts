import express, { type RequestHandler } from 'express';
import { FirewallError, ValidationError } from '@firewall/core';
import { dateOrDateTime, dateOrDateTimePattern, edgeRefusals, errorResponses, lengthOf, notBlank, notBlankPattern, type Edge } from '@firewall/http';
import { buildEvidence, ledgerEntries, searchLedger, subjectHash, type AuditQuery, type CheckpointLine, type FileLedger } from '@firewall/ledger';
import { asReviewer } from '@firewall/review';

export interface AuditApiDeps {
  readonly ledger: FileLedger;
  readonly edge: Edge;
  readonly subjectKey: Uint8Array;
  /** The newest signed tree head, if one was signed yet. */
  readonly checkpoint?: () => CheckpointLine | undefined;
}

const filters = ['from', 'to', 'type', 'requestId', 'agency', 'system', 'decision', 'rule', 'reviewerRole', 'subjectHash', 'action', 'outcome'] as const;
const HASH = /^[0-9a-f]{64}$/;
const MAX_ID_LENGTH = 200;
const MAX_LIMIT = 500;
/** A whole number as a query string writes it: digits only, no sign, no leading zero, no exponent. */
const WHOLE = /^(0|[1-9][0-9]{0,15})$/;
const bounds = { after: { minimum: 0, maximum: Number.MAX_SAFE_INTEGER }, limit: { minimum: 1, maximum: MAX_LIMIT } } as const;

/**
 * The audit API for the city attorney (the same identity as the review desk: the data-practices office with an
 * attorney or reviewer role): search the chain, compute a subject's keyed hash, and download one request's
 * evidence package — its entries, their inclusion proofs, a signed checkpoint and the public keys, in one file
 * that `firewall verify` checks offline.
 */
export function createAuditRouter(deps: AuditApiDeps): express.Router {
  const router = express.Router();
  const { edge } = deps;
  /** The attorney's identity, checked before anything else (a body is parsed only after it). */
  // Every use, and every refusal of a known caller, is an ACCESS entry in the ledger it reads (edge.accessed).
  const attorney = (action: Parameters<Edge['accessed']>[0]): RequestHandler[] => [edge.stamp, edge.accessed(action), edge.authenticate, (_req, res, next) => {
    res.locals.reviewer = asReviewer(res.locals.requester);
    next();
  }];

  router.get('/v1/audit/entries', ...attorney('AUDIT_SEARCH'), async (req, res) => {
    const raw = req.query as Record<string, unknown>;
    const used = [...filters, 'after', 'limit'].filter((name) => raw[name] !== undefined && raw[name] !== '');
    const subject = typeof raw.subjectHash === 'string' && HASH.test(raw.subjectHash) ? raw.subjectHash : undefined;
    edge.note(res, { filters: used, ...(subject ? { subjectHash: subject } : {}) });
    const query = parseQuery(raw);
    const page = await searchLedger(ledgerEntries(deps.ledger.dir), query);
    await edge.granted(res, { resultCount: page.entries.length });
    res.json({
      entries: page.entries.map(({ entry, hash }) => ({ ...entry, hash })),
      next: page.next,
    });
  });

  router.post('/v1/audit/subject-hash', ...attorney('AUDIT_SUBJECT_HASH'), edge.json('4kb'), async (req, res) => {
    const id = (req.body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || !notBlank.test(id) || lengthOf(id) > MAX_ID_LENGTH) {
      throw new ValidationError('PF_REQ_SCHEMA', `Send {"id": "<subject identifier>"} (not blank, at most ${MAX_ID_LENGTH} characters).`, { details: ['id'] });
    }
    const hash = subjectHash(deps.subjectKey, id);
    // Who looked up whom: the hash, never the identifier.
    await edge.granted(res, { subjectHash: hash });
    res.json({ subjectHash: hash });
  });

  router.get('/v1/audit/requests/:id/evidence', ...attorney('AUDIT_EVIDENCE'), async (req, res) => {
    const requestId = String(req.params.id);
    const first = await searchLedger(ledgerEntries(deps.ledger.dir), { requestId, limit: 1 });
    if (first.entries.length === 0) throw new FirewallError('PF_NOT_FOUND', 'The ledger holds no entry for that request id.');
    // Only an id the ledger knows is recorded (a caller's made-up id never enters the chain).
    edge.note(res, { requestId });
    // Prove the newest entries too: sign a checkpoint covering everything written so far.
    await deps.ledger.checkpoint();
    const evidence = await buildEvidence(deps.ledger.dir, requestId, { jwks: deps.ledger.jwks() });
    await edge.granted(res);
    res.type('application/json').attachment(`evidence-${requestId.replace(/[^\w.-]/g, '_')}.json`).send(evidence);
  });

  router.get('/v1/audit/jwks.json', (_req, res) => void res.json(deps.ledger.jwks()));
  // Public, like the keys: anyone may keep the heads, and a verifier holding one catches a cut or forked ledger.
  router.get('/v1/audit/checkpoint', (_req, res) => {
    const head = deps.checkpoint?.();
    if (head === undefined) throw new FirewallError('PF_NOT_FOUND', 'No signed tree head yet: one is signed within seconds of the first entry.');
    res.set('cache-control', 'no-store').json({ checkpoint: head.checkpoint, jws: head.jws });
  });
  return router;
}

/** The query exactly as the document describes it: anything else is refused, never quietly dropped or clamped. */
function parseQuery(raw: Record<string, unknown>): AuditQuery {
  const query: Record<string, string | number> = {};
  for (const key of [...filters, 'after', 'limit'] as const) {
    const value = raw[key];
    // An empty filter is no filter (a form's empty field); a number is never empty.
    if (value === undefined || (value === '' && key !== 'after' && key !== 'limit')) continue;
    if (typeof value !== 'string') throw new ValidationError('PF_REQ_SCHEMA', `${key} may be given once.`, { details: [key] });
    query[key] = value;
  }
  for (const key of ['from', 'to'] as const) {
    if (query[key] !== undefined && !dateOrDateTime.test(String(query[key]))) {
      throw new ValidationError('PF_REQ_BAD_DATE', `${key} must be a date (YYYY-MM-DD) or an RFC 3339 date-time.`, { details: [key] });
    }
  }
  for (const key of ['after', 'limit'] as const) {
    if (query[key] === undefined) continue;
    const text = String(query[key]);
    const n = Number(text);
    if (!WHOLE.test(text) || n < bounds[key].minimum || n > bounds[key].maximum) {
      throw new ValidationError('PF_REQ_SCHEMA', `${key} must be a whole number from ${bounds[key].minimum} to ${bounds[key].maximum}.`, { details: [key] });
    }
    query[key] = n;
  }
  return query as AuditQuery;
}

const querySchema = (name: string) => {
  if (name === 'after' || name === 'limit') return { type: 'integer', ...bounds[name] };
  if (name === 'from' || name === 'to') return { type: 'string', pattern: `^(${dateOrDateTimePattern.slice(1, -1)})?$`, description: 'YYYY-MM-DD or an RFC 3339 date-time; empty = no bound' };
  return { type: 'string' };
};
/** What every audit route answers besides its own: the attorney's identity is checked first, every use is recorded. */
const attorneyRefusals = {
  401: edgeRefusals.unauthenticated,
  403: `Not the city attorney's data-practices office with role CITY_ATTORNEY or DATA_PRACTICES_REVIEWER (PF_AUTH_FORBIDDEN), or ${edgeRefusals.roleNotGranted}`,
  429: edgeRefusals.rateLimited,
  503: `${edgeRefusals.replayUnavailable}, or ${edgeRefusals.unrecorded}`,
};

/** OpenAPI paths of the audit API (merged into /openapi.json). */
export const auditOpenApiPaths = {
  '/v1/audit/entries': {
    get: {
      summary: 'Search the audit chain (city attorney)',
      security: [{ agencyToken: [] }],
      parameters: [...filters, 'after', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: querySchema(name) })),
      responses: {
        200: { description: '{ entries: signed ledger entries (summaries only, no personal data), next: cursor or null }', content: { 'application/json': { schema: { type: 'object', required: ['entries', 'next'], properties: { entries: { type: 'array' }, next: { type: ['integer', 'null'] } } } } } },
        ...errorResponses({ 400: 'A filter given twice, a date that is not YYYY-MM-DD or RFC 3339 (PF_REQ_BAD_DATE), or after/limit out of range (PF_REQ_SCHEMA)', ...attorneyRefusals }),
      },
    },
  },
  '/v1/audit/subject-hash': {
    post: {
      summary: "A subject identifier's keyed hash, to search by person",
      security: [{ agencyToken: [] }],
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, pattern: notBlankPattern } } } } },
      },
      responses: {
        200: { description: '{ subjectHash }', content: { 'application/json': { schema: { type: 'object', required: ['subjectHash'], properties: { subjectHash: { type: 'string', pattern: '^[0-9a-f]{64}$' } } } } } },
        ...errorResponses({ 400: 'No body, not JSON (PF_REQ_NOT_JSON), or no id of 1 to 200 characters, not blank (PF_REQ_SCHEMA)', ...attorneyRefusals, 413: edgeRefusals.tooLarge, 415: edgeRefusals.encoding }),
      },
    },
  },
  '/v1/audit/requests/{id}/evidence': {
    get: {
      summary: "One request's evidence package: its entries, inclusion proofs, a signed checkpoint and the public keys (verify offline with `firewall verify`)",
      security: [{ agencyToken: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: {
        200: { description: 'The evidence file (JSON)', content: { 'application/json': { schema: { type: 'object' } } } },
        ...errorResponses({ ...attorneyRefusals, 404: 'The ledger holds no entry for that request id (PF_NOT_FOUND)' }),
      },
    },
  },
  '/v1/audit/jwks.json': { get: { summary: 'Public keys that sign the ledger', responses: { 200: { description: 'JWKS', content: { 'application/json': { schema: { type: 'object' } } } } } } },
  '/v1/audit/checkpoint': {
    get: {
      summary: 'The newest signed tree head (public): save it, and `firewall verify <ledger> --checkpoint <file>` fails for a ledger cut below it or forked from it',
      responses: {
        200: {
          description: '{ checkpoint: { size, root (hex RFC 9162 Merkle root of entries 0 … size-1), time, kid }, jws: compact JWS (EdDSA, typ pf-ledger-checkpoint+jws) over the canonical JSON of checkpoint }',
          content: { 'application/json': { schema: {
            type: 'object', required: ['checkpoint', 'jws'],
            properties: {
              checkpoint: { type: 'object', required: ['size', 'root', 'time', 'kid'], properties: { size: { type: 'integer', minimum: 0 }, root: { type: 'string', pattern: '^[0-9a-f]{64}$' }, time: { type: 'string', format: 'date-time' }, kid: { type: 'string' } } },
              jws: { type: 'string' },
            },
          } } },
        },
        ...errorResponses({ 404: 'No tree head signed yet (PF_NOT_FOUND)' }),
      },
    },
  },
};
