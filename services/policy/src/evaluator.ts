import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import { PolicyError } from '@firewall/core';
import type { VerifiedBundle } from './bundle.js';

/** What the Rego entrypoint returns (policies/README.md is the contract). */
export interface PolicyResult {
  decision: 'ALLOW' | 'ALLOW_REDACTED' | 'DENY' | 'REVIEW';
  fields: Record<string, { outcome: 'release' | 'withhold' | 'transform'; rules: string[]; transform?: string }>;
  released: string[];
  withheld: string[];
  rules: { id: string; title: string; sources: string[] }[];
  decisive: string[];
  reasons: { rule: string; text: string }[];
  alerts: { code: string; rule: string; fields?: string[] }[];
  councilReport: boolean;
  openQuestions: string[];
}

/**
 * Builtins OPA's wasm target leaves to the host. Time reaches the policy only through its input
 * (`receivedAt`, `expires`); this just parses those strings.
 */
const builtins = {
  'time.parse_rfc3339_ns': (value: unknown): number => parseRfc3339Ns(value),
};

/**
 * Nanoseconds since the epoch, keeping the fraction below a millisecond that Date.parse drops (a number: exact
 * to about 0.25 µs at today's dates, well inside any legal limit).
 */
export function parseRfc3339Ns(value: unknown): number {
  const match = typeof value === 'string' ? /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/i.exec(value) : null;
  const seconds = match ? Date.parse(`${match[1]}${match[3]}`.toUpperCase()) : Number.NaN;
  if (!match || Number.isNaN(seconds)) throw new PolicyError('PF_POLICY_EVALUATION_FAILED', 'time.parse_rfc3339_ns: not an RFC 3339 time');
  return seconds * 1_000_000 + Number((match[2] ?? '').padEnd(9, '0'));
}

/** The compiled policy, instantiated once and evaluated in-process for every request. */
export class PolicyEvaluator {
  readonly #policy: LoadedPolicy;
  readonly bundle: VerifiedBundle;

  private constructor(policy: LoadedPolicy, bundle: VerifiedBundle) {
    this.#policy = policy;
    this.bundle = bundle;
  }

  static async load(bundle: VerifiedBundle): Promise<PolicyEvaluator> {
    try {
      const policy = await loadPolicy(bundle.wasm, undefined, builtins);
      policy.setData(bundle.data);
      return new PolicyEvaluator(policy, bundle);
    } catch (cause) {
      throw new PolicyError('PF_POLICY_BUNDLE_INVALID', 'The policy wasm module could not be instantiated.', { cause });
    }
  }

  /** Evaluates; throws PolicyError on an evaluation error or an undefined/ill-shaped result. */
  evaluate(input: Record<string, unknown>): PolicyResult {
    let resultSet: unknown;
    try {
      resultSet = this.#policy.evaluate(input, this.bundle.entrypoint);
    } catch (cause) {
      throw new PolicyError('PF_POLICY_EVALUATION_FAILED', 'The policy failed while evaluating the request.', { cause });
    }
    const result = Array.isArray(resultSet) ? (resultSet[0] as { result?: unknown } | undefined)?.result : undefined;
    if (!isPolicyResult(result)) throw new PolicyError('PF_POLICY_UNDEFINED_RESULT', 'The policy returned no decision for the request.');
    return result;
  }
}

function isPolicyResult(value: unknown): value is PolicyResult {
  if (!value || typeof value !== 'object') return false;
  const r = value as Partial<PolicyResult>;
  return ['ALLOW', 'ALLOW_REDACTED', 'DENY', 'REVIEW'].includes(r.decision as string)
    && typeof r.fields === 'object' && Array.isArray(r.rules) && Array.isArray(r.released) && Array.isArray(r.withheld);
}
