import express, { type RequestHandler } from 'express';
import { FirewallError, ValidationError } from '@firewall/core';
import type { Edge } from '@firewall/http';
import { buildEvidence, ledgerEntries, searchLedger, subjectHash, type AuditQuery, type FileLedger } from '@firewall/ledger';
import { asReviewer } from '@firewall/review';

export interface AuditApiDeps {
  readonly ledger: FileLedger;
  readonly edge: Edge;
  readonly subjectKey: Uint8Array;
}

const filters = ['from', 'to', 'type', 'requestId', 'agency', 'system', 'decision', 'rule', 'reviewerRole', 'subjectHash', 'action', 'outcome'] as const;
const HASH = /^[0-9a-f]{64}$/;

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
    if (typeof id !== 'string' || id.trim() === '' || id.length > 200) throw new ValidationError('PF_REQ_SCHEMA', 'Send {"id": "<subject identifier>"} (at most 200 characters).', { details: ['id'] });
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
  return router;
}

function parseQuery(raw: Record<string, unknown>): AuditQuery {
  const query: Record<string, string | number> = {};
  for (const key of filters) if (typeof raw[key] === 'string' && raw[key] !== '') query[key] = raw[key];
  for (const key of ['from', 'to'] as const) {
    if (query[key] !== undefined && Number.isNaN(Date.parse(String(query[key])))) {
      throw new ValidationError('PF_REQ_BAD_DATE', `${key} must be a date or an RFC 3339 time.`, { details: [key] });
    }
  }
  for (const key of ['after', 'limit'] as const) {
    if (raw[key] === undefined) continue;
    const n = Number(raw[key]);
    if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError('PF_REQ_SCHEMA', `${key} must be a whole number.`, { details: [key] });
    query[key] = n;
  }
  return query as AuditQuery;
}

const attorneyError = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** OpenAPI paths of the audit API (merged into /openapi.json). */
export const auditOpenApiPaths = {
  '/v1/audit/entries': {
    get: {
      summary: 'Search the audit chain (city attorney)',
      security: [{ agencyToken: [] }],
      parameters: [...filters, 'after', 'limit'].map((name) => ({ name, in: 'query', required: false, schema: { type: name === 'after' || name === 'limit' ? 'integer' : 'string' } })),
      responses: { 200: { description: '{ entries: signed ledger entries (summaries only, no personal data), next: cursor or null }' }, 401: attorneyError('Not authenticated'), 403: attorneyError('Not the attorney role') },
    },
  },
  '/v1/audit/subject-hash': {
    post: { summary: "A subject identifier's keyed hash, to search by person", security: [{ agencyToken: [] }], responses: { 200: { description: '{ subjectHash }' } } },
  },
  '/v1/audit/requests/{id}/evidence': {
    get: {
      summary: "One request's evidence package: its entries, inclusion proofs, a signed checkpoint and the public keys (verify offline with `firewall verify`)",
      security: [{ agencyToken: [] }],
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      responses: { 200: { description: 'The evidence file (JSON)' }, 404: attorneyError('No entry for that request') },
    },
  },
  '/v1/audit/jwks.json': { get: { summary: 'Public keys that sign the ledger', responses: { 200: { description: 'JWKS' } } } },
} as const;
