import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { credentialTypes } from '@firewall/http';
import { isEmbedded, loadConfig } from './config.js';
import { devIssuerTypes, ensureDevIssuers, mintCredential } from './dev-credentials.js';

export const credentialHelp = `Usage: firewall credential --issuer CODE --type TYPE --agency CODE [--subject ID]... [--court TEXT]
         [--judge-signed] [--expires DATE] [--listed-fields a,b] [--criminal-predicate TEXT] [--ttl SECONDS]

Prints a development legal-process credential (a compact JWS) on stdout, and nothing else. A requester sends
it in the request body as "legalBasis": {"type": TYPE, "credential": "<jws>"}; the firewall believes only the
facts it carries. Refused outside the embedded mode: real credentials come from the court, the city attorney's
data-practices office or the municipal ID office, signed with the keys in FIREWALL_ISSUER_REGISTRY.

  --issuer CODE        the development issuer: ${Object.entries(devIssuerTypes).map(([code, types]) => `${code} (${types.join(', ')})`).join(';\n                       ')}
  --type TYPE          ${credentialTypes.join(', ')}
  --agency CODE        the requesting agency it is issued to (the one whose token sends the request)
  --subject ID         a subject identifier it covers, exactly as the request's subjectIds give it (repeat for
                       more; only SHA-256 digests go into the credential). Without any, it names nobody and
                       covers no record-level request about anyone.
  --court TEXT --judge-signed --expires YYYY-MM-DD|RFC 3339 --listed-fields a,b --criminal-predicate TEXT
                       the facts the policy reads (left out = not shown)
  --ttl SECONDS        how long the credential itself is valid (default 3600)`;

/** `firewall credential`: parses its own options (main.ts hands it the raw arguments). */
export async function credentialCommand(args: string[], env: Record<string, string | undefined>, out: (line: string) => void, err: (line: string) => void): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      help: { type: 'boolean', short: 'h' }, issuer: { type: 'string' }, type: { type: 'string' }, agency: { type: 'string' },
      subject: { type: 'string', multiple: true }, court: { type: 'string' }, 'judge-signed': { type: 'boolean' }, expires: { type: 'string' },
      'listed-fields': { type: 'string' }, 'criminal-predicate': { type: 'string' }, ttl: { type: 'string' },
    },
  });
  if (values.help) {
    out(credentialHelp);
    return 0;
  }
  const config = loadConfig(env);
  if (!isEmbedded(config)) {
    err('error PF_AUTH_NOT_EMBEDDED: firewall credential only works in the embedded mode (KAFKA_BROKERS is set): credentials come from the registered issuers.');
    return 2;
  }
  if (!values.issuer || !values.type || !values.agency) {
    err(credentialHelp);
    return 2;
  }
  if (config.FIREWALL_ISSUER_REGISTRY) err(`note: FIREWALL_ISSUER_REGISTRY is set; the firewall will not trust this development credential unless that registry lists the development issuer key.`);
  const dataDir = resolve(config.FIREWALL_DATA_DIR);
  await ensureDevIssuers(dataDir);
  out(await mintCredential(dataDir, {
    issuer: values.issuer,
    type: values.type,
    agency: values.agency,
    subjects: values.subject ?? [],
    ...(values.court !== undefined ? { court: values.court } : {}),
    ...(values['judge-signed'] ? { judgeSigned: true } : {}),
    ...(values.expires !== undefined ? { expires: values.expires } : {}),
    ...(values['listed-fields'] !== undefined ? { listedFields: values['listed-fields'].split(',').map((f) => f.trim()).filter(Boolean) } : {}),
    ...(values['criminal-predicate'] !== undefined ? { criminalPredicate: values['criminal-predicate'] } : {}),
    ...(values.ttl !== undefined ? { ttlSeconds: Number(values.ttl) } : {}),
  }));
  return 0;
}
