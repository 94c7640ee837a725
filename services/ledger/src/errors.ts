import { FirewallError } from '@firewall/core';

/** Errors of the ledger library: core's FirewallError with the ledger's own codes. */
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

export class LedgerError extends FirewallError<LedgerErrorCode> {}

export function isLedgerError(err: unknown): err is LedgerError {
  return err instanceof LedgerError;
}
