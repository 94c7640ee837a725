#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { reportCommand, reportHelp, ruleCatalogFromBundleFiles } from '@firewall/oversight';
import { readBundleArchive } from '@firewall/policy';
import { isFirewallError, loadCatalog } from '@firewall/core';
import { formatLine, loadScenarios, runScenario, summaryLine } from './conformance.js';
import { describeEnv, isEmbedded, loadConfig } from './config.js';
import { readFileSync } from 'node:fs';
import { decryptPayload, jweFrom } from '@firewall/releaser';
import { devEncryptionKey, mintDevToken } from './dev-keys.js';
import { credentialCommand } from './credential-command.js';
import { loadPolicy } from './policy-source.js';
import { start } from './start.js';
import { verifyCommand } from './verify.js';
import { replayCommand } from './replay.js';
import { witnessCommand } from './witness.js';

const help: Record<string, string> = {
  main: `Usage: firewall <command> [options]

Commands:
  start                       run the firewall (embedded mode unless KAFKA_BROKERS is set)
  token --agency CODE         print a development token for a registered agency (embedded mode only)
  credential --issuer CODE --type TYPE --agency CODE [--subject ID]...   print a development legal-process credential (embedded mode only)
  conformance <folder> [--json]   decide every scenario file and compare with its expectation
  verify <ledger folder | evidence file> [--jwks file] [--checkpoint file]   verify the audit ledger offline
  witness <witness folder> --jwks file   check the heads a witness holds; print the newest (for verify --checkpoint)
  replay --candidate <bundle> [--from D] [--to D] [folder…]   show which decisions a candidate bundle would change
  decrypt [file] [--key jwk.json]   open released records (a gateway answer, a Release or a bare JWE; stdin by default)
  report --period YYYY-MM [--format json|csv|html]   the month's transparency report (no personal data)

Run "firewall <command> --help" for details. Settings (environment):
${describeEnv()}`,
  start: `Usage: firewall start

Runs gateway, decider, ledger and review desk in this process. Without KAFKA_BROKERS: the embedded mode
(in-process bus, ledger files in $FIREWALL_DATA_DIR/ledger, review cases in $FIREWALL_DATA_DIR/reviews,
development keys, agency registry and legal issuers generated on first run). With KAFKA_BROKERS, a gateway needs
FIREWALL_REPLAY_DATABASE_URL (the spent-token table all gateways share), and FIREWALL_ISSUER_REGISTRY for any
credential to be accepted. GET /metrics answers an OPERATOR token; FIREWALL_METRICS_PORT adds an internal
listener for Prometheus. GET /healthz answers once requests are accepted; GET /review is the
reviewers' page. Stop with Ctrl-C (graceful).`,
  token: `Usage: firewall token --agency CODE [--role ROLE]

Prints a single-use development token (15 minutes) for a registered agency on stdout, and nothing else.
Refused outside the embedded mode: real agencies sign their own tokens with their registered keys.
A --role counts only when the agency registry grants it to the agency (else the firewall answers 403
PF_AUTH_ROLE_NOT_GRANTED). The embedded registry grants:
  --agency CITY_ATTORNEY_DATA_PRACTICES --role CITY_ATTORNEY   review page, desk and audit API
  --agency CITY_IT --role CITY_IT                              dry runs (POST /v1/decisions:evaluate)
  --agency CITY_IT --role OPERATOR                             exact metrics (GET /metrics)
Legal facts (a warrant, a resident's consent) are never part of a token: see "firewall credential --help".`,
  conformance: `Usage: firewall conformance <folder|file>... [--json]

Runs each scenario through the same path as the services (schema and catalog check, then the signed policy
bundle). Prints one line per scenario and "N passed, N failed"; exits 0 only when none failed. --json prints
one JSON object per scenario on stdout (the summary line then goes to stderr).
It starts after verification: a scenario's requester block and legal facts stand for what authentication and a
legal-process credential established. Over HTTP they come only from a token and a credential, never the body.`,
  verify: `Usage: firewall verify <ledger folder | evidence file> [--jwks file] [--checkpoint file] [--trust-embedded-keys]

Verifies signatures, the hash chain, checkpoints and proofs with no service running. Pass the JWKS the city
published with --jwks: a folder's own jwks.json could have been replaced along with the entries. An evidence
file without --jwks fails (untrusted keys) unless --trust-embedded-keys says to accept the keys inside it.
--checkpoint: signed tree heads kept outside the ledger (a witness's heads.ndjson, or one head saved from
GET /v1/audit/checkpoint): a ledger shorter than a head, or with another root at its size, fails; an evidence
file's tree head must be one of them. Exits 0 and prints the count verified, or exits 1 naming the first bad
position and what is wrong.`,
  witness: `Usage: firewall witness <witness folder> --jwks file

Checks the signed tree heads a folder witness holds (FIREWALL_WITNESS_DIR, heads.ndjson): each is signed by a key
of the published JWKS and proven (RFC 9162 consistency proof) to extend the one before. Prints the newest head as
JSON on stdout (save it and pass it to "firewall verify <ledger> --checkpoint <file>"; the witness's heads.ndjson
itself is accepted too) and a summary on stderr. Exits 1 naming the first head that does not check.`,
  report: reportHelp,
  decrypt: `Usage: firewall decrypt [file] [--key private-jwk.json]

Released records travel as a JWE encrypted to the requesting agency's registered key. Reads the gateway's JSON
answer (records.jwe), a Release message (payload) or a bare compact JWE from the file or stdin, and prints the
records as JSON. Without --key it uses the embedded mode's development agency key
($FIREWALL_DATA_DIR/keys/dev-agency.enc.jwk.json); an agency passes its own private JWK with --key.`,
  replay: `Usage: firewall replay --candidate <bundle.tar.gz> [--from DATE] [--to DATE] [--json] [folder|file]...

Re-decides the recorded requests ($FIREWALL_DATA_DIR/requests/, filtered on receivedAt by --from/--to: inclusive,
YYYY-MM-DD as a UTC day or an RFC 3339 time) and every scenario in the given folders, once under the policy the
firewall serves and once under the candidate bundle. Prints the counts by old → new decision, each case whose
decision, released fields or cited rules would change, and "N requests replayed, M would change". Releases
nothing. The candidate is verified against FIREWALL_BUNDLE_PUBLIC_KEY when that is set; in the embedded mode
without it, an unsigned candidate is accepted and reported as not signature-checked. Exits 0 whether or not
anything would change; --json prints the whole result as one JSON object.`,
};

async function main(argv: string[], env: Record<string, string | undefined>): Promise<number> {
  const [command, ...rest] = argv;
  // It parses its own options (the shared parser would refuse them).
  if (command === 'credential') return credentialCommand(rest, env, (line) => console.log(line), (line) => console.error(line));
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' }, agency: { type: 'string' }, role: { type: 'string' }, jwks: { type: 'string' }, checkpoint: { type: 'string' }, 'trust-embedded-keys': { type: 'boolean' }, candidate: { type: 'string' }, key: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, period: { type: 'string' }, format: { type: 'string' } },
  });
  if (!command || command === 'help' || command === '--help' || command === '-h') return print(help.main!, 0);
  if (!help[command]) return print(`Unknown command "${command}".\n\n${help.main}`, 2, true);
  if (values.help) return print(help[command]!, 0);
  const config = loadConfig(env);
  switch (command) {
    case 'start': {
      let fatal: unknown;
      let wake: () => void = () => undefined;
      const stopRequested = new Promise<void>((resolve) => {
        wake = resolve;
        for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
      });
      // A ledger writer that lost its right to append (fenced by a newer one) must stop, never carry on.
      const { stop } = await start(config, (line) => console.log(line), (err) => {
        fatal = err;
        wake();
      });
      await stopRequested;
      console.log(fatal ? 'Stopping: the ledger writer was fenced or failed; a standby takes over.' : 'Stopping: finishing in-flight requests and closing the ledger…');
      await stop();
      return fatal ? 1 : 0;
    }
    case 'token': {
      if (!isEmbedded(config)) return print('firewall token only works in the embedded mode (KAFKA_BROKERS is set): agencies sign their own tokens.', 2, true);
      if (!values.agency) return print(help.token!, 2, true);
      console.log(await mintDevToken(config.FIREWALL_DATA_DIR, values.agency, values.role ? { role: values.role } : {}));
      return 0;
    }
    case 'conformance': {
      if (positionals.length === 0) return print(help.conformance!, 2, true);
      const { evaluator } = await loadPolicy(config);
      const catalog = loadCatalog();
      const outcomes = loadScenarios(positionals).map(({ scenario }) => runScenario(scenario, evaluator, catalog));
      for (const o of outcomes) console.log(values.json ? JSON.stringify({ id: o.id, pass: o.pass, decision: o.decision, released: o.released, withheld: o.withheld, rules: o.rules, reasons: o.reasons, problems: o.problems }) : formatLine(o));
      (values.json ? console.error : console.log)(summaryLine(outcomes));
      return outcomes.every((o) => o.pass) ? 0 : 1;
    }
    case 'verify':
      if (positionals.length !== 1) return print(help.verify!, 2, true);
      return verifyCommand(positionals[0]!, { jwks: values.jwks, checkpoint: values.checkpoint, trustEmbeddedKeys: values['trust-embedded-keys'] }, (line) => console.log(line));
    case 'witness':
      if (positionals.length !== 1 || !values.jwks) return print(help.witness!, 2, true);
      return witnessCommand(positionals[0]!, values.jwks, (line) => console.log(line), (line) => console.error(line));
    case 'report': {
      if (!values.period) return print(help.report!, 2, true);
      const { evaluator, bundlePath } = await loadPolicy(config);
      process.stdout.write(await reportCommand({
        ledgerDir: join(resolve(config.FIREWALL_DATA_DIR), 'ledger'), period: values.period, format: values.format ?? 'json',
        policyData: evaluator.bundle.data, ruleCatalog: ruleCatalogFromBundleFiles(readBundleArchive(bundlePath)),
      }));
      return 0;
    }
    case 'decrypt': {
      const text = readFileSync(positionals[0] ?? 0, 'utf8');
      const key = values.key ? JSON.parse(readFileSync(values.key, 'utf8')) : devEncryptionKey(config.FIREWALL_DATA_DIR);
      let records: unknown;
      try {
        records = await decryptPayload(jweFrom(text), key);
      } catch (err) {
        return print(`Cannot open the records: ${err instanceof Error && 'code' in err && String(err.code).startsWith('PF_') ? err.message : 'not encrypted to this key, or damaged.'}`, 1, true);
      }
      console.log(JSON.stringify(records, null, 2));
      return 0;
    }
    case 'replay':
      if (!values.candidate) return print(help.replay!, 2, true);
      return replayCommand(config, { candidate: values.candidate, from: values.from, to: values.to, folders: positionals, json: values.json }, (line) => console.log(line));
    default:
      return print(help.main!, 2, true);
  }
}

function print(text: string, code: number, toStderr = false): number {
  (toStderr ? console.error : console.log)(text);
  return code;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A clear, coded message a city employee can act on; no stack unless asked for.
    if (isFirewallError(err)) console.error(`error ${err.code}: ${err.message}`);
    else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    if (process.env.FIREWALL_DEBUG) console.error(err);
    process.exit(1);
  },
);
