import type { ErrorRequestHandler, Response } from 'express';
import { FirewallError, isFirewallError, type ErrorCode, type Logger } from '@firewall/core';

const statusByCode: Partial<Record<ErrorCode, number>> = {
  PF_REQ_SCHEMA: 400, PF_REQ_UNKNOWN_SYSTEM: 400, PF_REQ_UNKNOWN_FIELD: 400, PF_REQ_NO_FIELDS: 400,
  PF_REQ_BAD_DATE: 400, PF_REQ_BAD_COUNT: 400, PF_REQ_NOT_JSON: 400, PF_REQ_TOO_LARGE: 413,
  PF_AUTH_MISSING: 401, PF_AUTH_INVALID: 401, PF_AUTH_UNKNOWN_AGENCY: 401, PF_AUTH_REPLAYED: 401, PF_AUTH_FORBIDDEN: 403,
  PF_NOT_FOUND: 404, PF_GATEWAY_TIMEOUT: 504, PF_GATEWAY_NOT_READY: 503, PF_RELEASE_FAILED: 502,
};

export function httpStatusOf(err: unknown): number {
  return isFirewallError(err) ? ((statusByCode as Record<string, number | undefined>)[err.code] ?? 500) : 500;
}

/** Normalises body-parser failures into coded errors. */
export function fromBodyParser(err: unknown): FirewallError | undefined {
  const type = (err as { type?: string } | undefined)?.type;
  if (type === 'entity.parse.failed') return new FirewallError('PF_REQ_NOT_JSON', 'The body is not valid JSON.');
  if (type === 'entity.too.large') return new FirewallError('PF_REQ_TOO_LARGE', 'The body is too large.');
  if (type === 'encoding.unsupported' || type === 'charset.unsupported') return new FirewallError('PF_REQ_NOT_JSON', 'Send the body as UTF-8 JSON.');
  return undefined;
}

/**
 * One error middleware: `{ error, code, requestId, details }` for 4xx; for 5xx only a generic message and the
 * code — messages and stacks never leave the process (they might hold personal data).
 */
export function errorHandler(logger: Logger, onRejected: (err: unknown, status: number, res: Response) => Promise<void>): ErrorRequestHandler {
  return async (rawErr, req, res, _next) => {
    const err = fromBodyParser(rawErr) ?? rawErr;
    const status = httpStatusOf(err);
    await onRejected(err, status, res);
    const requestId = (res.locals.requestId as string | undefined) ?? null;
    if (status >= 500) {
      logger.error({ err, requestId, path: req.path }, 'request failed');
      res.status(status).json({ error: status === 504 || status === 503 || status === 502 ? (err as Error).message : 'Internal error: nothing was released.', code: isFirewallError(err) ? err.code : 'PF_INTERNAL', requestId });
      return;
    }
    logger.info({ code: (err as FirewallError).code, status, requestId }, 'request rejected');
    res.status(status).json({ error: (err as Error).message, code: (err as FirewallError).code, requestId, details: (err as FirewallError).details });
  };
}
