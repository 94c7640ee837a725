import { z } from 'zod';
import { ReleaseError } from './errors.js';

/** The releaser's settings, to compose into a process's env schema (services/cli/src/config.ts). */
export const releaserEnv = {
  FIREWALL_RECORD_SYSTEMS: z.string().optional()
    .describe('record systems JSON (system → fixture | open311 | sql | ledger adapter); unset = fictional fixtures + ledger aggregates'),
  ADAPTER_TIMEOUT_MS: z.coerce.number().int().positive().default(5_000)
    .describe('bound on each record system call; past it nothing is released (PF_ADAPTER_TIMEOUT)'),
  RELEASE_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000)
    .describe('gateway wait for the records after an ALLOW before a 504; the releaser never releases later than this'),
  FIREWALL_LEDGER_JWKS: z.string().optional()
    .describe('the ledger\'s public JWKS file: when set, the releaser acts only on ledger entries signed by those keys'),
};

/**
 * The JWE inside what a requester has: a compact JWE as is, or the gateway's JSON answer (`records.jwe`), or a
 * Release message as JSON (`payload`). For `firewall decrypt`.
 */
export function jweFrom(text: string): string {
  const trimmed = text.trim();
  if (/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*){4}$/.test(trimmed)) return trimmed;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new ReleaseError('PF_RELEASE_FAILED', 'Expected a compact JWE, or JSON holding records.jwe or payload.');
  }
  const candidate = (parsed as { records?: { jwe?: unknown }; payload?: unknown } | null)?.records?.jwe ?? (parsed as { payload?: unknown } | null)?.payload;
  if (typeof candidate !== 'string') throw new ReleaseError('PF_RELEASE_FAILED', 'The JSON holds no records.jwe or payload: nothing was released in it.');
  return jweFrom(candidate);
}
