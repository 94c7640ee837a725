import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { AuthError, FirewallError, isFirewallError, type Bus, type Codec, type Logger } from '@firewall/core';
import type { Authenticator, Requester } from './auth.js';
import { RateLimiter, type Rate } from './rate-limit.js';
import { RejectionAudit } from './rejections.js';
import { httpStatusOf } from './status.js';

export interface EdgeDeps {
  readonly auth: Authenticator;
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  /** Per source address, checked before authentication (default 1,000/s, bursts of 2,000). */
  readonly perSource?: Rate;
  /** Per authenticated agency (default 200/s, bursts of 400). */
  readonly perAgency?: Rate;
  /** How often refusals before authentication are chained, as one entry per reason (default 60 s). */
  readonly aggregateIntervalMs?: number;
}

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
  readonly errors: ErrorRequestHandler;
  /** Chains what is still counted, and stops the interval. */
  close(): Promise<void>;
}

export function createEdge(deps: EdgeDeps): Edge {
  const log = deps.logger.child({ component: 'http-edge' });
  const perSource = new RateLimiter(deps.perSource ?? { perSecond: 1000, burst: 2000 });
  const perAgency = new RateLimiter(deps.perAgency ?? { perSecond: 200, burst: 400 });
  const rejections = new RejectionAudit({ bus: deps.bus, codec: deps.codec, logger: log, intervalMs: deps.aggregateIntervalMs ?? 60_000 });

  const limited = (res: Response, waitSeconds: number, who: string): FirewallError => {
    res.set('Retry-After', String(waitSeconds));
    return new FirewallError('PF_RATE_LIMITED', `Too many requests from this ${who}: wait ${waitSeconds} s and try again.`);
  };

  const admit = (res: Response, requester: Requester) => {
    res.locals.requester = requester;
  };

  return {
    auth: deps.auth,
    stamp: (req, res, next) => {
      res.locals.requestId = randomUUID();
      res.set('Cache-Control', 'no-store');
      const wait = perSource.take(req.socket.remoteAddress ?? 'unknown');
      next(wait ? limited(res, wait, 'address') : undefined);
    },
    authenticate: async (req, res, next) => {
      try {
        const requester = await deps.auth.authenticate(req.header('authorization'));
        admit(res, requester);
        const wait = perAgency.take(requester.agency);
        next(wait ? limited(res, wait, 'agency') : undefined);
      } catch (err) {
        next(err);
      }
    },
    json: (limit) => express.json({ limit, type: () => true }),
    admit,
    errors: async (rawErr, req, res, _next) => {
      const err = fromBodyParser(rawErr) ?? rawErr;
      const status = httpStatusOf(err);
      const code = isFirewallError(err) ? err.code : 'PF_INTERNAL';
      const requestId = (res.locals.requestId as string | undefined) ?? null;
      await rejections.record({ status, code, requester: requesterOf(res), err });
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
export function fromBodyParser(err: unknown): FirewallError | undefined {
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
