import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { isFirewallError, parseRecordRequest, type Decision, type FieldCatalog } from '@firewall/core';
import { decide, type PolicyEvaluator } from '@firewall/policy';

/** One scenario of the conformance format (shared/conformance/README.md). */
export interface Scenario {
  readonly id: string;
  readonly title?: string;
  readonly request: Record<string, unknown>;
  readonly expect: { decision?: string; released?: string[]; withheld?: string[]; rules?: string[] };
}

export interface ScenarioOutcome {
  readonly id: string;
  readonly pass: boolean;
  readonly decision: string | null;
  readonly released: string[];
  readonly withheld: string[];
  readonly rules: string[];
  readonly reasons: string[];
  readonly problems: string[];
}

export function loadScenarios(folders: readonly string[]): { file: string; scenario: Scenario }[] {
  return folders.flatMap((folder) => {
    const files = statSync(folder).isDirectory()
      ? readdirSync(folder).filter((f) => f.endsWith('.json')).sort().map((f) => join(folder, f))
      : [folder];
    return files.map((file) => ({ file, scenario: JSON.parse(readFileSync(file, 'utf8')) as Scenario }));
  });
}

/**
 * Runs a scenario through the same path the services use after authentication: the schema and catalog check,
 * then decide() on the signature-checked bundle. The `requester` block stands for an identity already verified.
 */
export function runScenario(scenario: Scenario, evaluator: PolicyEvaluator, catalog: FieldCatalog): ScenarioOutcome {
  const id = scenario.id ?? 'unnamed';
  let decision: Decision;
  try {
    const request = parseRecordRequest({ ...scenario.request, receivedAt: scenario.request.receivedAt ?? new Date().toISOString(), requestId: `conformance-${id}` }, catalog);
    decision = decide(evaluator, request);
  } catch (err) {
    const code = isFirewallError(err) ? err.code : 'PF_INTERNAL';
    return { id, pass: false, decision: null, released: [], withheld: [], rules: [], reasons: [code], problems: [`rejected before the policy: ${code}${err instanceof Error ? ` (${err.message})` : ''}`] };
  }
  const cited = decision.rules.map((r) => r.id);
  return {
    id,
    decision: decision.decision,
    released: decision.released,
    withheld: decision.withheld,
    rules: cited,
    reasons: decision.reasons.map((r) => `${r.rule}: ${r.text}`),
    ...judge(scenario.expect, decision, cited),
  };
}

function judge(expect: Scenario['expect'], decision: Decision, cited: string[]): { pass: boolean; problems: string[] } {
  const problems: string[] = [];
  if (expect.decision && expect.decision !== decision.decision) problems.push(`decision ${decision.decision}, expected ${expect.decision}`);
  const notWithheld = (expect.withheld ?? []).filter((f) => !decision.withheld.includes(f));
  if (notWithheld.length) problems.push(`released but should be withheld: ${notWithheld.join(', ')}`);
  const notReleased = (expect.released ?? []).filter((f) => !decision.released.includes(f));
  if (notReleased.length) problems.push(`withheld but should be released: ${notReleased.join(', ')}`);
  const missing = (expect.rules ?? []).filter((r) => !cited.includes(r));
  if (missing.length) problems.push(`rules not cited: ${missing.join(', ')} (cited ${cited.join(', ')})`);
  if (decision.decision !== 'ALLOW' && !decision.rules.some((r) => r.sources.length > 0)) problems.push('a non-ALLOW decision must cite a rule with its legal source');
  return { pass: problems.length === 0, problems };
}

export function formatLine(outcome: ScenarioOutcome): string {
  return outcome.pass ? `${outcome.id} PASS ${outcome.decision}` : `${outcome.id} FAIL ${outcome.problems.join('; ')}`;
}

export function summaryLine(outcomes: readonly ScenarioOutcome[]): string {
  const passed = outcomes.filter((o) => o.pass).length;
  return `${passed} passed, ${outcomes.length - passed} failed`;
}

export const scenarioName = (file: string) => basename(file, '.json');
