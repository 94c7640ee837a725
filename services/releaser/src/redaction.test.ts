import { describe, expect, it } from 'vitest';
import { loadCatalog } from '@firewall/core';
import { alertCodes, classAFieldsIn, generaliseLocation, planFromDecision, planFromResolution, redactRecord } from './redaction.js';
import { makeDecision, makeRequest, makeResolution } from './test-support.js';

const catalog = loadCatalog();

describe('generalise_location', () => {
  it.each([
    ['location_address', '1234 Lake St', '1200 block of Lake St'],
    ['location_address', '1234 Example St, Apt 5, Minneapolis MN 55401', '1200 block of Example St'],
    ['residential_address', '56 Sample Blvd Apt 3', '0 block of Sample Blvd'],
    ['residential_address', '4999B Fable Ln #2', '4900 block of Fable Ln'],
    ['offense_location', 'Lake St & 5th Ave', null],
    ['offense_location', 'the library', null],
    ['location_address', '', null],
    ['location_address', 42, null],
    ['latitude', 44.978123, 44.98],
    ['longitude', -93.265432, -93.27],
    ['latitude', '44.9712', 44.97],
    ['latitude', 'north', null],
    ['longitude', null, null],
  ])('%s %j → %j', (field, value, expected) => {
    expect(generaliseLocation(field, value)).toEqual(expected);
  });
});

describe('release plan and redaction', () => {
  const request = makeRequest({ system: 'service_requests', fields: ['service_type', 'location_address', 'latitude', 'caller_name'] });

  it('delivers released fields raw, transformed fields transformed, withheld fields absent, unrequested fields never', () => {
    const decision = makeDecision(request, { service_type: 'release', location_address: 'transform', latitude: 'transform' });
    const plan = planFromDecision(decision, request.fields, catalog, 'service_requests');
    expect(plan.withheld).toEqual(['caller_name']);
    const out = redactRecord({
      request_id: 'SR-1', service_type: 'POTHOLE', location_address: '1234 Lake St', latitude: 44.97123, caller_name: 'Avery Fictionsen', caller_phone: '612-555-0100',
    }, plan);
    expect(out).toEqual({ service_type: 'POTHOLE', location_address: '1200 block of Lake St', latitude: 44.97 });
  });

  it('gives a released field the source lacks as null, so every record has exactly the released fields', () => {
    const plan = planFromDecision(makeDecision(request, { service_type: 'release' }), request.fields, catalog, 'service_requests');
    expect(redactRecord({ caller_name: 'x' }, plan)).toEqual({ service_type: null });
  });

  it('never releases a field the request did not name, even if the decision lists it', () => {
    const decision = makeDecision({ ...request, fields: [...request.fields, 'caller_phone'] }, { caller_phone: 'release', service_type: 'release' });
    const plan = planFromDecision(decision, request.fields, catalog, 'service_requests');
    expect(plan.fields.map((f) => f.name)).toEqual(['service_type']);
  });

  it('withholds a field whose transform it does not know (fail closed)', () => {
    const decision = makeDecision(request, { location_address: 'transform' });
    decision.fields = decision.fields.map((f) => (f.name === 'location_address' ? { ...f, transform: 'blur_somehow' } : f));
    const plan = planFromDecision(decision, request.fields, catalog, 'service_requests');
    expect(plan.fields).toEqual([]);
    expect(plan.withheld).toContain('location_address');
  });

  it('withholds a class A field even when told to release it, and says so', () => {
    const summons = makeRequest({ fields: ['full_name', 'identification_method'] });
    const plan = planFromDecision(makeDecision(summons, { full_name: 'release', identification_method: 'release' }), summons.fields, catalog, 'summons');
    expect(plan.fields.map((f) => f.name)).toEqual(['full_name']);
    expect(plan.alerts).toEqual([alertCodes.classABlocked]);
  });

  it('releases an ALLOW resolution\'s fields that were requested, raw, and nothing for DENY', () => {
    const summons = makeRequest({ fields: ['full_name', 'offense', 'residential_address'] });
    const allow = planFromResolution(makeResolution(summons, 'ALLOW', ['offense', 'full_name', 'phone']), summons.fields, catalog, 'summons');
    expect(allow.fields).toEqual([{ name: 'full_name', action: 'release' }, { name: 'offense', action: 'release' }]);
    expect(allow.withheld).toEqual(['residential_address']);
    expect(planFromResolution(makeResolution(summons, 'DENY', ['offense']), summons.fields, catalog, 'summons').fields).toEqual([]);
  });

  it('names the class A fields a source record holds, in its own or any system\'s catalog, ignoring empty ones', () => {
    expect(classAFieldsIn({ full_name: 'x', identification_method: 'CONSULAR_ID', citizenship: '' }, catalog, 'summons')).toEqual(['identification_method']);
    expect(classAFieldsIn({ immigration_status: 'x', service_type: 'POTHOLE' }, catalog, 'service_requests')).toEqual(['immigration_status']);
    expect(classAFieldsIn({ identity_document_type: null }, catalog, 'municipal_id')).toEqual([]);
  });
});
