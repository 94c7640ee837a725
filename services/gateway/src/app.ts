import express, { type Request, type Response } from 'express';
import {
  FirewallError, parseRecordRequest, isPlainObject, topics,
  type Bus, type Codec, type Decision, type FieldCatalog, type Logger, type Readiness, type RecordRequest,
} from '@firewall/core';
import { callerOf, firewallRoles, methodNotAllowed, requireRole, type CredentialVerifier, type Edge } from '@firewall/http';
import type { PendingReleases } from '@firewall/releaser';
import { legalProcessOf } from './legal-process.js';
import { gatewayOpenApiDocument } from './openapi.js';
import type { PendingOutcomes } from './outcomes.js';
import { publicView, statusFor } from './responses.js';

const bodyObject = (body: unknown): Record<string, unknown> => (isPlainObject(body) ? body : { body });

export interface GatewayDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly catalog: FieldCatalog;
  /** The shared HTTP edge: authentication, limits, body parsing, the error middleware. */
  readonly edge: Edge;
  readonly pending: PendingOutcomes;
  readonly logger: Logger;
  /** Verifies legal-process credentials; without it, no legal fact is ever believed (only the basis type routes). */
  readonly credentials?: CredentialVerifier;
  /** How long a requester waits for the decision before a 504 (nothing is released after a 504 either). */
  readonly decisionTimeoutMs: number;
  /**
   * Records for ALLOW / ALLOW_REDACTED: the releaser's Release, waited for at most timeoutMs after the decision.
   * Without it the gateway answers the decision alone (nothing is delivered).
   */
  readonly releases?: { readonly pending: PendingReleases; readonly timeoutMs: number };
  /**
   * What the firewall needs to answer (ledger writable, Kafka reachable, consumers running, bundle loaded, started):
   * /readyz reports it, and no request is taken — nor a decision answered — while a check fails.
   */
  readonly readiness: Readiness;
  readonly now?: () => Date;
}

/** The gateway's HTTP routes: pure wiring, no env, no listen (main.ts does those). Mount the edge's errors after it. */
export function createGatewayRouter(deps: GatewayDeps): express.Router {
  const log = deps.logger.child({ component: 'gateway' });
  const { edge } = deps;
  const router = express.Router();

  router.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  router.get('/readyz', (_req, res) => {
    const report = deps.readiness.report();
    res.status(report.ready ? 200 : 503).json(report);
  });
  const document = gatewayOpenApiDocument(deps.catalog);
  router.get('/openapi.json', (_req, res) => void res.json(document));

  router.post('/v1/requests', edge.stamp, edge.authenticate, edge.json('64kb'), async (req: Request, res: Response) => {
    const requester = callerOf(res);
    // Identity and time come from the token and the clock, never from the body; legal facts only from a credential.
    const { requester: _ignored, receivedAt: _alsoIgnored, requestId: _notYours, dryRun: _notHere, dryRunBy: _norThis, legalBasis, attestations, ...rest } = bodyObject(req.body);
    const process = await legalProcessOf({ ...rest, legalBasis, attestations }, requester.agency, deps.credentials);
    const requestId = res.locals.requestId as string;
    // Tracked before the request is published, so a fast release is kept; forgotten whatever the answer.
    deps.releases?.pending.track(requestId);
    try {
      const decision = await decideThroughBus(requestId, requester.agency, {
        ...rest, ...process, requester: { agency: requester.agency, role: requester.role, verified: true },
      });
      log.info({ requestId, agency: requester.agency, decision: decision.decision }, 'request answered');
      if (!deps.releases || (decision.decision !== 'ALLOW' && decision.decision !== 'ALLOW_REDACTED')) {
        res.status(statusFor(decision.decision)).json(publicView(decision));
        return;
      }
      const release = await deps.releases.pending.wait(requestId, deps.releases.timeoutMs);
      if (!release) throw new FirewallError('PF_GATEWAY_TIMEOUT', 'The records did not arrive in time; nothing was released to you. Ask again later.');
      if (release.outcome !== 'RELEASED' || !release.payload) {
        const cause = release.failure ?? 'PF_RELEASE_FAILED';
        throw new FirewallError('PF_RELEASE_FAILED', `The record system could not deliver (${cause}); nothing was released. The failure is audited.`, { details: [cause] });
      }
      // The gateway never decrypts: the records are a JWE only the requesting agency's key opens.
      res.status(200).json({
        ...publicView(decision),
        records: { jwe: release.payload, count: release.recordCount ?? 0, fields: release.fields ?? [], transformed: release.transformed ?? [] },
      });
    } finally {
      deps.releases?.pending.forget(requestId);
    }
  });

  /**
   * Dry run for city IT: how would the policy decide this request (any requester and legal facts, as written in
   * the body — a what-if, never released)? Decided by the same decider, audited as a DRY_RUN of the caller's own
   * agency; answers the full decision.
   */
  router.post('/v1/decisions\\:evaluate', edge.stamp, edge.authenticate, (_req, res, next) => {
    requireRole(callerOf(res), firewallRoles.cityIt, 'A dry run');
    next();
  }, edge.json('64kb'), async (req: Request, res: Response) => {
    const caller = callerOf(res);
    const { requestId: _notYours, dryRunBy: _notYoursEither, ...rest } = bodyObject(req.body);
    const decision = await decideThroughBus(res.locals.requestId as string, caller.agency, { ...rest, dryRun: true, dryRunBy: caller.agency });
    res.status(200).json({ dryRun: true, ...decision, context: undefined });
  });

  async function decideThroughBus(requestId: string, owner: string, candidate: Record<string, unknown>) {
    refuseUnlessReady();
    const request = countNamedSubjects(parseRecordRequest({ receivedAt: (deps.now?.() ?? new Date()).toISOString(), ...candidate, requestId }, deps.catalog));
    const outcome = deps.pending.expect(requestId, owner, deps.decisionTimeoutMs);
    // A check failing while this request waits (the ledger stops writing) ends the wait: its entry may never be
    // durable, and nothing is answered before it is.
    let stop: () => void = () => undefined;
    const failed = new Promise<undefined>((resolve) => (stop = deps.readiness.onFail(() => resolve(undefined))));
    let decision: Decision | undefined;
    try {
      await deps.bus.publish(topics.requests, requestId, await deps.codec.encode(topics.requests, request));
      decision = await Promise.race([outcome, failed]);
    } finally {
      stop();
      if (!decision) deps.pending.abandon(requestId);
    }
    if (!decision) {
      refuseUnlessReady();
      throw new FirewallError('PF_GATEWAY_TIMEOUT', 'No decision arrived in time; nothing was released. Ask again with the same details later, or check GET /v1/requests/{id}.');
    }
    return decision;
  }

  function refuseUnlessReady(): void {
    const failing = deps.readiness.failing();
    if (!failing) return;
    log.warn({ check: failing.name, code: failing.code }, 'request refused: not ready');
    if (failing.code === 'PF_LEDGER_UNAVAILABLE') {
      throw new FirewallError('PF_LEDGER_UNAVAILABLE', 'The audit ledger cannot record decisions right now; nothing was decided or released. Try again later.', { retriable: true });
    }
    throw new FirewallError(failing.code ?? 'PF_GATEWAY_NOT_READY', 'The firewall is not ready; nothing was decided or released. Try again shortly.', { retriable: true, details: [failing.name] });
  }

  router.get('/v1/requests/:id', edge.stamp, edge.authenticate, async (req, res) => {
    const found = deps.pending.lookup(String(req.params.id), callerOf(res).agency);
    if (!found) throw new FirewallError('PF_NOT_FOUND', 'No request with that id for your agency on this gateway.');
    if (found.state === 'pending') res.status(202).json({ requestId: req.params.id, status: 'PENDING' });
    else res.status(statusFor(found.decision.decision)).json(publicView(found.decision));
  });

  return router;
}

/**
 * Named subjects are decided as many as the request names: never fewer than its distinct subject ids. Without this
 * a request listing four ids and no `subjects` would be decided as one subject (the policy's default) and only the
 * releaser would stop it, after an ALLOW.
 */
export function countNamedSubjects(request: RecordRequest): RecordRequest {
  const named = new Set(request.subjectIds ?? []).size;
  if ((request.subjects?.selection ?? 'NAMED') !== 'NAMED' || named <= (request.subjects?.count ?? 1)) return request;
  return { ...request, subjects: { count: named, selection: 'NAMED' } };
}

/** The gateway alone as an app (tests, a gateway-only process): its routes, a 404 for the rest, the edge's errors. */
export function createGatewayApp(deps: GatewayDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(createGatewayRouter(deps));
  app.use(methodNotAllowed(gatewayOpenApiDocument(deps.catalog).paths));
  app.use(notFound);
  app.use(deps.edge.errors);
  return app;
}

export const notFound: express.RequestHandler = (_req, _res, next) => next(new FirewallError('PF_NOT_FOUND', 'No such endpoint. See /openapi.json.'));
