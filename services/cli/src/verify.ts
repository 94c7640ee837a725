import { isLedgerError, verifyPath } from '@firewall/ledger';

export interface VerifyCommandOptions {
  /** The JWKS the city published. */
  readonly jwks?: string;
  /** A file of signed tree heads kept outside the ledger (a witness's heads, or one saved head). */
  readonly checkpoint?: string;
  /** Accept an evidence file's own keys (it then proves only that the file agrees with itself). */
  readonly trustEmbeddedKeys?: boolean;
}

/**
 * `firewall verify`: offline verification of a ledger folder or an evidence file. Exit 0 only when everything
 * verifies; otherwise 1, naming the first bad position and what is wrong there.
 */
export async function verifyCommand(path: string, options: VerifyCommandOptions, out: (line: string) => void): Promise<number> {
  try {
    const result = await verifyPath(path, {
      ...(options.jwks ? { jwks: options.jwks } : {}),
      ...(options.checkpoint ? { checkpoint: options.checkpoint } : {}),
      ...(options.trustEmbeddedKeys ? { trustEmbeddedKeys: true } : {}),
    });
    if (result.ok) {
      const witnessed = result.witnessed === undefined ? '' : `, consistent with ${result.witnessed} witnessed tree head${result.witnessed === 1 ? '' : 's'}`;
      out(`verified ${result.entries} entries and ${result.checkpoints} checkpoints${witnessed}: signatures, hash chain, checkpoints and proofs are intact${result.tornTailIgnored ? ' (an unfinished last line was ignored)' : ''}`);
      if (result.embeddedKeysTrusted) out('WARNING: trusted the keys embedded in the evidence file (--trust-embedded-keys): this proves only that the file agrees with itself, not that the city signed it');
      else if (!options.jwks) out('note: checked against the keys in the folder itself; pass --jwks with the published keys to rule out replaced keys');
      if (!options.checkpoint) out('note: without --checkpoint (a tree head a witness holds), entries cut from the end cannot be detected');
      return 0;
    }
    out(`FAILED at position ${result.position}: ${result.problem.replaceAll('_', ' ')} — ${result.detail}${result.checkpoint !== undefined ? ` (checkpoint line ${result.checkpoint})` : ''}`);
    return 1;
  } catch (err) {
    if (isLedgerError(err)) {
      out(ledgerFailureLine(err));
      return 1;
    }
    throw err;
  }
}

/** The one line `verify` and `witness` print for a ledger error: its code, message and safe details. */
export function ledgerFailureLine(err: { code: string; message: string; details: readonly string[] }): string {
  return `FAILED: ${err.code} ${err.message}${err.details.length ? ` (${err.details.join(', ')})` : ''}`;
}
