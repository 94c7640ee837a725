import { readFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import { ConfigError } from '@firewall/core';

/** Registered agencies and the public keys their tokens are signed with (city IT maintains this file). */
export interface AgencyRegistry {
  readonly agencies: Readonly<Record<string, { readonly jwks: JSONWebKeySet; readonly note?: string }>>;
}

export function loadAgencyRegistry(path: string): AgencyRegistry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new ConfigError('PF_CONFIG_INVALID', `The agency registry ${path} is missing or not JSON.`, { cause });
  }
  const agencies = (parsed as Partial<AgencyRegistry>)?.agencies;
  if (!agencies || typeof agencies !== 'object') throw new ConfigError('PF_CONFIG_INVALID', `The agency registry ${path} has no "agencies" object.`);
  for (const [code, entry] of Object.entries(agencies)) {
    if (!Array.isArray(entry?.jwks?.keys) || entry.jwks.keys.length === 0) {
      throw new ConfigError('PF_CONFIG_INVALID', `Agency ${code} in ${path} has no public keys.`);
    }
    if (entry.jwks.keys.some((k) => 'd' in k)) throw new ConfigError('PF_CONFIG_INVALID', `Agency ${code} in ${path} lists a PRIVATE key: remove it.`);
  }
  return parsed as AgencyRegistry;
}
