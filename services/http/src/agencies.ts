import type { JSONWebKeySet } from 'jose';
import { ConfigError } from '@firewall/core';
import { checkPublicKeys, readRegistryFile } from './jwks.js';

/**
 * Registered agencies (city IT maintains this file): the public keys each one's tokens are signed with, and the
 * roles it may hold. A token's `role` claim counts only when the registry grants that role to its agency.
 */
export interface AgencyRegistry {
  readonly agencies: Readonly<Record<string, RegisteredAgency>>;
}

export interface RegisteredAgency {
  readonly jwks: JSONWebKeySet;
  /** Roles this agency may hold (`CITY_IT`, `OPERATOR`, reviewer roles); none when absent. */
  readonly roles?: readonly string[];
  readonly note?: string;
}

/** The roles the firewall itself gives meaning to. */
export const firewallRoles = {
  /** Dry runs of the policy (POST /v1/decisions:evaluate). */
  cityIt: 'CITY_IT',
  /** Operators: exact, unsuppressed metrics (GET /metrics). */
  operator: 'OPERATOR',
} as const;

const ROLE = /^[A-Z][A-Z0-9_]{0,63}$/;

export function loadAgencyRegistry(path: string): AgencyRegistry {
  const parsed = readRegistryFile(path, 'agency registry', 'FIREWALL_AGENCY_REGISTRY');
  const agencies = (parsed as Partial<AgencyRegistry>)?.agencies;
  if (!agencies || typeof agencies !== 'object') throw new ConfigError('PF_CONFIG_INVALID', `The agency registry ${path} has no "agencies" object.`);
  for (const [code, entry] of Object.entries(agencies)) {
    // Signing keys verify the agency's tokens; an encryption key is what releases are encrypted to.
    checkPublicKeys(entry?.jwks, `Agency ${code} in ${path}`, { use: ['sig', 'enc'] });
    if (entry.roles !== undefined && !(Array.isArray(entry.roles) && entry.roles.every((r) => typeof r === 'string' && ROLE.test(r)))) {
      throw new ConfigError('PF_CONFIG_INVALID', `Agency ${code} in ${path}: "roles" must be a list of role codes (upper case, e.g. "CITY_IT").`);
    }
  }
  return parsed as AgencyRegistry;
}

/** Whether the registry grants `role` to `agency`. */
export function grantsRole(registry: AgencyRegistry, agency: string, role: string): boolean {
  return Object.hasOwn(registry.agencies, agency) && (registry.agencies[agency]!.roles ?? []).includes(role);
}
