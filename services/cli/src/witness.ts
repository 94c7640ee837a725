import type { Logger } from '@firewall/core';
import { FolderWitness, KeySet, checkWitnessFolder, isLedgerError, type Witness, type WitnessOutcome } from '@firewall/ledger';
import { Counter, type Registry } from 'prom-client';
import { ledgerFailureLine } from './verify.js';

export interface WitnessWiring {
  readonly witness: Witness;
  readonly onWitness: (outcome: WitnessOutcome) => void;
  close(): Promise<void>;
}

/**
 * The folder witness of FIREWALL_WITNESS_DIR, its log lines and its metrics. It trusts `keys` (the published ledger
 * JWKS when FIREWALL_LEDGER_JWKS is set, else the writer's own keys). Logs carry sizes and reasons, never entries.
 */
export async function openFolderWitness(dir: string, keys: () => Promise<KeySet>, logger: Logger, registry: Registry): Promise<WitnessWiring> {
  const log = logger.child({ component: 'witness' });
  const refused = new Counter({ name: 'firewall_witness_refused_total', help: 'Signed tree heads the witness refused: not signed by a trusted key, or not proven to extend the heads it holds (a truncated or forked ledger).', registers: [registry] });
  const sent = new Counter({ name: 'firewall_witness_heads_total', help: 'Signed tree heads sent to the witness, by outcome (recorded, already_held, refused, failed).', labelNames: ['outcome'] as const, registers: [registry] });
  const witness = await FolderWitness.open(dir, {
    keys,
    onRefused: (reason, head) => {
      refused.inc();
      log.error({ size: head.checkpoint.size, reason }, 'witness refused a signed tree head');
    },
  });
  return {
    witness,
    onWitness: (outcome) => {
      if (outcome.ok) {
        sent.inc({ outcome: outcome.result === 'recorded' ? 'recorded' : 'already_held' });
        log.debug({ size: outcome.size }, 'tree head witnessed');
        return;
      }
      const code = isLedgerError(outcome.error) ? outcome.error.code : undefined;
      sent.inc({ outcome: code === 'PF_LEDGER_PROOF' ? 'refused' : 'failed' });
      // A refusal is logged by the witness; anything else (a full disk, an unreachable mount) is logged here.
      if (code !== 'PF_LEDGER_PROOF') log.error({ size: outcome.size, err: outcome.error }, 'tree head not witnessed');
    },
    close: () => witness.close(),
  };
}

/**
 * `firewall witness <dir> --jwks <file>`: every head in the witness folder is signed by a published key and proven
 * to extend the one before. Prints the newest head on stdout (save it as the file for `verify --checkpoint`) and
 * the summary on `err`.
 */
export async function witnessCommand(dir: string, jwksFile: string, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  try {
    const result = await checkWitnessFolder(dir, await KeySet.fromFile(jwksFile));
    if (!result.ok) {
      err(`FAILED at witnessed head ${result.line}: ${result.detail}`);
      return 1;
    }
    if (result.latest === undefined) {
      err('the witness holds no tree head yet');
      return 1;
    }
    const { checkpoint, jws } = result.latest;
    err(`${result.heads} witnessed tree heads, each signed by a published key and proven to extend the one before; the newest covers ${checkpoint.size} entries (signed ${checkpoint.time})`);
    out(JSON.stringify({ checkpoint, jws }));
    return 0;
  } catch (e) {
    if (isLedgerError(e)) {
      err(ledgerFailureLine(e));
      return 1;
    }
    throw e;
  }
}
