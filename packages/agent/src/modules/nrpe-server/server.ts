// The NRPEServer module: listens for check_nrpe, reads one query packet per connection, runs
// it through the agent's queries (the path of Core.simple_query) and answers with the query's
// status, message and perfdata in the packet version the client spoke; then closes, as NRPE does.
// A refused connection or packet is logged with its reason and closed; others keep being served.
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { TLSSocket, createSecureContext, type SecureContext } from 'node:tls';
import type { AccessControl } from '@poets/server-tcp';
import { allowedHostsControl } from '../allowed-hosts.js';
import type { Logger } from '@poets/kernel';
import { ModuleError } from '../../errors.js';
import type { ServerCounters } from '../../agent-counters.js';
import type { ModuleDefinition, ModuleInstance, Plugin } from '../../plugin.js';
import { status } from '../../status.js';
import { defaultDhParams } from './dh.js';
import { QUERY_PACKET, encodeResponse, parsePacket, splitQuery, type PacketVersion } from './packet.js';
import { readNRPEServerSettings, type NRPEServerSettings } from './settings.js';

/** check_nrpe's hello: a query of only this (or nothing) asks whether the agent is there. */
export const NRPE_HELLO_COMMAND = '_NRPE_CHECK';
/** Anonymous DH suites check_nrpe 4 offers when it has no certificate; SECLEVEL 0 lets OpenSSL 3 use them. */
export const ANONYMOUS_DH_CIPHERS = 'ADH-AES256-GCM-SHA384:ADH-AES128-GCM-SHA256:ADH-AES256-SHA256:ADH-AES256-SHA:ADH-AES128-SHA:@SECLEVEL=0';

export interface NRPEServerStats {
  connections: number;
  answered: number;
  refused: number;
}

/** Why `args` may not run: arguments not allowed, or a nasty character; undefined when they may. */
export function argumentRefusal(args: readonly string[], settings: Pick<NRPEServerSettings, 'allowArguments' | 'allowNastyCharacters' | 'nastyCharacters'>): string | undefined {
  if (args.length === 0) return undefined;
  if (!settings.allowArguments) return 'Request contained arguments (not allowed: see allow arguments in [/settings/NRPE/server])';
  if (settings.allowNastyCharacters) return undefined;
  for (const arg of args) {
    for (const ch of arg) {
      if (settings.nastyCharacters.includes(ch) || ch === '\n' || ch === '\r') return `Request contained illegal characters (${JSON.stringify(ch)}; see allow nasty characters in [/settings/NRPE/server])`;
    }
  }
  return undefined;
}

/** The TLS context the settings ask for: a certificate when one is configured and there, else anonymous DH. */
export function tlsContext(settings: NRPEServerSettings, logger: Logger): { context: SecureContext; anonymous: boolean } {
  const ciphers = settings.allowedCiphers === '' ? undefined : settings.allowedCiphers;
  const dhparam = settings.dh !== '' && existsSync(settings.dh) ? readFileSync(settings.dh) : defaultDhParams();
  if (!settings.insecure && settings.certificate !== '' && existsSync(settings.certificate)) {
    const cert = readFileSync(settings.certificate);
    const key = settings.certificateKey !== '' ? readFileSync(settings.certificateKey) : cert;
    return { context: createSecureContext({ cert, key, ciphers, dhparam }), anonymous: false };
  }
  if (!settings.insecure) logger.log('info', `certificate ${settings.certificate || '(none)'} not found: TLS with anonymous DH (as check_nrpe 4 without a certificate), TLS 1.2 at most`);
  // Anonymous DH has no TLS 1.3 suite, so the protocol stops at 1.2; the configured list comes first, the ADH suites after it.
  const anonymous = ciphers === undefined ? ANONYMOUS_DH_CIPHERS : `${ciphers.replace(/:?@SECLEVEL=\d/g, '')}:${ANONYMOUS_DH_CIPHERS}`;
  return { context: createSecureContext({ ciphers: anonymous, dhparam, maxVersion: 'TLSv1.2' }), anonymous: true };
}

export class NRPEServer implements ModuleInstance {
  readonly stats: NRPEServerStats = { connections: 0, answered: 0, refused: 0 };
  private readonly server: Server;
  private readonly access: AccessControl | undefined;
  private readonly tls: SecureContext | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly counters: ServerCounters;

  private constructor(
    private readonly plugin: Plugin,
    readonly settings: NRPEServerSettings,
  ) {
    this.counters = plugin.agent.counters.nrpe;
    this.access = allowedHostsControl(settings.allowedHosts);
    this.tls = settings.useSsl ? tlsContext(settings, plugin.logger).context : undefined;
    this.server = createTcpServer((socket) => this.accept(socket));
  }

  static async start(plugin: Plugin, settings = readNRPEServerSettings(plugin)): Promise<NRPEServer> {
    const server = new NRPEServer(plugin, settings);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', (error) => reject(new ModuleError(`NRPE server: cannot listen on ${settings.bindTo || '*'}:${settings.port}: ${error.message}`)));
      server.server.listen({ port: settings.port, host: settings.bindTo === '' ? undefined : settings.bindTo }, () => resolve());
    });
    server.server.on('error', (error) => plugin.logger.log('error', `NRPE server: ${error.message}`));
    plugin.logger.log('info', `NRPE server listening on ${server.address().address}:${server.address().port} (${settings.useSsl ? 'TLS' : 'no TLS'})`);
    return server;
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  async unload(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Logs why and closes; `code` is the reason's metric label. Counted once per connection. */
  private refuse(socket: Socket, peer: string, code: string, reason: string): void {
    if (!socket.destroyed) {
      this.stats.refused++;
      this.counters.refused.inc({ reason: code });
    }
    this.plugin.logger.log('warning', `NRPE ${peer}: ${reason}`);
    socket.destroy();
  }

  private accept(raw: Socket): void {
    this.stats.connections++;
    const peer = `${raw.remoteAddress}:${raw.remotePort}`;
    this.sockets.add(raw);
    raw.once('close', () => this.sockets.delete(raw));
    raw.on('error', () => {});
    if (this.access !== undefined) {
      const verdict = this.access.check(raw.remoteAddress, undefined);
      if (!verdict.allowed) return this.refuse(raw, peer, 'not_allowed', `not in allowed hosts (${verdict.reason})`);
    }
    this.counters.accepted.inc();
    raw.once('close', () => {
      this.counters.bytesReceived.inc(raw.bytesRead);
      this.counters.bytesSent.inc(raw.bytesWritten);
    });
    const socket: Socket = this.tls === undefined ? raw : new TLSSocket(raw, { isServer: true, secureContext: this.tls });
    if (socket !== raw) {
      socket.on('error', (error: Error) => this.refuse(raw, peer, 'tls', `TLS: ${error.message}`));
    } else {
      raw.on('error', (error: Error) => this.plugin.logger.log('debug', `NRPE ${peer}: ${error.message}`));
    }
    let secured = socket === raw;
    socket.once('secure', () => (secured = true));
    const timer = setTimeout(() => this.refuse(raw, peer, 'timeout', secured ? `no query within ${this.settings.timeout} s` : `TLS handshake not finished within ${this.settings.timeout} s`), this.settings.timeout * 1000);
    raw.once('close', () => clearTimeout(timer));
    let pending: Buffer = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk: Buffer) => {
      if (done) return;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const outcome = parsePacket(pending, { payloadLength: this.settings.payloadLength });
      if (outcome.kind === 'need') return;
      done = true;
      clearTimeout(timer);
      if (outcome.kind === 'refused') return this.refuse(raw, peer, outcome.code, outcome.reason);
      const packet = outcome.packet;
      if (packet.type !== QUERY_PACKET) return this.refuse(raw, peer, 'bad_packet', `packet type ${packet.type} is not a query`);
      void this.answer(packet.version, packet.text, peer)
        .catch((error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          this.plugin.logger.log('error', `NRPE ${peer}: ${packet.text.split('!')[0]}: ${reason}`);
          return encodeResponse(packet.version, status.UNKNOWN, `UNKNOWN: ${reason}`, this.settings.payloadLength);
        })
        .then((packets) => {
          if (socket.destroyed) return;
          for (const p of packets) socket.write(p);
          socket.end();
          this.stats.answered++;
        });
    });
    socket.on('end', () => {
      if (!done) this.refuse(raw, peer, 'truncated', pending.length === 0 ? 'closed before sending a query' : `truncated packet: closed after ${pending.length} bytes`);
    });
  }

  /** The response packets to one query. */
  private async answer(version: PacketVersion, text: string, peer: string): Promise<Buffer[]> {
    const respond = (code: number, message: string) => encodeResponse(version, code, message, this.settings.payloadLength, this.settings.extendedResponse);
    const { command, args } = splitQuery(text);
    if (command === '' || command === NRPE_HELLO_COMMAND) return respond(status.OK, 'I (poets-agent) seem to be doing fine...');
    const refusal = argumentRefusal(args, this.settings);
    if (refusal !== undefined) {
      this.stats.refused++;
      this.counters.refused.inc({ reason: this.settings.allowArguments ? 'nasty_characters' : 'arguments' });
      this.plugin.logger.log('warning', `NRPE ${peer}: ${command}: ${refusal}`);
      return respond(status.UNKNOWN, refusal);
    }
    const [code, message, perf] = await this.plugin.core.simple_query(command, args);
    return respond(code, perf === '' ? message : `${message}|${perf}`);
  }
}

/** NSClient++'s NRPEServer: `NRPEServer = enabled` in `[/modules]`, settings in `[/settings/NRPE/server]`. */
export const nrpeServerModule: ModuleDefinition = {
  name: 'NRPEServer',
  description: 'Answers check_nrpe (NRPE v2, v3, v4; TLS with a certificate or anonymous DH)',
  load: (plugin) => NRPEServer.start(plugin),
};
