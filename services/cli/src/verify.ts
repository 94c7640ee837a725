import { isLedgerError, verifyPath } from '@firewall/ledger';

/**
 * `firewall verify`: offline verification of a ledger folder or an evidence file. Exit 0 only when everything
 * verifies; otherwise 1, naming the first bad position and what is wrong there.
 */
export async function verifyCommand(path: string, jwksFile: string | undefined, out: (line: string) => void): Promise<number> {
  try {
    const result = await verifyPath(path, jwksFile ? { jwks: jwksFile } : {});
    if (result.ok) {
      out(`verified ${result.entries} entries and ${result.checkpoints} checkpoints: signatures, hash chain, checkpoints and proofs are intact${result.tornTailIgnored ? ' (an unfinished last line was ignored)' : ''}`);
      if (!jwksFile) out('note: checked against the keys in the folder itself; pass --jwks with the published keys to rule out replaced keys');
      return 0;
    }
    out(`FAILED at position ${result.position}: ${result.problem.replace('_', ' ')} — ${result.detail}${result.checkpoint !== undefined ? ` (checkpoint line ${result.checkpoint})` : ''}`);
    return 1;
  } catch (err) {
    if (isLedgerError(err)) {
      out(`FAILED: ${err.code} ${err.message}${err.details.length ? ` (${err.details.join(', ')})` : ''}`);
      return 1;
    }
    throw err;
  }
}
