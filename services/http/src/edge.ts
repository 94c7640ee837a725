import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { AuthError, FirewallError, isFirewallError, type AccessEvent, type Bus, type Codec, type Logger } from '@firewall/core';
import { createAccessLog, type AccessLog } from './access-log.js';
import type { Authenticator, Requester } from './auth.js';
import { RateLimitedError, RateLimiter, type Rate } from './rate-limit.js';
import { RejectionAudit } from './rejections.js';
import { httpStatusOf } from './status.js';

export interface EdgeDeps {
  readonly auth: Authenticator;
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  /** Per source address, checked before authentication (default 1,000/s, bursts of 2,000); per agency: the authenticator. */
  readonly perSource?: Rate;
  /** How often refusals before authentication are chained, as one entry per reason (default 60 s). */
  readonly aggregateIntervalMs?: number;
  /** Where uses of the audit API and the review desk are recorded (default: firewall.access.v1 on this bus). */
  readonly access?: AccessLog;
}

/** What an audited use tells the ledger besides who and how it ended: names, hashes and counts only. */
export type AccessDetails = Pick<Partial<AccessEvent>, 'filters' | 'subjectHash' | 'requestId' | 'resultCount'>;

/**
 * The firewall's one HTTP edge, used by every router: the request-id stamp, rate limits, authentication, body
 * parsing (only after the token is checked), and the one error middleware that maps codes to statuses and audits
 * refusals. Routers add only what is theirs.
 */
export interface Edge {
  readonly auth: Authenticator;
  /** Stamps a request id (answers carry it) and `Cache-Control: no-store`; applies the per-source limit. */
  readonly stamp: RequestHandler;
  /** Authenticates the bearer token and applies the per-agency limit; `requesterOf(res)` then names the caller. */
  readonly authenticate: RequestHandler;
  /** A JSON body parser of at most `limit`; mount it after `authenticate`. */
  json(limit: string): RequestHandler;
  /** Records who is asking when a router authenticated some other way (the review desk's session cookie). */
  admit(res: Response, requester: Requester): void;
  /**
   * Marks a route as an audited use (audit API, review desk): a refusal of a caller with a verified identity is
   * recorded as an ACCESS entry by the error middleware; a grant by `granted` before the answer goes out.
   */
  accessed(action: AccessEvent['action']): RequestHandler;
  /** Records an audited use as granted (status 200 unless given); throws PF_ACCESS_UNRECORDED, so nothing is answered. */
  granted(res: Response, details?: AccessDetails, status?: number): Promise<void>;
  /** Adds what became known during the call (a subject's hash, a case id) to a later refusal's record. */
  note(res: Response, details: AccessDetails): void;
  readonly errors: ErrorRequestHandler;
  /** Chains what is still counted, and stops the interval. */
  close(): Promise<void>;
}

export function createEdge(deps: EdgeDeps): Edge {
  const log = deps.logger.child({ component: 'http-edge' });
  const perSource = new RateLimiter(deps.perSource ?? { perSecond: 1000, burst: 2000 });
  const rejections = new RejectionAudit({ bus: deps.bus, codec: deps.codec, logger: log, intervalMs: deps.aggregateIntervalMs ?? 60_000 });
  const access = deps.access ?? createAccessLog({ bus: deps.bus, codec: deps.codec, logger: deps.logger });
  const accessOf = (res: Response) => res.locals.access as { action: AccessEvent['action']; details: AccessDetails } | undefined;
  const identity = (requester: Requester) => ({ agency: requester.agency, role: requester.role });


  const admit = (res: Response, requester: Requester) => {
    res.locals.requester = requester;
  };

  return {
    auth: deps.auth,
    stamp: (req, res, next) => {
      res.locals.requestId = randomUUID();
      res.set('Cache-Control', 'no-store');
      const wait = perSource.take(req.socket.remoteAddress ?? 'unknown');
      next(wait ? new RateLimitedError('address', wait) : undefined);
    },
    authenticate: async (req, res, next) => {
      try {
        admit(res, await deps.auth.authenticate(req.header('authorization')));
        next();
      } catch (err) {
        next(err);
      }
    },
    json: (limit) => express.json({ limit, type: () => true }),
    admit,
    accessed: (action) => (_req, res, next) => {
      res.locals.access = { action, details: {} };
      next();
    },
    async granted(res, details = {}, status = 200) {
      const marked = accessOf(res);
      const requester = requesterOf(res);
      if (!marked || !requester) throw new FirewallError('PF_ACCESS_UNRECORDED', 'This use could not be recorded; nothing is answered.');
      await access.record({ ...identity(requester), action: marked.action, outcome: 'GRANTED', status, ...marked.details, ...details });
      marked.details = {};
      res.locals.access = undefined; // recorded: a failure after this point is not a second use
    },
    note(res, details) {
      const marked = accessOf(res);
      if (marked) marked.details = { ...marked.details, ...details };
    },
    errors: async (rawErr, req, res, _next) => {
      const err = fromBodyParser(rawErr) ?? rawErr;
      const status = httpStatusOf(err);
      if (err instanceof RateLimitedError) res.set('Retry-After', String(err.retryAfterSeconds));
      const code = isFirewallError(err) ? err.code : 'PF_INTERNAL';
      const requestId = (res.locals.requestId as string | undefined) ?? null;
      const marked = accessOf(res);
      const requester = requesterOf(res);
      if (marked && requester && status >= 400) {
        // A refused use by a known caller is part of the audit trail's own trail, not just a rejected input.
        await access.record({ ...identity(requester), action: marked.action, outcome: 'REFUSED', status, code, ...marked.details })
          .catch((accessErr: unknown) => log.error({ err: accessErr, code }, 'could not record a refused access'));
      } else {
        await rejections.record({ status, code, requester, err });
      }
      if (status >= 500) {
        log.error({ err, requestId, path: req.path, code }, 'request failed');
        // FirewallError messages are written for the requester and never carry values; anything else stays generic.
        const safe = isFirewallError(err) && status !== 500;
        res.status(status).json({ error: safe ? err.message : 'Internal error: nothing was released.', code, requestId });
        return;
      }
      log.info({ code, status, requestId }, 'request refused');
      res.status(status).json({ error: (err as Error).message, code, requestId, details: isFirewallError(err) ? err.details : [] });
    },
    close: () => rejections.close(),
  };
}

/** The authenticated caller of this request, if authentication ran and passed. */
export function requesterOf(res: Response): Requester | undefined {
  return res.locals.requester as Requester | undefined;
}

/** The authenticated caller, or a 401 (for handlers mounted after `edge.authenticate`). */
export function callerOf(res: Response): Requester {
  const requester = requesterOf(res);
  if (!requester) throw new AuthError('PF_AUTH_MISSING', 'Send the agency token as "Authorization: Bearer <token>".');
  return requester;
}

/** Normalises body-parser failures into coded errors. */
function fromBodyParser(err: unknown): FirewallError | undefined {
  if (isFirewallError(err)) return undefined;
  const type = (err as { type?: string } | undefined)?.type;
  if (type === 'entity.parse.failed') return new FirewallError('PF_REQ_NOT_JSON', 'The body is not valid JSON.');
  if (type === 'entity.too.large') return new FirewallError('PF_REQ_TOO_LARGE', 'The body is too large.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new FirewallError('PF_REQ_BAD_ENCODING', 'Send the body as UTF-8 JSON, uncompressed or gzip/deflate/br.');
  const status = (err as { status?: unknown } | undefined)?.status;
  // Any other refusal by the body parser (a Content-Encoding that does not decode, an aborted body) is the sender's.
  if (typeof status === 'number' && status >= 400 && status < 500) return new FirewallError('PF_REQ_NOT_JSON', 'The body could not be read as JSON.');
  return undefined;
}
