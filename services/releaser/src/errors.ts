import { FirewallError } from '@firewall/core';

/**
 * Why a release failed: core's FirewallError with the releaser's own codes. These codes travel in Release.failure
 * and in the ledger's RELEASE entries, never a message.
 */
export const releaseErrorCodes = [
  /** The record system did not answer within the releaser's bound. */
  'PF_ADAPTER_TIMEOUT',
  /** The record system answered with an error, or with something that is not records. */
  'PF_ADAPTER_FAILED',
  /** No adapter is configured for the request's system. */
  'PF_ADAPTER_MISSING',
  /** The requesting agency has no registered encryption key (`use: "enc"` in its JWKS). */
  'PF_RELEASE_NO_KEY',
  /** A named request lists more subject ids than the count the policy decided on. */
  'PF_RELEASE_SUBJECTS_EXCEED_COUNT',
  /** The decision does not belong to the request it names (system or agency differ). */
  'PF_RELEASE_INCONSISTENT',
  /** The records were ready after the requester stopped waiting: nothing is handed over late. */
  'PF_RELEASE_EXPIRED',
  /** Anything else went wrong while releasing; nothing was released. */
  'PF_RELEASE_FAILED',
  /** A release configuration (record systems, keys) is invalid. */
  'PF_RELEASE_CONFIG',
] as const;

export type ReleaseErrorCode = (typeof releaseErrorCodes)[number];

export class ReleaseError extends FirewallError<ReleaseErrorCode> {}

/** An adapter's failure: PF_ADAPTER_TIMEOUT or PF_ADAPTER_FAILED, wrapping the cause at the boundary. */
export class AdapterError extends ReleaseError {}

export function isReleaseError(err: unknown): err is ReleaseError {
  return err instanceof ReleaseError;
}
