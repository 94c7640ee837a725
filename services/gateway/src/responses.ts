import type { Decision } from '@firewall/core';

/** HTTP status per decision: 200 released, 202 held for review, 403 denied. */
export function statusFor(decision: Decision['decision']): number {
  switch (decision) {
    case 'ALLOW':
    case 'ALLOW_REDACTED':
      return 200;
    case 'REVIEW':
      return 202;
    case 'DENY':
      return 403;
  }
}

/**
 * What the requester sees: the decision, the cited rules with their legal sources and plain reasons, and which
 * fields were released or withheld — never policy internals (alerts, open questions, digests).
 */
export function publicView(decision: Decision): Record<string, unknown> {
  const view: Record<string, unknown> = {
    requestId: decision.requestId,
    decision: decision.decision,
    decidedAt: decision.decidedAt,
    rules: decision.rules.map((r) => ({ id: r.id, title: r.title, sources: r.sources })),
    reasons: decision.reasons,
    policyRevision: decision.policy.revision,
  };
  if (decision.decision === 'REVIEW') view.ticket = { id: decision.requestId, status: 'HELD_FOR_REVIEW', note: 'Nothing is released until a city attorney reviewer decides.' };
  if (decision.decision === 'ALLOW' || decision.decision === 'ALLOW_REDACTED') {
    view.released = decision.released;
    view.withheld = decision.withheld;
    view.fields = decision.fields.map((f) => ({ name: f.name, outcome: f.outcome, rules: f.rules, ...(f.transform ? { transform: f.transform } : {}) }));
  }
  return view;
}
