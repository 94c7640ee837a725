import { PolicyError, auditedAgency, isFirewallError, messageTypes, toPolicyInput, type Decision, type FieldOutcome, type RecordRequest, type RuleCitation } from '@firewall/core';
import type { PolicyEvaluator, PolicyResult } from './evaluator.js';

export interface DecideOptions {
  readonly now?: () => Date;
}

/**
 * Decides one request. Never throws and never fails open: an evaluation error, an undefined result or a result
 * that breaks the contract becomes a DENY that releases nothing, names the failure code and cites R26.
 */
export function decide(evaluator: PolicyEvaluator, request: RecordRequest, options: DecideOptions = {}): Decision {
  const base = {
    requestId: request.requestId,
    decidedAt: (options.now?.() ?? new Date()).toISOString(),
    policy: { revision: evaluator.bundle.revision, digest: evaluator.bundle.digest },
    context: contextOf(request, request.dryRun ?? false),
  };
  try {
    const result = evaluator.evaluate(toPolicyInput(request));
    const decision: Decision = { ...base, ...fromResult(result, request.fields), failure: null };
    // The Decision schema is the contract with every consumer: a result it cannot carry is no decision at all.
    if (!messageTypes.decision.isValid(decision)) throw new PolicyError('PF_POLICY_UNDEFINED_RESULT', 'The policy result does not fit the Decision schema.');
    return decision;
  } catch (err) {
    const failure = isFirewallError(err) ? err.code : 'PF_POLICY_EVALUATION_FAILED';
    return { ...base, ...failClosed(evaluator, request.fields), failure };
  }
}

/** Maps the policy's output onto the Decision message, re-checking the invariants the TS side relies on. */
function fromResult(result: PolicyResult, requested: readonly string[]): Omit<Decision, 'requestId' | 'decidedAt' | 'policy' | 'context' | 'failure'> {
  const holds = result.decision === 'DENY' || result.decision === 'REVIEW';
  const fields: FieldOutcome[] = requested.map((name) => {
    const outcome = result.fields[name];
    // A requested field the policy did not rule on is withheld: silence is never a release.
    if (!outcome || holds) return { name, outcome: 'withhold', rules: outcome?.rules ?? result.decisive, transform: null };
    return { name, outcome: outcome.outcome, rules: outcome.rules, transform: outcome.outcome === 'transform' ? (outcome.transform ?? null) : null };
  });
  const released = fields.filter((f) => f.outcome === 'release').map((f) => f.name).sort();
  const withheld = fields.filter((f) => f.outcome !== 'release').map((f) => f.name).sort();
  const consistent = holds
    ? released.length === 0
    : released.length > 0 && (result.decision === 'ALLOW') === (withheld.length === 0);
  if (!consistent) throw new PolicyError('PF_POLICY_UNDEFINED_RESULT', 'The policy result breaks the decision contract.');
  return {
    decision: result.decision,
    fields,
    released,
    withheld,
    rules: result.rules,
    decisive: result.decisive ?? [],
    reasons: result.reasons ?? [],
    alerts: (result.alerts ?? []).map((a) => ({ code: a.code, rule: a.rule, fields: a.fields ?? [] })),
    councilReport: result.councilReport ?? false,
    openQuestions: result.openQuestions ?? [],
  };
}

function failClosed(evaluator: PolicyEvaluator, requested: readonly string[]): Omit<Decision, 'requestId' | 'decidedAt' | 'policy' | 'context' | 'failure'> {
  const r26 = citation(evaluator, 'R26');
  return {
    decision: 'DENY',
    fields: requested.map((name) => ({ name, outcome: 'withhold', rules: [r26.id], transform: null })),
    released: [],
    withheld: [...requested].sort(),
    rules: [r26],
    decisive: [r26.id],
    reasons: [{ rule: r26.id, text: 'The policy could not decide this request, so nothing is released (fail closed).' }],
    alerts: [],
    councilReport: false,
    openQuestions: [],
  };
}

/** A rule's citation from the bundle's own rule data, so even a fail-closed DENY names its legal source. */
function citation(evaluator: PolicyEvaluator, id: string): RuleCitation {
  const rules = (evaluator.bundle.data as { rules?: Record<string, { title?: string; sources?: string[] }> }).rules;
  const found = rules?.[id];
  return { id, title: found?.title ?? 'Default deny', sources: found?.sources ?? ['Separation ordinance (Minneapolis Code Title 2, ch. 19)'] };
}

function contextOf(request: RecordRequest, dryRun: boolean): Decision['context'] {
  return {
    agency: auditedAgency(request),
    purpose: request.purpose.code,
    basisType: request.legalBasis?.type ?? 'NONE',
    channel: request.channel ?? 'RECORD_REQUEST',
    system: request.system,
    selection: request.subjects?.selection ?? 'NAMED',
    count: request.subjects?.count ?? 1,
    dryRun,
  };
}
