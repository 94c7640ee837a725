/**
 * Every error the firewall raises carries a machine-readable code (`PF_<AREA>_<WHAT>`), whether it may be
 * retried, and its cause. Decisions are not errors: a DENY is a value.
 */
export const errorCodes = [
  'PF_CONFIG_INVALID',
  'PF_REQ_SCHEMA',
  'PF_REQ_UNKNOWN_SYSTEM',
  'PF_REQ_UNKNOWN_FIELD',
  'PF_REQ_NO_FIELDS',
  'PF_REQ_BAD_DATE',
  'PF_REQ_BAD_COUNT',
  'PF_REQ_NOT_JSON',
  'PF_REQ_TOO_LARGE',
  'PF_REQ_BAD_ENCODING',
  'PF_AUTH_MISSING',
  'PF_AUTH_INVALID',
  'PF_AUTH_UNKNOWN_AGENCY',
  'PF_AUTH_REPLAYED',
  'PF_AUTH_NOT_EMBEDDED',
  'PF_AUTH_FORBIDDEN',
  'PF_AUTH_ROLE_NOT_GRANTED',
  'PF_AUTH_REPLAY_UNAVAILABLE',
  'PF_RATE_LIMITED',
  'PF_CREDENTIAL_INVALID',
  'PF_CREDENTIAL_EXPIRED',
  'PF_CREDENTIAL_UNKNOWN_ISSUER',
  'PF_CREDENTIAL_TYPE_NOT_ALLOWED',
  'PF_CREDENTIAL_WRONG_AGENCY',
  'PF_CREDENTIAL_WRONG_SUBJECT',
  'PF_POLICY_BUNDLE_MISSING',
  'PF_POLICY_BUNDLE_UNSIGNED',
  'PF_POLICY_BUNDLE_BAD_SIGNATURE',
  'PF_POLICY_BUNDLE_TAMPERED',
  'PF_POLICY_BUNDLE_INVALID',
  'PF_POLICY_EVALUATION_FAILED',
  'PF_POLICY_UNDEFINED_RESULT',
  'PF_BUS_UNDECODABLE',
  'PF_BUS_HANDLER_FAILED',
  'PF_BUS_CLOSED',
  'PF_BUS_FULL',
  'PF_BUS_CONSUMER_CRASHED',
  'PF_KAFKA_UNAVAILABLE',
  'PF_GATEWAY_TIMEOUT',
  'PF_GATEWAY_NOT_READY',
  'PF_RELEASE_FAILED',
  'PF_NOT_FOUND',
  'PF_METHOD_NOT_ALLOWED',
  'PF_INTERNAL',
  'PF_LEDGER_WRITE_FAILED',
  'PF_LEDGER_UNAVAILABLE',
  'PF_ACCESS_UNRECORDED',
  'PF_OVERSIGHT_BAD_QUERY',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/** The base of every coded error; packages with codes of their own (ledger, releaser) narrow `C`. */
export class FirewallError<C extends string = ErrorCode> extends Error {
  readonly code: C;
  readonly retriable: boolean;
  /** Safe-to-show details (paths, names of settings): never record values. */
  readonly details: readonly string[];

  constructor(code: C, message: string, options: { cause?: unknown; retriable?: boolean; details?: readonly string[] } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? [];
  }
}

export class ConfigError extends FirewallError {}
export class ValidationError extends FirewallError {}
export class AuthError extends FirewallError {}
export class PolicyError extends FirewallError {}
export class BusError extends FirewallError {}

export type AnyFirewallError = ConfigError | ValidationError | AuthError | PolicyError | BusError | FirewallError;

export function isFirewallError(err: unknown): err is FirewallError<string> {
  return err instanceof FirewallError;
}

/** Programmer errors are never retried and never turned into a decision: they end the process. */
export function isProgrammerError(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError;
}
