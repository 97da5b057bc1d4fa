// The NSCAServer module: an NSCA daemon (Server::NSCA) inside the agent. Each check it receives
// becomes a submission on its inbox channel (default `inbox`), where a script can filter,
// deduplicate or forward it (to NSCA, NATS, log...). Settings and defaults are NSClient++'s
// (`[/settings/NSCA/server]`).
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ServerNSCA, type NSCAResult } from '@poets/server-nsca';
import { ModuleError } from '../../errors.js';
import type { ModuleDefinition, ModuleInstance, Plugin } from '../../plugin.js';
import type { Submission } from '../../requests.js';
import { toStatus } from '../../status.js';
import { nscaSettingsPath, parseEncryption, parsePayloadLength, parseWhole, refuseUnknownKeys } from '../nsca-settings.js';

export interface NSCAServerSettings {
  port: number;
  /** '' listens on every IPv4 address (Server::NSCA's default); `::` on IPv6 and IPv4. */
  bindTo: string;
  encryption: number;
  password: string;
  payloadLength: 512 | 4096;
  performanceData: boolean;
  /** CIDR blocks (hosts are resolved at load); empty: everyone. */
  allowedHosts: string[];
  timeout: number;
  inbox: string;
}

type Key = [key: string, type: string, title: string, description: string, value: string];

const SERVER_KEYS: Key[] = [
  ['port', 'string', 'PORT NUMBER', 'Port to use for NSCA', '5667'],
  ['bind to', 'string', 'BIND TO ADDRESS', 'The address to listen on (empty: every IPv4 address; :: for IPv6 and IPv4)', ''],
  ['encryption', 'string', 'ENCRYPTION', 'none, xor, des, 3des, cast128, xtea, blowfish, twofish, rc2, aes128, aes192, aes, serpent, gost, or nsca\'s method numbers', 'aes'],
  ['password', 'string', 'PASSWORD', 'The password clients encrypt with (default: [/settings/default] password)', ''],
  ['payload length', 'int', 'PAYLOAD LENGTH', '512 or 4096: both packet sizes are read; 4096 refuses the 720-byte packets of 512', '512'],
  ['performance data', 'bool', 'PERFORMANCE DATA', 'Keep the performance data (false drops it)', 'true'],
  ['allowed hosts', 'string', 'ALLOWED HOSTS', 'Comma-separated addresses, CIDR blocks (IPv4 or IPv6) or host names (resolved at load) allowed to connect (default: [/settings/default] allowed hosts)', '127.0.0.1'],
  ['cache allowed hosts', 'bool', 'CACHE ALLOWED HOSTS', 'Host names are resolved once, at load', 'true'],
  ['timeout', 'int', 'TIMEOUT', 'Seconds a client has to complete each packet', '30'],
  ['inbox', 'string', 'INBOX', 'The channel received checks are submitted on', 'inbox'],
  ['use ssl', 'bool', 'ENABLE SSL ENCRYPTION', 'Not supported: nsca speaks no TLS', 'false'],
];

const TRUE = new Set(['1', 'true', 'yes', 'on', 'enabled']);
const FALSE = new Set(['0', 'false', 'no', 'off', 'disabled', '']);

function bool(where: string, key: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ModuleError(`${where} ${key} = ${raw}: not true or false`);
}

/** `allowed hosts`: each entry as a CIDR block; host names resolved (every address they have). */
export async function resolveAllowedHosts(where: string, raw: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of raw.split(/[\s,]+/).filter((e) => e !== '')) {
    const [address, bits, extra] = entry.split('/');
    if (extra !== undefined) throw new ModuleError(`${where} allowed hosts: ${entry} is not an address, a CIDR block or a host name`);
    const family = isIP(address!);
    if (family !== 0) {
      const max = family === 4 ? 32 : 128;
      const n = bits === undefined ? max : Number(bits);
      if (!Number.isInteger(n) || n < 0 || n > max) throw new ModuleError(`${where} allowed hosts: ${entry}: bad prefix length`);
      out.push(`${address}/${n}`);
      continue;
    }
    if (bits !== undefined || !/^[a-z0-9.-]+$/i.test(address!)) throw new ModuleError(`${where} allowed hosts: ${entry} is not an address, a CIDR block or a host name`);
    let found: { address: string; family: number }[];
    try {
      found = await lookup(address!, { all: true });
    } catch (error) {
      throw new ModuleError(`${where} allowed hosts: cannot resolve ${entry}: ${(error as Error).message}`);
    }
    for (const a of found) out.push(`${a.address}/${a.family === 4 ? 32 : 128}`);
  }
  return out;
}

/** Documents the keys and reads them; a bad value throws a ModuleError naming the key. */
export async function readNSCAServerSettings(plugin: Plugin): Promise<NSCAServerSettings> {
  const path = nscaSettingsPath(plugin, 'server');
  const s = plugin.settings;
  const store = plugin.agent.settings;
  s.register_path(path, 'NSCA SERVER SECTION', 'Section for NSCA (NSCAServer) (check_nsca) protocol options');
  for (const [key, type, title, description, value] of SERVER_KEYS) s.register_key(path, key, type, title, description, value);
  refuseUnknownKeys(plugin, path, new Set(SERVER_KEYS.map((k) => k[0])));
  // the section's value, else [/settings/default] (password, allowed hosts, timeout, bind to), else NSClient++'s default
  const get = (key: string): string => store.get(path, key) ?? store.get('/settings/default', key) ?? SERVER_KEYS.find((k) => k[0] === key)![4];
  const where = `[${path}]`;
  if (bool(where, 'use ssl', get('use ssl'))) throw new ModuleError(`${where} use ssl = ${get('use ssl')}: NSCA over TLS is not supported (nsca speaks none); use encryption`);
  const inbox = get('inbox').trim();
  if (inbox === '' || inbox.includes(',')) throw new ModuleError(`${where} inbox = ${get('inbox')}: one channel name is needed`);
  const bindTo = get('bind to').trim();
  if (bindTo !== '' && isIP(bindTo) === 0) throw new ModuleError(`${where} bind to = ${bindTo}: not an IP address`);
  return {
    port: parseWhole(where, 'port', get('port'), 5667, 0),
    bindTo,
    encryption: parseEncryption(where, get('encryption')),
    password: get('password'),
    payloadLength: parsePayloadLength(where, get('payload length')),
    performanceData: bool(where, 'performance data', get('performance data')),
    allowedHosts: await resolveAllowedHosts(where, get('allowed hosts')),
    timeout: parseWhole(where, 'timeout', get('timeout'), 30, 1),
    inbox,
  };
}

/** The submission a received check becomes: output split at the first `|` into message and perfdata, as NSClient++ does. */
export function submissionOf(check: NSCAResult, performanceData: boolean): Submission {
  const bar = check.plugin_output.indexOf('|');
  return {
    command: check.svc_description ?? '',
    result: toStatus(check.return_code),
    message: bar >= 0 ? check.plugin_output.slice(0, bar) : check.plugin_output,
    perf: bar >= 0 && performanceData ? check.plugin_output.slice(bar + 1) : '',
    source: check.host_name,
  };
}

/** One loaded NSCAServer: the listening Server::NSCA and what it counts. */
export class NSCAServer implements ModuleInstance {
  received = 0;
  /** Checks the inbox channel did not take (no subscriber, a subscriber refused or failed). */
  notTaken = 0;
  readonly server: ServerNSCA;

  constructor(
    readonly plugin: Plugin,
    readonly config: NSCAServerSettings,
  ) {
    const options: Parameters<typeof ServerNSCA.spawn>[0] = {
      password: config.password,
      encryption: config.encryption,
      port: config.port,
      time_out: config.timeout,
      access: config.allowedHosts,
      acceptLegacy: config.payloadLength === 512,
      logger: plugin.logger,
      kernel: plugin.kernel,
      onListenError: (operation, errno, message) => plugin.logger.log('error', `cannot listen on ${config.bindTo || '0.0.0.0'}:${config.port}: ${operation} error ${errno}: ${message}`),
    };
    if (config.bindTo !== '') options.address = config.bindTo;
    this.server = ServerNSCA.spawn(options);
    this.server.results$.subscribe((check) => this.deliver(check));
    const counters = plugin.agent.counters.nscaServer;
    this.server.activity$.subscribe((event) => {
      if (event.kind === 'accepted') counters.accepted.inc();
      else if (event.kind === 'refused') counters.refused.inc({ reason: event.reason });
      else {
        counters.bytesReceived.inc(event.bytesRead);
        counters.bytesSent.inc(event.bytesWritten);
      }
    });
  }

  /** One received check, submitted on the inbox channel; a channel that does not take it is counted and logged. */
  private deliver(check: NSCAResult): void {
    this.received++;
    void this.plugin.agent.submit(this.config.inbox, [submissionOf(check, this.config.performanceData)]).then((r) => {
      if (!r.success) {
        this.notTaken++;
        this.plugin.logger.log('warning', `check ${check.host_name}/${check.svc_description ?? '(host)'} from ${check.peeraddr} not taken by channel ${this.config.inbox}: ${r.message}`);
      }
    });
  }

  /** Where it listens (once listening). */
  address(): { address: string; port: number } | undefined {
    const name = this.server.getsockname();
    return name === undefined || name.port === undefined ? undefined : { address: name.address, port: name.port };
  }

  unload(): void {
    this.server.shutdown();
  }
}

/** The module: `[/modules] NSCAServer = enabled` (settings in `[/settings/NSCA/server]`). */
export const nscaServerModule: ModuleDefinition = {
  name: 'NSCAServer',
  description: 'Receives passive check results over NSCA (send_nsca, NSCAClient) and submits each on its inbox channel',
  async load(plugin) {
    const config = await readNSCAServerSettings(plugin);
    const server = new NSCAServer(plugin, config);
    plugin.registry.fetch_metrics(() => ({ [`${plugin.alias}.received`]: server.received, [`${plugin.alias}.not_taken`]: server.notTaken }));
    return server;
  },
};
