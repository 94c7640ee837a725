import { describe, expect, it } from 'vitest';
import { fieldClass, loadCatalog } from '@firewall/core';
import { CLASS_A_MARKER, FICTIONAL_NOTE, fictionalRecords, fixtureIdField, fixtureSystems } from './fictional.js';

const catalog = loadCatalog();

describe('fictional fixture records', () => {
  it('are the same for the same seed and differ for another seed', () => {
    expect(fictionalRecords('summons', 7)).toEqual(fictionalRecords('summons', 7));
    expect(fictionalRecords('summons', 7)).not.toEqual(fictionalRecords('summons', 8));
  });

  it.each(fixtureSystems)('%s: every record is marked fictional, has a unique id and holds only catalog fields (or known strays)', (system) => {
    const records = fictionalRecords(system);
    expect(records.length).toBeGreaterThanOrEqual(50);
    const ids = records.map((r) => r[fixtureIdField[system]]);
    expect(new Set(ids).size).toBe(records.length);
    for (const r of records) {
      expect(r.source_note).toBe(FICTIONAL_NOTE);
      for (const key of Object.keys(r)) {
        if (key === 'source_note') continue;
        // Strays are class A in some catalog system: that is what the alert must catch.
        const known = fieldClass(catalog, system, key) !== undefined || Object.values(catalog.systems).some((s) => s.fields[key] === 'A');
        expect(known, `${system}.${key}`).toBe(true);
      }
    }
  });

  it('uses fiction-reserved phone numbers and invented e-mail domains', () => {
    const phones = fictionalRecords('municipal_id').map((r) => String(r.phone));
    expect(phones.every((p) => /^612-555-01\d\d$/.test(p))).toBe(true);
    expect(fictionalRecords('service_requests').every((r) => String(r.caller_email).endsWith('@example.invalid'))).toBe(true);
  });

  it('deliberately puts class A fields on some source records, each value marked', () => {
    const withClassA = (system: (typeof fixtureSystems)[number]) => fictionalRecords(system)
      .filter((r) => Object.entries(r).some(([k, v]) => String(v).startsWith(CLASS_A_MARKER) && Object.values(catalog.systems).some((s) => s.fields[k] === 'A')));
    expect(withClassA('summons').length).toBeGreaterThan(10);
    expect(withClassA('municipal_id').length).toBeGreaterThan(10);
    expect(withClassA('service_requests').length).toBeGreaterThan(0);
    expect(withClassA('summons').length).toBeLessThan(fictionalRecords('summons').length);
  });
});
