import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createLogger } from '@firewall/core';
import { KeySet, consistencyProof, createMemorySigner, leafHash, merkleRoot, signCheckpoint } from '@firewall/ledger';
import { openFolderWitness, witnessCommand } from './witness.js';

describe('the folder witness as the firewall runs it, and firewall witness', () => {
  it('when a head that forks is offered, then it is refused, counted and logged; the command prints the newest good head', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pf-witness-cli-'));
    const signer = await createMemorySigner();
    const keys = await KeySet.from({ keys: [signer.publicJwk] });
    const registry = new Registry();
    const logged: string[] = [];
    const logger = createLogger({ service: 'test', level: 'debug', destination: { write: (line: string) => void logged.push(line) } });
    const wiring = await openFolderWitness(join(dir, 'witness'), () => Promise.resolve(keys), logger, registry);
    const leaves = Array.from({ length: 6 }, (_, i) => leafHash(String(i).padStart(64, 'a')));
    const hex = (bs: Uint8Array[]) => bs.map((b) => Buffer.from(b).toString('hex'));
    await wiring.witness.submit(await signCheckpoint(3, merkleRoot(leaves, 3), signer, new Date()), []);
    const forked = await signCheckpoint(6, Buffer.alloc(32, 9), signer, new Date());
    await expect(wiring.witness.submit(forked, hex(consistencyProof(leaves, 3, 6)))).rejects.toMatchObject({ code: 'PF_LEDGER_PROOF' });
    wiring.onWitness({ ok: false, size: 6, error: await wiring.witness.submit(forked, []).catch((e: unknown) => e) });
    await wiring.witness.submit(await signCheckpoint(6, merkleRoot(leaves, 6), signer, new Date()), hex(consistencyProof(leaves, 3, 6)));
    await wiring.close();
    const metrics = await registry.metrics();
    expect(metrics).toContain('firewall_witness_refused_total 2');
    expect(metrics).toContain('firewall_witness_heads_total{outcome="refused"} 1');
    expect(logged.filter((l) => l.includes('witness refused a signed tree head'))).toHaveLength(2);
    expect(logged.join('')).not.toContain(Buffer.from(leaves[0]!).toString('hex'));

    const jwks = join(dir, 'jwks.json');
    writeFileSync(jwks, JSON.stringify(keys.jwks));
    const out: string[] = [];
    const err: string[] = [];
    expect(await witnessCommand(join(dir, 'witness'), jwks, (l) => out.push(l), (l) => err.push(l))).toBe(0);
    expect(JSON.parse(out[0]!)).toMatchObject({ checkpoint: { size: 6 } });
    expect(err[0]).toContain('2 witnessed tree heads');
    const stranger = join(dir, 'other-jwks.json');
    writeFileSync(stranger, JSON.stringify({ keys: [(await createMemorySigner()).publicJwk] }));
    expect(await witnessCommand(join(dir, 'witness'), stranger, (l) => out.push(l), (l) => err.push(l))).toBe(1);
    expect(err.at(-1)).toMatch(/^FAILED at witnessed head 1: unknown_key/);
  });
});
