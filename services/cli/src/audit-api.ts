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

const filters = ['from', 'to', 'type', 'requestId', 'agency', 'system', 'decision', 'rule', 'reviewerRole', 'subjectHash'] as const;

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
  const attorney: RequestHandler[] = [edge.stamp, edge.authenticate, (_req, res, next) => {
    res.locals.reviewer = asReviewer(res.locals.requester);
    next();
  }];

  router.get('/v1/audit/entries', ...attorney, async (req, res) => {
    const query = parseQuery(req.query as Record<string, unknown>);
    const page = await searchLedger(ledgerEntries(deps.ledger.dir), query);
    res.json({
      entries: page.entries.map(({ entry, hash }) => ({ ...entry, hash })),
      next: page.next,
    });
  });

  router.post('/v1/audit/subject-hash', ...attorney, edge.json('4kb'), async (req, res) => {
    const id = (req.body as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || id.trim() === '') throw new ValidationError('PF_REQ_SCHEMA', 'Send {"id": "<subject identifier>"}.', { details: ['id'] });
    res.json({ subjectHash: subjectHash(deps.subjectKey, id) });
  });

  router.get('/v1/audit/requests/:id/evidence', ...attorney, async (req, res) => {
    const requestId = String(req.params.id);
    const first = await searchLedger(ledgerEntries(deps.ledger.dir), { requestId, limit: 1 });
    if (first.entries.length === 0) throw new FirewallError('PF_NOT_FOUND', 'The ledger holds no entry for that request id.');
    // Prove the newest entries too: sign a checkpoint covering everything written so far.
    await deps.ledger.checkpoint();
    const evidence = await buildEvidence(deps.ledger.dir, requestId, { jwks: deps.ledger.jwks() });
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
