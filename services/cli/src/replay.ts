import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  ConfigError, ValidationError, isFirewallError, isValidTime, loadCatalog, messageTypes, parseRecordRequest,
  type Decision, type FieldCatalog, type RecordRequest,
} from '@firewall/core';
import { PolicyEvaluator, decide, loadBundlePublicKey, loadSignedBundle, readBundleArchive, unpackBundle } from '@firewall/policy';
import { isEmbedded, type FirewallConfig } from './config.js';
import { loadScenarios } from './conformance.js';
import { loadPolicy } from './policy-source.js';

/*
 * The request archive: `$FIREWALL_DATA_DIR/requests/YYYY-MM-DD.ndjson` (the UTC day of `receivedAt`), one
 * RecordRequest per line, kept so a policy change can be replayed against real traffic before it ships (the
 * ledger keeps only a summary and a digest of each request, not enough to decide it again).
 *
 * What it holds: request metadata only — requester agency and role, purpose code, legal basis (type, court,
 * flags, expiry, counts, listed field names), system, field names, subject count and selection, attestations,
 * receivedAt and the request id. A RecordRequest carries no record values and no subject identifiers; the one
 * free-text part a requester writes, `purpose.text`, and the subject identifiers are dropped before writing (the policy reads neither).
 * It is still a list of who asked the city for what, and when: its location is the operator's to protect
 * (files are created 0600 in a 0700 folder; back it up, restrict it and expire old days like the ledger).
 * It is not the audit record: lines are appended without fsync, and a torn last line is reported and skipped.
 */
export const requestArchiveDir = (dataDir: string) => join(dataDir, 'requests');

const dayFile = /^(\d{4}-\d{2}-\d{2})\.ndjson$/;

/** Appends one decided-upon request to the archive. Call it only with a request parseRecordRequest accepted. */
export async function appendRequestArchive(dataDir: string, request: RecordRequest): Promise<void> {
  const archived: RecordRequest = { ...request, purpose: { ...request.purpose, text: null }, subjectIds: null };
  if (!messageTypes.recordRequest.isValid(archived)) throw new ValidationError('PF_REQ_SCHEMA', 'Only a valid RecordRequest can be archived.');
  const received = Date.parse(request.receivedAt);
  if (!isValidTime(request.receivedAt, false) || Number.isNaN(received)) {
    throw new ValidationError('PF_REQ_BAD_DATE', 'receivedAt must be an RFC 3339 date-time.', { details: ['receivedAt'] });
  }
  const dir = requestArchiveDir(dataDir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // One write of one short line with O_APPEND: concurrent appends from this process do not interleave.
  await appendFile(join(dir, `${new Date(received).toISOString().slice(0, 10)}.ndjson`), `${JSON.stringify(archived)}\n`, { mode: 0o600 });
}

export interface TimeRange {
  /** Inclusive. A date (YYYY-MM-DD, from the start of that UTC day) or an RFC 3339 date-time. */
  readonly from?: string | undefined;
  /** Inclusive. A date (YYYY-MM-DD, through the end of that UTC day) or an RFC 3339 date-time. */
  readonly to?: string | undefined;
}

export interface ArchiveProblem {
  /** Path relative to the data dir, e.g. requests/2026-12-01.ndjson. */
  readonly file: string;
  readonly line: number;
  readonly reason: string;
}

export interface ArchiveRead {
  /** Ordered by receivedAt, then request id; one per request id (the first line kept). */
  readonly requests: RecordRequest[];
  /** Lines that are not a RecordRequest (a torn last line after a crash, an edited file). Never values, only where. */
  readonly problems: ArchiveProblem[];
  /** Lines repeating a request id already read (a bus redelivery archived twice). */
  readonly duplicates: number;
}

const DAY_MS = 86_400_000;

/** The [from, to] bounds in epoch ms, or a ConfigError naming the bad option. */
export function timeBounds(range: TimeRange): { from: number; to: number } {
  const bound = (value: string | undefined, name: 'from' | 'to', fallback: number): number => {
    if (value === undefined) return fallback;
    if (!isValidTime(value, true)) throw new ConfigError('PF_CONFIG_INVALID', `--${name} must be a date (YYYY-MM-DD) or an RFC 3339 date-time.`, { details: [name] });
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
      const start = Date.parse(`${value}T00:00:00Z`);
      return name === 'from' ? start : start + DAY_MS - 1;
    }
    return Date.parse(value);
  };
  const bounds = { from: bound(range.from, 'from', -Infinity), to: bound(range.to, 'to', Infinity) };
  if (bounds.from > bounds.to) throw new ConfigError('PF_CONFIG_INVALID', '--from is after --to: no request can be in that range.', { details: ['from', 'to'] });
  return bounds;
}

/** Reads the archived requests whose receivedAt lies in [from, to]; a missing archive is simply empty. */
export function readRequestArchive(dataDir: string, range: TimeRange = {}): ArchiveRead {
  const { from, to } = timeBounds(range);
  const dir = requestArchiveDir(dataDir);
  const requests: RecordRequest[] = [];
  const problems: ArchiveProblem[] = [];
  let duplicates = 0;
  if (!existsSync(dir)) return { requests, problems, duplicates };
  const fromDay = Number.isFinite(from) ? new Date(from).toISOString().slice(0, 10) : '';
  const toDay = Number.isFinite(to) ? new Date(to).toISOString().slice(0, 10) : '9999-12-31';
  const seen = new Set<string>();
  const files = readdirSync(dir).map((name) => dayFile.exec(name)?.[1]).filter((day): day is string => !!day && day >= fromDay && day <= toDay).sort();
  for (const day of files) {
    const file = `requests/${day}.ndjson`;
    const lines = readFileSync(join(dir, `${day}.ndjson`), 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (text.trim() === '') return;
      const problem = (reason: string) => void problems.push({ file, line: index + 1, reason });
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return problem(index === lines.length - 1 ? 'not JSON (an unfinished last line?)' : 'not JSON');
      }
      if (!messageTypes.recordRequest.isValid(value)) return problem('not a RecordRequest');
      const request = value as RecordRequest;
      const received = Date.parse(request.receivedAt);
      if (Number.isNaN(received)) return problem('receivedAt is not a time');
      if (received < from || received > to) return undefined;
      if (seen.has(request.requestId)) {
        duplicates += 1;
        return undefined;
      }
      seen.add(request.requestId);
      requests.push(request);
      return undefined;
    });
  }
  requests.sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || (a.requestId < b.requestId ? -1 : a.requestId > b.requestId ? 1 : 0));
  return { requests, problems, duplicates };
}

/** What one evaluator decided for one case, reduced to what a reviewer compares. */
export interface ReplayOutcome {
  readonly decision: string;
  readonly released: string[];
  readonly withheld: string[];
  /** Ids of every rule cited, sorted. */
  readonly rules: string[];
  /** Per requested field: `release`, `withhold` or `transform:<kind>`. */
  readonly fields: Record<string, string>;
  /** Set when the decision is a fail-closed DENY (the policy could not decide). */
  readonly failure: string | null;
}

export interface FieldChange {
  readonly field: string;
  readonly old: string;
  readonly new: string;
}

export interface ReplayCase {
  readonly id: string;
  readonly source: 'scenario' | 'recorded';
  /** For recorded requests: when the request arrived (the policy's clock, used again for both decisions). */
  readonly receivedAt?: string;
  readonly old: ReplayOutcome;
  readonly new: ReplayOutcome;
  readonly fieldChanges: FieldChange[];
}

export interface ReplayResult {
  readonly current: { revision: string; digest: string };
  readonly candidate: { revision: string; digest: string };
  /** Cases decided by both evaluators. */
  readonly total: number;
  /** `OLD→NEW` decision → number of cases, unchanged decisions included (the counts add up to total). */
  readonly byTransition: Record<string, number>;
  /** Cases whose decision, released set, withheld set, cited rules or a field's outcome differ. */
  readonly changed: ReplayCase[];
  /** Cases refused before the policy (schema or catalog check): the same under both bundles, so not replayed. */
  readonly rejected: { id: string; source: 'scenario' | 'recorded'; code: string }[];
  readonly archive: { problems: ArchiveProblem[]; duplicates: number };
}

export interface ReplayOptions {
  /** Where the request archive is ($FIREWALL_DATA_DIR); omit to replay only the folders. */
  readonly dataDir?: string | undefined;
  readonly current: PolicyEvaluator;
  readonly candidate: PolicyEvaluator;
  /** Scenario files or folders (the conformance format). */
  readonly folders?: readonly string[];
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly catalog?: FieldCatalog;
}

/**
 * Decides every case twice through decide(), the services' own path — under the current policy and under the
 * candidate — with the same request (same receivedAt), and reports what would change. Releases nothing.
 */
export function replay(options: ReplayOptions): ReplayResult {
  const catalog = options.catalog ?? loadCatalog();
  const now = new Date().toISOString();
  const inputs: { id: string; source: 'scenario' | 'recorded'; raw: Record<string, unknown> }[] = [];
  for (const { file, scenario } of loadScenarios(options.folders ?? [])) {
    const id = scenario.id ?? file;
    inputs.push({ id, source: 'scenario', raw: { ...scenario.request, receivedAt: scenario.request.receivedAt ?? now, requestId: `replay-${id}` } });
  }
  const archive = options.dataDir !== undefined ? readRequestArchive(options.dataDir, { from: options.from, to: options.to }) : { requests: [], problems: [], duplicates: 0 };
  for (const request of archive.requests) inputs.push({ id: request.requestId, source: 'recorded', raw: { ...request } });

  const byTransition: Record<string, number> = {};
  const changed: ReplayCase[] = [];
  const rejected: ReplayResult['rejected'] = [];
  let total = 0;
  for (const { id, source, raw } of inputs) {
    let request: RecordRequest;
    try {
      request = parseRecordRequest(raw, catalog);
    } catch (err) {
      rejected.push({ id, source, code: isFirewallError(err) ? err.code : 'PF_INTERNAL' });
      continue;
    }
    const old = outcomeOf(decide(options.current, request));
    const next = outcomeOf(decide(options.candidate, request));
    total += 1;
    const key = `${old.decision}→${next.decision}`;
    byTransition[key] = (byTransition[key] ?? 0) + 1;
    if (!sameOutcome(old, next)) {
      changed.push({ id, source, ...(source === 'recorded' ? { receivedAt: request.receivedAt } : {}), old, new: next, fieldChanges: fieldChanges(old, next) });
    }
  }
  const ref = (e: PolicyEvaluator) => ({ revision: e.bundle.revision, digest: e.bundle.digest });
  return { current: ref(options.current), candidate: ref(options.candidate), total, byTransition, changed, rejected, archive: { problems: archive.problems, duplicates: archive.duplicates } };
}

export function outcomeOf(decision: Decision): ReplayOutcome {
  return {
    decision: decision.decision,
    released: [...decision.released].sort(),
    withheld: [...decision.withheld].sort(),
    rules: [...new Set(decision.rules.map((r) => r.id))].sort(),
    fields: Object.fromEntries(decision.fields.map((f) => [f.name, f.outcome === 'transform' ? `transform:${f.transform ?? ''}` : f.outcome])),
    failure: decision.failure ?? null,
  };
}

const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

export function sameOutcome(a: ReplayOutcome, b: ReplayOutcome): boolean {
  return a.decision === b.decision && sameList(a.released, b.released) && sameList(a.withheld, b.withheld)
    && sameList(a.rules, b.rules) && a.failure === b.failure && fieldChanges(a, b).length === 0;
}

function fieldChanges(a: ReplayOutcome, b: ReplayOutcome): FieldChange[] {
  const names = [...new Set([...Object.keys(a.fields), ...Object.keys(b.fields)])].sort();
  return names.filter((n) => a.fields[n] !== b.fields[n]).map((field) => ({ field, old: a.fields[field] ?? '-', new: b.fields[field] ?? '-' }));
}

const plusMinus = (label: string, before: readonly string[], after: readonly string[]): string | undefined => {
  const added = after.filter((x) => !before.includes(x));
  const removed = before.filter((x) => !after.includes(x));
  if (!added.length && !removed.length) return undefined;
  return `${label} ${[...added.map((x) => `+${x}`), ...removed.map((x) => `−${x}`)].join(' ')}`;
};

/** One line per changed case: `S05: REVIEW → DENY; released +a −b; rules +R9 −R4`. */
export function formatCase(c: ReplayCase): string {
  const name = c.source === 'scenario' ? c.id : `request ${c.id} (${c.receivedAt})`;
  const parts = [
    `${c.old.decision} → ${c.new.decision}`,
    plusMinus('released', c.old.released, c.new.released),
    plusMinus('rules', c.old.rules, c.new.rules),
    // Changes the released set does not already show (a different transform, transform ↔ withhold).
    ...c.fieldChanges.filter((f) => f.old !== 'release' && f.new !== 'release').map((f) => `${f.field} ${f.old} → ${f.new}`),
    c.old.failure !== c.new.failure ? `failure ${c.old.failure ?? 'none'} → ${c.new.failure ?? 'none'}` : undefined,
  ];
  return `${name}: ${parts.filter((p) => p !== undefined).join('; ')}`;
}

export function formatReplay(result: ReplayResult): string[] {
  const ref = (p: { revision: string; digest: string }) => `revision ${p.revision || '(none)'}, digest ${p.digest.slice(0, 12)}`;
  const lines = [`current policy: ${ref(result.current)}`, `candidate:      ${ref(result.candidate)}`];
  if (result.current.digest === result.candidate.digest) lines.push('note: the candidate is the same policy as the current one');
  else if (result.current.revision === result.candidate.revision) lines.push('note: same revision, different content (policy.wasm or data.json changed without a new revision)');
  const transitions = Object.entries(result.byTransition).sort(([a, x], [b, y]) => {
    const moved = (k: string) => (k.split('→')[0] === k.split('→')[1] ? 1 : 0);
    return moved(a) - moved(b) || y - x || (a < b ? -1 : 1);
  });
  if (transitions.length) {
    lines.push('', 'decisions (current → candidate):');
    const labels = transitions.map(([k]) => k.replace('→', ' → '));
    const width = Math.max(...labels.map((l) => l.length));
    transitions.forEach(([, n], i) => lines.push(`  ${labels[i]!.padEnd(width)}  ${n}`));
  }
  if (result.changed.length) {
    lines.push('', 'would change:');
    for (const c of result.changed) lines.push(`  ${formatCase(c)}`);
  }
  if (result.rejected.length) {
    const codes = [...new Set(result.rejected.map((r) => r.code))].join(', ');
    lines.push('', `not replayed: ${result.rejected.length} rejected before the policy under both (${codes}): ${result.rejected.map((r) => r.id).join(', ')}`);
  }
  const { problems, duplicates } = result.archive;
  if (problems.length) lines.push(`request archive: ${problems.length} unreadable line(s) skipped: ${problems.slice(0, 10).map((p) => `${p.file}:${p.line} ${p.reason}`).join('; ')}${problems.length > 10 ? '; …' : ''}`);
  if (duplicates) lines.push(`request archive: ${duplicates} repeated request id(s) counted once`);
  lines.push('', `${result.total} requests replayed, ${result.changed.length} would change`);
  return lines;
}

/**
 * The candidate bundle. Verified against FIREWALL_BUNDLE_PUBLIC_KEY when that is set. In the embedded mode
 * without it, an unsigned (or dev-signed) candidate is unpacked without a check: replay only compares
 * decisions and releases nothing, and the note says so. Outside the embedded mode a key is required.
 */
export async function loadCandidate(config: FirewallConfig, path: string): Promise<{ evaluator: PolicyEvaluator; signatureChecked: boolean; note: string }> {
  if (config.FIREWALL_BUNDLE_PUBLIC_KEY) {
    const bundle = await loadSignedBundle(path, await loadBundlePublicKey(config.FIREWALL_BUNDLE_PUBLIC_KEY));
    return { evaluator: await PolicyEvaluator.load(bundle), signatureChecked: true, note: `candidate ${path}: signature verified with ${config.FIREWALL_BUNDLE_PUBLIC_KEY}` };
  }
  if (!isEmbedded(config)) throw new ConfigError('PF_CONFIG_INVALID', 'Set FIREWALL_BUNDLE_PUBLIC_KEY: outside the embedded mode a candidate bundle must be signed with the trusted key.');
  const evaluator = await PolicyEvaluator.load({ ...unpackBundle(readBundleArchive(path)), keyId: undefined });
  return { evaluator, signatureChecked: false, note: `candidate ${path}: candidate not signature-checked: replay only` };
}

export interface ReplayArgs {
  readonly candidate: string;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly folders: readonly string[];
  readonly json?: boolean | undefined;
}

/** `firewall replay`: exit 0 whether or not decisions would change (errors exit 1 from main). */
export async function replayCommand(config: FirewallConfig, args: ReplayArgs, out: (line: string) => void): Promise<number> {
  timeBounds(args); // refuse a bad --from/--to before loading anything
  const current = await loadPolicy(config);
  const candidate = await loadCandidate(config, args.candidate);
  const result = replay({ dataDir: config.FIREWALL_DATA_DIR, current: current.evaluator, candidate: candidate.evaluator, folders: args.folders, from: args.from, to: args.to });
  if (args.json) {
    out(JSON.stringify({ ...result, candidateSignatureChecked: candidate.signatureChecked }));
    return 0;
  }
  out(`current: ${current.note}`);
  out(candidate.note);
  if (!existsSync(requestArchiveDir(config.FIREWALL_DATA_DIR))) out(`no request archive at ${requestArchiveDir(config.FIREWALL_DATA_DIR)}: only the scenario folders are replayed`);
  for (const line of formatReplay(result)) out(line);
  return 0;
}
