/**
 * Errors of the ledger library. Same shape as core's FirewallError (code, retriable, cause), kept local so the
 * ledger and its offline verifier depend on nothing but jose and canonicalize.
 */
export const ledgerErrorCodes = [
  'PF_LEDGER_LOCKED',
  'PF_LEDGER_CORRUPT',
  'PF_LEDGER_CLOSED',
  'PF_LEDGER_WRITE_FAILED',
  'PF_LEDGER_KEY',
  'PF_LEDGER_JWKS',
  'PF_LEDGER_INVALID_EVENT',
  'PF_LEDGER_SUMMARY_NOT_ALLOWED',
  'PF_LEDGER_SUBJECT_KEY',
  'PF_LEDGER_NOT_FOUND',
  'PF_LEDGER_PROOF',
] as const;

export type LedgerErrorCode = (typeof ledgerErrorCodes)[number];

export class LedgerError extends Error {
  readonly code: LedgerErrorCode;
  readonly retriable: boolean;
  /** Safe-to-show details (paths, positions, key names): never summary or record values. */
  readonly details: readonly string[];

  constructor(
    code: LedgerErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean; details?: readonly string[] } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? [];
  }
}

export function isLedgerError(err: unknown): err is LedgerError {
  return err instanceof LedgerError;
}
