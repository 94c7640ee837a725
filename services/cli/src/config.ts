import { z } from 'zod';
import { ConfigError, parseEnv, sharedEnv } from '@firewall/core';
import { releaserEnv } from '@firewall/releaser';

const rate = z.string().regex(/^\d+(\.\d+)?\/\d+$/, 'PER_SECOND/BURST, e.g. 200/400')
  .transform((v) => ({ perSecond: Number(v.split('/')[0]), burst: Number(v.split('/')[1]) }));

/** The firewall's settings, from the environment, validated once (main.ts calls this). */
export const envShape = {
  ...sharedEnv,
  PORT: z.coerce.number().int().min(0).max(65535).default(8080).describe('HTTP port of the gateway'),
  HOST: z.string().default('127.0.0.1').describe('interface to listen on'),
  FIREWALL_DATA_DIR: z.string().default('./data').describe('keys, the signed bundle and the ledger (embedded mode)'),
  FIREWALL_BUNDLE: z.string().optional().describe('a signed policy bundle to serve; unset in embedded mode = the shipped bundle, signed with the dev key'),
  FIREWALL_BUNDLE_PUBLIC_KEY: z.string().optional().describe('PEM public key that bundles must be signed with (required with FIREWALL_BUNDLE)'),
  FIREWALL_AGENCY_REGISTRY: z.string().optional().describe('agency registry JSON (agency code → JWKS); unset in embedded mode = generated dev registry'),
  FIREWALL_ISSUER_REGISTRY: z.string().optional().describe('issuer registry JSON (issuer code → JWKS and the legal basis types it may certify); unset in embedded mode = generated dev issuers'),
  FIREWALL_LEDGER_KEY: z.string().optional().describe('PKCS#8 PEM Ed25519 key that signs ledger entries; unset in embedded mode = generated'),
  FIREWALL_CHECKPOINT_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(100).describe('sign a tree head of the ledger at least every this many entries'),
  FIREWALL_CHECKPOINT_INTERVAL_MS: z.coerce.number().int().min(0).max(3_600_000).default(5_000).describe('…and at least this often (ms) while entries arrive (0 = by count only); always at stop'),
  FIREWALL_WITNESS_DIR: z.string().optional().describe('a folder outside the ledger (another disk or machine) where a witness keeps every signed tree head, refusing any that truncates or forks the ledger; unset = no witness'),
  FIREWALL_SUBJECT_KEY: z.string().optional().describe('file with the key (base64, 32+ bytes) of the keyed hash of subject ids in the ledger; embedded default generated in data/keys'),
  FIREWALL_ROLES: z.string().default('gateway,decider,ledger,releaser')
    .refine((v) => v.split(',').every((r) => ['gateway', 'decider', 'ledger', 'review', 'releaser'].includes(r.trim())), 'a comma list of gateway, decider, ledger, review, releaser')
    .transform((v) => v.split(',').map((r) => r.trim()) as ('gateway' | 'decider' | 'ledger' | 'review' | 'releaser')[])
    .describe('services this process runs (Kafka mode can run one per process)'),
  FIREWALL_REVIEW_KEY: z.string().optional().describe('PKCS#8 PEM Ed25519 key that signs review resolutions; unset in embedded mode = generated'),
  FIREWALL_KAFKA_NAMESPACE: z.string().regex(/^[A-Za-z0-9._-]{1,100}$/).optional().describe('prefix for topic and group names on a shared Kafka cluster (tests, staging)'),
  TOKEN_MAX_LIFETIME_SECONDS: z.coerce.number().int().min(60).max(86_400).default(3600).describe('the longest an agency token may live, iat to exp (longer ones are refused)'),
  RATE_LIMIT_PER_AGENCY: rate.default({ perSecond: 200, burst: 400 }).describe('requests per second per agency, and the burst (PER_SECOND/BURST); more get 429 PF_RATE_LIMITED'),
  RATE_LIMIT_PER_SOURCE: rate.default({ perSecond: 1000, burst: 2000 }).describe('requests per second per source address before authentication, and the burst'),
  FIREWALL_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional().describe('an internal listener serving only GET /metrics without a token, for Prometheus; unset = none. The public /metrics needs an OPERATOR token'),
  FIREWALL_METRICS_HOST: z.string().default('127.0.0.1').describe('interface of the internal metrics listener (keep it off the public network: the counts are exact)'),
  FIREWALL_REPLAY_DATABASE_URL: z.string().optional().describe('PostgreSQL URL of the single-use token table shared by every gateway (Kafka mode); unset = in memory, right only when one gateway process accepts the tokens'),
  DECISION_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000).describe('how long the gateway waits for a decision before a 504'),
  ...releaserEnv,
};

export type FirewallConfig = ReturnType<typeof loadConfig>;

export function loadConfig(env: Record<string, string | undefined>) {
  const config = parseEnv(envShape, env);
  if (config.FIREWALL_BUNDLE && !config.FIREWALL_BUNDLE_PUBLIC_KEY) {
    return parseEnv({ ...envShape, FIREWALL_BUNDLE_PUBLIC_KEY: z.string({ message: 'required when FIREWALL_BUNDLE is set: the firewall trusts only this key' }) }, env);
  }
  return config;
}

/** Embedded = no broker configured: everything in one process, dev keys generated on first run. */
export const isEmbedded = (config: FirewallConfig) => !config.KAFKA_BROKERS;

/** The roles that answer agencies and reviewers over HTTP (the others serve only health and, for operators, metrics). */
export const acceptsTokensOfRequesters = (config: FirewallConfig) => config.FIREWALL_ROLES.some((r) => r === 'gateway' || r === 'review');

/**
 * What `firewall start` needs beyond what every command does. Over Kafka, gateways come in several copies: a token
 * spent at one must be spent at all of them, so a gateway needs the shared table of spent tokens.
 */
export function checkStartConfig(config: FirewallConfig): void {
  if (!isEmbedded(config) && acceptsTokensOfRequesters(config) && !config.FIREWALL_REPLAY_DATABASE_URL) {
    throw new ConfigError('PF_CONFIG_INVALID', 'FIREWALL_REPLAY_DATABASE_URL is required for a gateway or review desk in Kafka mode: the PostgreSQL table of spent tokens that every process accepting tokens shares.', { details: ['FIREWALL_REPLAY_DATABASE_URL'] });
  }
}

/** `--help` text for the settings, generated from the schema so it cannot drift. */
export function describeEnv(): string {
  return Object.entries(envShape).map(([name, schema]) => `  ${name.padEnd(28)} ${schema.description ?? ''}`).join('\n');
}
