import type { RequestHandler } from 'express';
import { FirewallError } from '@firewall/core';

/**
 * What every router's part of /openapi.json shares: the Error answer, the refusals the edge itself gives (so each
 * operation lists the statuses it really answers), exact string patterns the server checks with the same regex,
 * and the 405 for a method a documented path does not have. A peer fuzzer (scripts/api-fuzz.sh) holds the
 * document to all of it.
 */

/** The one error body every router answers with (edge.errors). */
export const errorSchema = {
  type: 'object',
  required: ['error', 'code', 'requestId'],
  properties: {
    error: { type: 'string' },
    code: { type: 'string', pattern: '^PF_[A-Z_]+$' },
    requestId: { type: ['string', 'null'] },
    details: { type: 'array', items: { type: 'string' } },
  },
} as const;

export const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

/** The edge's own refusals, in the words each operation shares; an operation adds only what is its own. */
export const edgeRefusals = {
  badBody: 'The body is not JSON (PF_REQ_NOT_JSON)',
  unauthenticated: 'Missing, invalid, expired, replayed or unregistered token (PF_AUTH_MISSING, _INVALID, _REPLAYED, _UNKNOWN_AGENCY)',
  roleNotGranted: 'The token asks for a role the registry does not grant its agency (PF_AUTH_ROLE_NOT_GRANTED)',
  tooLarge: 'The body is too large (PF_REQ_TOO_LARGE)',
  encoding: 'A body encoding or charset that is not read (PF_REQ_BAD_ENCODING)',
  rateLimited: 'Too many requests from this address or agency (PF_RATE_LIMITED); see Retry-After',
  replayUnavailable: 'Single use of the token cannot be checked right now (PF_AUTH_REPLAY_UNAVAILABLE)',
  unrecorded: 'This audited use could not be recorded in the ledger, so nothing is answered (PF_ACCESS_UNRECORDED)',
} as const;

/** Error responses by status: `{ 400: 'why', ... }` → OpenAPI responses with the Error schema. */
export function errorResponses(byStatus: Readonly<Record<number, string>>): Record<string, ReturnType<typeof errorResponse>> {
  return Object.fromEntries(Object.entries(byStatus).map(([status, why]) => [status, errorResponse(why)]));
}

/** Any whole number the server holds exactly (JSON numbers beyond 2^53 lose digits). */
export const safeInteger = { type: 'integer', minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER } as const;

// Written with [0-9], not \d: the fuzzer's regex engine (Python) reads \d and \s as Unicode classes, JavaScript not.
const leapYear = '(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:[02468][048]|[13579][26])00)';
/** A real calendar day, YYYY-MM-DD (29 February only in leap years). */
export const calendarDay = `(?:[0-9]{4}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)|${leapYear}-02-29)`;
/** RFC 3339 time of day with offset: no leap second (JavaScript's Date does not read :60). */
export const timeOfDay = '(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])';
export const dateTimePattern = `^${calendarDay}T${timeOfDay}$`;
export const dateOrDateTimePattern = `^${calendarDay}(?:T${timeOfDay})?$`;
export const dateOrDateTime = new RegExp(dateOrDateTimePattern);
/** Text that is not blank: at least one character besides spaces, tabs and line breaks. */
export const notBlankPattern = '[^\\t\\n\\r ]';
export const notBlank = new RegExp(notBlankPattern);
/** String length as JSON Schema counts it (code points), not UTF-16 units. */
export const lengthOf = (text: string): number => [...text].length;

type PathItems = Readonly<Record<string, Readonly<Record<string, unknown>>>>;
const httpMethods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * For a path the document lists, a method it does not list: 405 with `Allow` (OPTIONS: 204 with `Allow`). Mount
 * after every router and before the 404, so only what no route took reaches it. A literal path wins over a
 * template (`/v1/reviews/session` over `/v1/reviews/{id}`).
 */
export function methodNotAllowed(paths: PathItems): RequestHandler {
  const routes = Object.entries(paths).map(([template, item]) => ({
    literal: !template.includes('{'),
    pattern: new RegExp(`^${template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+')}$`),
    allow: allowOf(Object.keys(item).filter((m) => httpMethods.includes(m))),
  }));
  return (req, res, next) => {
    const matching = routes.filter((r) => r.pattern.test(req.path));
    const route = matching.find((r) => r.literal) ?? matching[0];
    if (!route) return next();
    res.set('Allow', route.allow);
    if (req.method === 'OPTIONS') return void res.status(204).end();
    next(new FirewallError('PF_METHOD_NOT_ALLOWED', `${req.method} is not a method of this endpoint; it answers ${route.allow}.`));
  };
}

function allowOf(methods: string[]): string {
  const all = new Set(methods.map((m) => m.toUpperCase()));
  if (all.has('GET')) all.add('HEAD');
  all.add('OPTIONS');
  return [...all].join(', ');
}
