import { randomUUID } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import {
  FirewallError, parseRecordRequest, isFirewallError, isPlainObject, topics,
  type Bus, type Codec, type FieldCatalog, type Logger,
} from '@firewall/core';
import type { PendingReleases } from '@firewall/releaser';
import type { Authenticator } from './auth.js';
import { errorHandler } from './errors-http.js';
import { openApiDocument } from './openapi.js';
import type { PendingOutcomes } from './outcomes.js';
import { publicView, statusFor } from './responses.js';

/** The token role that may ask for dry runs. */
export const dryRunRole = 'CITY_IT';

const bodyObject = (body: unknown): Record<string, unknown> => (isPlainObject(body) ? body : { body });

export interface GatewayDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly catalog: FieldCatalog;
  readonly auth: Authenticator;
  readonly pending: PendingOutcomes;
  readonly logger: Logger;
  /** How long a requester waits for the decision before a 504 (nothing is released after a 504 either). */
  readonly decisionTimeoutMs: number;
  /**
   * Records for ALLOW / ALLOW_REDACTED: the releaser's Release, waited for at most timeoutMs after the decision.
   * Without it the gateway answers the decision alone (nothing is delivered).
   */
  readonly releases?: { readonly pending: PendingReleases; readonly timeoutMs: number };
  readonly isReady: () => boolean;
  readonly now?: () => Date;
}

/** The gateway's HTTP app: pure wiring, no env, no listen (main.ts does those). */
export function createGatewayApp(deps: GatewayDeps): express.Express {
  const log = deps.logger.child({ component: 'gateway' });
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/readyz', (_req, res) => void res.status(deps.isReady() ? 200 : 503).json({ ready: deps.isReady() }));
  app.get('/openapi.json', (_req, res) => void res.json(openApiDocument));

  const stampId: express.RequestHandler = (_req, res, next) => {
    res.locals.requestId = randomUUID();
    next();
  };
  const json = express.json({ limit: '64kb', type: () => true });

  app.post('/v1/requests', stampId, json, async (req: Request, res: Response) => {
    const requester = await deps.auth.authenticate(req.header('authorization'));
    res.locals.agency = requester.agency;
    // Identity and time come from the token and the clock, never from the body.
    const { requester: _ignored, receivedAt: _alsoIgnored, requestId: _notYours, dryRun: _notHere, ...rest } = bodyObject(req.body);
    const requestId = res.locals.requestId as string;
    // Tracked before the request is published, so a fast release is kept; forgotten whatever the answer.
    deps.releases?.pending.track(requestId);
    try {
      const decision = await decideThroughBus(requestId, requester.agency, {
        ...rest, requester: { agency: requester.agency, role: requester.role, verified: true },
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
   * Dry run for city IT: how would the policy decide this request (any requester, as written in the body)?
   * Decided by the same decider, audited as DRY_RUN, never released; answers the full decision.
   */
  app.post('/v1/decisions\\:evaluate', stampId, json, async (req: Request, res: Response) => {
    const caller = await deps.auth.authenticate(req.header('authorization'));
    res.locals.agency = caller.agency;
    if (caller.role !== dryRunRole) throw new FirewallError('PF_AUTH_FORBIDDEN', `Dry runs are for city IT: the token needs role "${dryRunRole}".`);
    const { requestId: _notYours, ...rest } = bodyObject(req.body);
    const decision = await decideThroughBus(res.locals.requestId as string, caller.agency, { ...rest, dryRun: true });
    res.status(200).json({ dryRun: true, ...decision, context: undefined });
  });

  async function decideThroughBus(requestId: string, owner: string, candidate: Record<string, unknown>) {
    if (!deps.isReady()) throw new FirewallError('PF_GATEWAY_NOT_READY', 'The firewall is starting; try again shortly.');
    const request = parseRecordRequest({ receivedAt: (deps.now?.() ?? new Date()).toISOString(), ...candidate, requestId }, deps.catalog);
    const outcome = deps.pending.expect(requestId, owner, deps.decisionTimeoutMs);
    await deps.bus.publish(topics.requests, requestId, await deps.codec.encode(topics.requests, request));
    const decision = await outcome;
    if (!decision) throw new FirewallError('PF_GATEWAY_TIMEOUT', 'No decision arrived in time; nothing was released. Ask again with the same details later, or check GET /v1/requests/{id}.');
    return decision;
  }

  app.get('/v1/requests/:id', async (req, res) => {
    const requester = await deps.auth.authenticate(req.header('authorization'));
    const found = deps.pending.lookup(String(req.params.id), requester.agency);
    if (!found) throw new FirewallError('PF_NOT_FOUND', 'No request with that id for your agency on this gateway.');
    if (found.state === 'pending') res.status(202).json({ requestId: req.params.id, status: 'PENDING' });
    else res.status(statusFor(found.decision.decision)).json(publicView(found.decision));
  });

  app.use((_req, _res, next) => next(new FirewallError('PF_NOT_FOUND', 'No such endpoint. See /openapi.json.')));
  app.use(errorHandler(log, auditRejection));

  /**
   * Refusals before the policy are audited too: code and schema paths only, never the body (an unknown field
   * name is the requester's text, so only "fields" is kept).
   */
  async function auditRejection(err: unknown, status: number, res: Response): Promise<void> {
    if (![400, 401, 403, 413].includes(status)) return;
    const rejectionId = (res.locals.requestId as string | undefined) ?? randomUUID();
    const agency = (res.locals.agency as string | undefined) ?? null;
    const code = isFirewallError(err) ? err.code : 'PF_INTERNAL';
    const paths = isFirewallError(err) ? [...new Set(err.details.map((d) => (d.startsWith('fields.') ? 'fields' : d)))].slice(0, 20) : [];
    try {
      const value = await deps.codec.encode(topics.rejections, { rejectionId, rejectedAt: new Date().toISOString(), code, status, agency, paths });
      await deps.bus.publish(topics.rejections, rejectionId, value);
    } catch (publishErr) {
      log.error({ err: publishErr, requestId: rejectionId }, 'could not audit a rejection');
    }
  }

  return app;
}
