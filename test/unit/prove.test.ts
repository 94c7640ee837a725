// The shipped bundle keeps every promise over the reduced space, decided through the signed-bundle path.
import { describe, expect, it } from 'vitest';
import { readBundleArchive, shippedBundlePath, unpackBundle } from '@firewall/policy';
import { signedCopy } from '../../scripts/prove/bundle.js';
import { prove } from '../../scripts/prove/index.js';
import { deriveVocabulary } from '../../scripts/prove/symmetry.js';

describe('npm run prove', () => {
  it('when the shipped bundle is proved over the reduced space, then no invariant is violated and every invariant was exercised', async () => {
    const source = await signedCopy();
    try {
      const result = await prove(source, { reduced: true, workers: 2 });
      expect(result.smallest).toEqual({});
      expect(result.totalViolations).toBe(0);
      for (const id of ['I0', 'I1', 'I2', 'I3', 'I4', 'I5', 'I6', 'I6a', 'I7', 'I8', 'S']) expect(result.checked[id], id).toBeGreaterThan(0);
      expect(result.releasesOnlyWithCredential).toBeGreaterThan(0);
    } finally {
      source.cleanup();
    }
  }, 300_000);

  it('when classes are derived, then codes the data treats alike share one and wasm-named codes stand alone', () => {
    const v = deriveVocabulary(unpackBundle(readBundleArchive(shippedBundlePath)));
    const classOf = (code: string) => v.agencies.find((c) => c.members.includes(code))?.members;
    expect(classOf('ICE_ERO')).toEqual(expect.arrayContaining(['CBP', 'DHS', 'ICE_287G_PARTNER']));
    expect(classOf('CITY_CLERK')).toEqual(['CITY_CLERK']); // issuing office of municipal_id
    expect(classOf('SCN_PARTNER_CITY')).toEqual(['SCN_PARTNER_CITY']); // named by an open question
    expect(classOf('UNKNOWN')).toEqual(['UNKNOWN']); // the policy's default agency literal
    expect(v.inertAttestations).toEqual(['IRB_APPROVAL']);
    expect(v.unreadFacts).toEqual(['criminalPredicate']);
  });
});
