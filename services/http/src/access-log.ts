import { randomUUID } from 'node:crypto';
import {
  FirewallError, accessActions, accessOutcomes, isPlainObject, topics,
  type AccessEvent, type Bus, type Codec, type Logger,
} from '@firewall/core';

export interface AccessLogDeps {
  readonly bus: Bus;
  readonly codec: Codec;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** What a router says about one use (or refused attempt) of the audit API or the review desk. */
export type AccessRecord = Omit<AccessEvent, 'accessId' | 'at'>;

export interface AccessLog {
  /**
   * Publishes the access on firewall.access.v1, where the ledger chains it as an ACCESS entry. Resolves once the
   * bus took it; throws PF_ACCESS_UNRECORDED (nothing published) when the event is malformed or the bus refused
   * it — the caller must then refuse to answer: an audit answer whose access is unrecorded is never served.
   */
  record(event: AccessRecord): Promise<void>;
}

const fields = ['agency', 'role', 'action', 'outcome', 'status', 'code', 'filters', 'subjectHash', 'requestId', 'resultCount'] as const;
// The same shapes the ledger's summary accepts (a code has a letter and no spaces; an id is printable ASCII):
// anything else could carry a name, a date or an identifier, and is refused here rather than redacted later.
const CODE = /^(?=[^A-Za-z]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
const ERROR_CODE = /^PF_[A-Z0-9_]{1,64}$/;
const FILTER_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;
const HASH = /^[0-9a-f]{64}$/;
const REQUEST_ID = /^[\x21-\x7e]{1,200}$/;
const MAX_FILTERS = 32;

const nullOr = (value: unknown, ok: (v: unknown) => boolean) => value === undefined || value === null || ok(value);
const matching = (pattern: RegExp) => (v: unknown) => typeof v === 'string' && pattern.test(v);

/** The names of the fields that are wrong (empty when the record is well formed). */
function accessRecordProblems(event: unknown): string[] {
  if (!isPlainObject(event)) return ['(root)'];
  const e = event;
  const problems = Object.keys(e).filter((k) => !(fields as readonly string[]).includes(k));
  const check = (field: (typeof fields)[number], ok: boolean) => void (ok || problems.push(field));
  check('agency', nullOr(e.agency, matching(CODE)));
  check('role', nullOr(e.role, matching(CODE)));
  check('action', (accessActions as readonly unknown[]).includes(e.action));
  check('outcome', (accessOutcomes as readonly unknown[]).includes(e.outcome));
  const status = e.status;
  const granted = e.outcome === 'GRANTED';
  // A grant is a 1xx-3xx answer with no refusal code; a refusal is a 4xx/5xx answer with its code.
  check('status', Number.isSafeInteger(status) && (granted ? (status as number) >= 100 && (status as number) < 400 : (status as number) >= 400 && (status as number) < 600));
  check('code', granted ? e.code === undefined || e.code === null : matching(ERROR_CODE)(e.code));
  check('filters', nullOr(e.filters, (f) => Array.isArray(f) && f.length <= MAX_FILTERS && f.every(matching(FILTER_NAME))));
  check('subjectHash', nullOr(e.subjectHash, matching(HASH)));
  check('requestId', nullOr(e.requestId, matching(REQUEST_ID)));
  check('resultCount', nullOr(e.resultCount, (n) => Number.isSafeInteger(n) && (n as number) >= 0));
  return problems;
}

/**
 * The access trail of the audit API and the review desk: every use and every refused attempt becomes an
 * AccessEvent (identity and codes only) that the ledger chains. Fails closed: see AccessLog.record.
 */
export function createAccessLog(deps: AccessLogDeps): AccessLog {
  const log = deps.logger.child({ component: 'access-log' });
  const now = deps.now ?? (() => new Date());
  return {
    async record(event) {
      const problems = accessRecordProblems(event);
      if (problems.length > 0) {
        // Field names only: the values are what must not be written anywhere.
        log.error({ fields: problems.slice(0, 10) }, 'access not recorded: malformed access event');
        throw new FirewallError('PF_ACCESS_UNRECORDED', 'The access could not be recorded (malformed access event); nothing is answered.', { details: problems });
      }
      const access: AccessEvent = {
        accessId: randomUUID(), at: now().toISOString(),
        agency: event.agency ?? null, role: event.role ?? null, action: event.action, outcome: event.outcome, status: event.status,
        code: event.code ?? null, filters: [...new Set(event.filters ?? [])], subjectHash: event.subjectHash ?? null,
        requestId: event.requestId ?? null, resultCount: event.resultCount ?? null,
      };
      try {
        await deps.bus.publish(topics.access, access.accessId, await deps.codec.encode(topics.access, access));
      } catch (cause) {
        log.error({ err: cause, accessId: access.accessId, action: access.action, outcome: access.outcome }, 'access not recorded: publishing failed');
        throw new FirewallError('PF_ACCESS_UNRECORDED', 'The access could not be recorded; nothing is answered.', { cause, retriable: true });
      }
      log.debug({ accessId: access.accessId, action: access.action, outcome: access.outcome, status: access.status }, 'access recorded');
    },
  };
}
