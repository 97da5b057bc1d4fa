// Net::Server's engine: the class users extend, its run() process flow with every hook by its Perl
// name, configuration from five sources, logging, the pid file and signals. The process model is a
// Personality (Single by default); Multiplex and, later, the forking ones plug in there.
import { Socket } from 'node:net';
import { basename } from 'node:path';
import { LOG_LEVELS, poe_kernel, type Kernel, type LogContext, type Logger, type LogLevel } from '@poets/kernel';
import { AccessControl, RefusalLog, unmapped, type ReverseLookup } from '@poets/server-tcp';
import { Client, UdpClient, type AnyClient } from './client.js';
import { ConfigError, NetServerError, PortError, TimeoutError } from './errors.js';
import { FileLogger } from './log-file.js';
import { syslog_options, SyslogLogger } from './syslog.js';
import { applyArgs, parseCommandLine, readConfFile, scalarRef, type ArgPair, type OptionsTemplate } from './options.js';
import { MultiplexPersonality, SinglePersonality, type Personality } from './personality.js';
import { chownSync } from 'node:fs';
import { inChildProcess } from './child-role.js';
import { check_pid_file, create_pid_file, remove_pid_file } from './pid-file.js';
import { prepared_ports, type BindInfo } from './ports.js';
import { drop_privileges, get_gid, get_uid } from './privileges.js';
import { proto_object, type ProtoSocket } from './proto.js';
import { BOUND_SOCKETS, parse_bound_sockets, report_serving, respawn, RESTART_FROM_PID } from './restart.js';

/** Net::Server's default port. */
export const DEFAULT_PORT = 20203;

/** `$self->{server}`: every argument and property under its Net::Server name. */
export interface ServerProps {
  port?: unknown[];
  host?: unknown[];
  proto?: unknown[];
  ipv?: unknown[];
  allow?: unknown[];
  deny?: unknown[];
  cidr_allow?: unknown[];
  cidr_deny?: unknown[];
  conf_file?: string;
  log_level?: number | string;
  log_file?: string;
  pid_file?: string;
  reverse_lookups?: unknown;
  listen?: unknown;
  /** The endpoints to bind, as parsed from port/host/proto/ipv. */
  _bind?: BindInfo[];
  /** The endpoint objects (bound after bind()). */
  sock?: ProtoSocket[];
  /** The client being served (in Multiplex, the latest one: read the client argument instead). */
  client?: AnyClient;
  peeraddr?: string | undefined;
  peerport?: number | undefined;
  peerhost?: string | undefined;
  sockaddr?: string | undefined;
  sockport?: number | undefined;
  /** The datagram of a UDP client. */
  udp_data?: Buffer;
  commandline?: string[];
  requests?: number;
  [key: string]: unknown;
}

/** What the port adds to the constructor (all optional). */
export interface NetServerOptions {
  /** The command line to read (Perl's @ARGV); default `process.argv.slice(2)`. Unknown arguments are left in `server.ARGV`. */
  argv?: string[];
  /** The kernel whose sessions serve Multiplex clients; default `poe_kernel`. */
  kernel?: Kernel;
  /** Where log lines go when no log_file is set; default the kernel's logger. */
  logger?: Logger;
  /** Handle INT, TERM, QUIT, HUP and PIPE (default true; false when the application owns its signals). */
  signals?: boolean;
  /** How reverse_lookups finds a peer's name; default a DNS PTR query bounded to 2 seconds (@poets/server-tcp's). */
  reverseLookup?: ReverseLookup;
}

const LEVEL_NAMES: readonly LogLevel[] = ['error', 'warning', 'notice', 'info', 'debug'];
const COMPONENT = 'Net::Server';

/** Net::Server's log_time: `YYYY/MM/DD-HH:MM:SS` local time. */
export function log_time(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())}-${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Net::Server: extend it, override process_request (and any hook), then `MyServer.run({ port })`
 * or `new MyServer({ port }).run()`. Every run resolves with the server once it has closed.
 */
export class NetServer {
  /** `$self->{server}`. */
  server: ServerProps;
  /** The command line arguments no option claimed (what Perl leaves in @ARGV), after configure. */
  ARGV: string[];
  readonly kernel: Kernel;
  private readonly baseLogger: Logger;
  private readonly handleSignals: boolean;
  private readonly reverseLookup: ReverseLookup | undefined;
  private fileLogger: FileLogger | undefined;
  private syslogLogger: SyslogLogger | undefined;
  private access: AccessControl | undefined;
  private refusals: RefusalLog | undefined;
  private personalityInstance: Personality | undefined;
  private closing: Promise<this> | undefined;
  private signalHandlers: [NodeJS.Signals, () => void][] = [];
  private pidFileOwned = false;
  /** Clients accepted and not yet through run_client_connection (a HUP restart waits for them). */
  private inFlight = 0;
  private drained: (() => void) | undefined;
  /** This process was handed its sockets (a HUP restart or background): it does not background again. */
  private inherited = false;
  private restarting = false;

  constructor(args: Record<string, unknown> = {}, options: NetServerOptions = {}) {
    this.server = { ...args };
    this.ARGV = [...(options.argv ?? process.argv.slice(2))];
    this.kernel = options.kernel ?? poe_kernel;
    this.baseLogger = options.logger ?? this.kernel.logger;
    this.handleSignals = options.signals ?? true;
    this.reverseLookup = options.reverseLookup;
  }

  /** `MyServer.run({ port: 20203 })`: a new server of this class run with these arguments. */
  static run<T extends NetServer>(this: new (args?: Record<string, unknown>, options?: NetServerOptions) => T, args: Record<string, unknown> = {}, options: NetServerOptions = {}): Promise<T> {
    return new this({}, options).run(args);
  }

  // ---- Properties ---------------------------------------------------------------------------

  get_property(key: string): unknown {
    return this.server[key];
  }

  set_property(key: string, value: unknown): unknown {
    this.server[key] = value;
    return value;
  }

  /** Net::Server's net_server_type: the personality's Perl class. */
  net_server_type(): string {
    return 'Net::Server';
  }

  /** The process model; override (or extend Multiplex) to change it. */
  protected personality(): Personality {
    return new SinglePersonality();
  }

  /** Net::Server's default_port. */
  default_port(): unknown {
    return DEFAULT_PORT;
  }

  // ---- The process flow ---------------------------------------------------------------------

  /** Net::Server's run: configure, bind, loop until closed. Rejects (after fatal_hook and closing) when the server cannot start. */
  async run(args: Record<string, unknown> = {}): Promise<this> {
    this.server._run_args = args;
    try {
      await this._initialize();
      await this.post_configure();
      await this.post_configure_hook();
      await this.pre_bind();
      if (inChildProcess()) return await this.run_as_child();
      await this.bind();
      await this.post_bind_hook();
      await this.post_bind();
      if (await this.background()) return this.handed_over();
      await this.pre_loop_hook();
      await this.loop();
    } catch (error) {
      await this.fatal(error);
    }
    return this.server_close();
  }

  private async _initialize(): Promise<void> {
    if (this.server.commandline === undefined) this.commandline([process.argv[1] ?? basename(process.argv0), ...this.ARGV]);
    await this.configure_hook();
    await this.configure();
    const defaults = this.default_values() ?? {};
    const unknown = applyArgs(Object.entries(defaults), this.templateOf(), 'default_values');
    void unknown; // default_values may carry keys for the application, as in Perl
  }

  /** Net::Server's commandline: the saved `[script, ...arguments]` (set or read). */
  commandline(value?: string[]): string[] {
    if (value !== undefined) this.server.commandline = [...value];
    if (this.server.commandline === undefined) throw new NetServerError('commandline was not set during initialization');
    return this.server.commandline;
  }

  private template: OptionsTemplate | undefined;

  private templateOf(): OptionsTemplate {
    this.template ??= this.options({});
    return this.template;
  }

  /**
   * Net::Server's options: the template of every parameter it reads. Override it, call
   * `super.options(template)`, and add `template.my_option = scalarRef(this.server, 'my_option')`
   * (one value) or `template.my_list = this.server.my_list ??= []` (every value); a second key for
   * the same slot is an alias.
   */
  options(template: OptionsTemplate): OptionsTemplate {
    const prop = this.server;
    for (const key of ['port', 'host', 'proto', 'ipv', 'allow', 'deny', 'cidr_allow', 'cidr_deny']) {
      const value = prop[key];
      if (value === undefined || value === null) prop[key] = [];
      else if (!Array.isArray(value)) prop[key] = [value];
      template[key] = prop[key] as unknown[];
    }
    for (const key of [
      'conf_file', 'user', 'group', 'chroot', 'log_level', 'log_file', 'pid_file', 'background', 'setsid', 'listen',
      'reverse_lookups', 'no_close_by_child', 'no_client_stdout', 'leave_children_open_on_hup',
      'udp_recv_len', 'udp_recv_flags', 'udp_broadcast',
      'syslog_logsock', 'syslog_ident', 'syslog_logopt', 'syslog_facility', 'syslog_host', 'syslog_port', 'syslog_path',
      'SSL_key_file', 'SSL_cert_file', 'SSL_ca_file', 'SSL_cipher_list', 'SSL_verify_mode', 'SSL_version',
    ]) {
      template[key] = scalarRef(prop, key);
    }
    return template;
  }

  /** Net::Server's configure: the command line, then run()'s arguments, then the conf file. */
  async configure(): Promise<void> {
    const template = this.templateOf();
    const { pairs, rest } = parseCommandLine(this.ARGV, template);
    applyArgs(pairs, template, 'command line');
    this.ARGV = rest;
    const runArgs = (this.server._run_args ?? {}) as Record<string, unknown>;
    applyArgs(Object.entries(runArgs), template, 'run');
    const conf = this.server.conf_file ?? (this.default_values() ?? {}).conf_file;
    if (conf !== undefined && conf !== '') this.read_conf_file(String(conf), template);
  }

  private read_conf_file(file: string, template: OptionsTemplate): void {
    const pairs: ArgPair[] = readConfFile(file);
    const unknown = applyArgs(pairs, template, `conf file "${file}"`);
    if (unknown.length > 0) {
      throw new ConfigError(`conf file "${file}": unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map(([key]) => `"${key}"`).join(', ')}`);
    }
  }

  /** Values used when no other source set them (Perl's default_values). */
  default_values(): Record<string, unknown> | undefined {
    return {};
  }

  /** Net::Server's post_configure: log level and logging, the pid file, the access rules. */
  async post_configure(): Promise<void> {
    const prop = this.server;
    const level = prop.log_level;
    if (level === undefined || level === null || level === '') prop.log_level = 2;
    else if (!/^\d+$/.test(String(level).trim())) throw new ConfigError(`log_level must be 0-4, not "${String(level)}"`);
    else prop.log_level = Math.min(4, Number(level));
    this.initialize_logging();
    if (prop.pid_file !== undefined && prop.pid_file !== '' && !inChildProcess()) {
      const from = process.env[RESTART_FROM_PID];
      const found = check_pid_file(String(prop.pid_file), from !== undefined ? Number(from) : undefined);
      if (found === 'stale') this.log(2, `Removed stale pid_file "${prop.pid_file}"`);
      create_pid_file(String(prop.pid_file), found === 'taken over');
      this.pidFileOwned = true;
    }
    try {
      this.access = AccessControl.from({
        allow: (prop.allow ?? []) as string[],
        deny: (prop.deny ?? []) as string[],
        cidrAllow: (prop.cidr_allow ?? []) as string[],
        cidrDeny: (prop.cidr_deny ?? []) as string[],
        reverseLookups: Boolean(prop.reverse_lookups) && String(prop.reverse_lookups) !== '0',
        ...(this.reverseLookup !== undefined ? { reverseLookup: this.reverseLookup } : {}),
      });
    } catch (error) {
      throw new ConfigError(message(error).replace('cidrAllow', 'cidr_allow').replace('cidrDeny', 'cidr_deny'));
    }
    this.refusals = new RefusalLog({ logger: { log: (lvl, line, context) => this.log(LOG_LEVELS[lvl], line, context) } });
    await this.personalityOf().post_configure?.(this);
  }

  /** Opens log_file: a file, or `Sys::Syslog` (open_syslog); without one, logging is left to the logger. */
  initialize_logging(): void {
    const file = this.server.log_file;
    if (file === undefined || file === null || file === '') {
      this.server.log_file = '';
      return;
    }
    if (String(file) === 'Sys::Syslog') return this.open_syslog();
    if (/^[a-zA-Z]\w*(?:::[a-zA-Z]\w*)+$/.test(String(file))) {
      throw new ConfigError(`log_file "${file}": of the logging modules only Sys::Syslog is ported (not Log::Log4perl); or give a file name`);
    }
    this.fileLogger = new FileLogger(String(file));
  }

  /** Net::Server's open_syslog: syslog_ident, syslog_logsock, syslog_facility, syslog_logopt (and syslog_host, syslog_port, syslog_path). */
  open_syslog(): void {
    this.syslogLogger = new SyslogLogger(
      syslog_options(this.server, (error, level, line) => {
        try {
          this.handle_syslog_error(error, [LEVEL_NAMES.indexOf(level), line]);
        } catch (hookError) {
          process.stderr.write(`Net::Server: handle_syslog_error failed: ${message(hookError)}\n`);
        }
      }),
    );
  }

  /**
   * A syslog write failed: the error and `[level, line]`. Perl's default dies; here the server
   * goes on and the line is written to standard error with the reason. Override to do otherwise.
   */
  handle_syslog_error(error: Error, args: [number, string]): void {
    process.stderr.write(`Net::Server: syslog write failed (${error.message}): ${args[1]}\n`);
  }

  /** Net::Server's pre_bind: logs the start and makes the endpoint objects. */
  async pre_bind(): Promise<void> {
    const prop = this.server;
    const type = this.constructor.name;
    const base = this.net_server_type();
    if (!inChildProcess()) this.log(2, `${log_time()} ${type}${type !== base ? ` (type ${base})` : ''} starting! pid(${process.pid})`);
    let ports = (prop.port ?? []) as unknown[];
    if (ports.length === 0) {
      const fallback = this.default_port();
      ports = Array.isArray(fallback) ? fallback : [fallback];
      if (fallback === DEFAULT_PORT) this.log(2, `Port Not Defined.  Defaulting to '${DEFAULT_PORT}'`);
    }
    const bind = prepared_ports(
      ports as never[],
      ((prop.host ?? []) as unknown[]).map(String),
      ((prop.proto ?? []) as unknown[]).map(String),
      ((prop.ipv ?? []) as unknown[]).map(String),
      (info) => this.log(2, `Duplicate configuration (${info.proto.toUpperCase()}) on [${info.host}]:${info.port} with IPv${info.ipv}) - skipping`),
    );
    prop._bind = bind;
    prop.sock = bind.map((info) => proto_object(info, prop));
    if (prop.sock.length === 0) throw new PortError('No valid socket parameters found');
  }

  /** Net::Server's bind: binds every endpoint; one that fails closes the others and fails the start. */
  async bind(): Promise<void> {
    const bound = process.env[BOUND_SOCKETS];
    if (bound !== undefined && bound !== '') return this.bind_inherited(bound);
    for (const [index, sock] of (this.server.sock ?? []).entries()) {
      const given = sock.NS_port;
      this.log(2, `Binding to ${sock.NS_proto} port ${given} on host ${sock.NS_host} with IPv${sock.NS_ipv}`);
      await this.listen_on(sock, index);
      if (String(given) === '0') this.log(2, `  Bound to auto-assigned port ${sock.NS_port}`);
    }
  }

  /**
   * Listens on one endpoint (bound now, or the descriptor `fd` a restart inherited). The process
   * pools take stream sockets raw (paused, unread) to pass them to a child whole.
   */
  private listen_on(sock: ProtoSocket, index: number, fd?: number): Promise<void> {
    const personality = this.personalityOf();
    const handoff = personality.handoff?.bind(personality);
    const onClient = (client: AnyClient) => this.accepted(sock, client, (c) => (handoff !== undefined ? handoff(this, index, c) : this.accept_here(c)));
    const onRaw = handoff !== undefined ? (socket: Socket) => this.accepted(sock, socket, (s) => handoff(this, index, s)) : undefined;
    return fd === undefined ? sock.connect(onClient, onRaw) : sock.reconnect(fd, onClient, onRaw);
  }

  /**
   * A restarted (or backgrounded) process: listens on the sockets BOUND_SOCKETS names, inherited
   * from the process before it, instead of binding (Net::Server's reconnect). restart_open_hook first.
   */
  private async bind_inherited(bound: string): Promise<void> {
    this.inherited = true;
    await this.restart_open_hook();
    const entries = parse_bound_sockets(bound);
    const prop = this.server;
    prop._bind = entries.map(({ host, port, proto, ipv }) => ({ host, port, proto, ipv }) as BindInfo);
    prop.sock = entries.map(({ host, port, proto, ipv }) => proto_object({ host, port, proto: proto.toLowerCase(), ipv } as BindInfo, prop));
    for (const [i, sock] of prop.sock.entries()) {
      this.log(2, `Binding open file descriptor ${entries[i]!.fd} (${sock.NS_proto} port ${sock.NS_port} on host ${sock.NS_host} with IPv${sock.NS_ipv})`);
      await this.listen_on(sock, i, entries[i]!.fd);
    }
  }

  /** Net::Server's post_bind: chroot refused, then group and user dropped (checked), then signals. */
  async post_bind(): Promise<void> {
    const prop = this.server;
    if (prop.chroot !== undefined && prop.chroot !== null && prop.chroot !== '') {
      throw new ConfigError(`chroot "${String(prop.chroot)}" is not supported: Node loads code and reads /etc after start, so a chroot breaks it; use a container, or systemd RootDirectory= / a mount namespace`);
    }
    const user = prop.user === undefined || prop.user === null ? undefined : String(prop.user);
    const group = prop.group === undefined || prop.group === null ? undefined : String(prop.group);
    if ((user ?? '') !== '' || (group ?? '') !== '') {
      this.chown_files(user, group);
      const dropped = drop_privileges({ user, group });
      if (dropped !== undefined) this.log(2, `Running as uid ${dropped.uid} gid ${dropped.gid} (groups ${dropped.groups.join(' ')})`);
    }
    if (this.handleSignals) {
      const close = () => void this.server_close();
      this.onSignal('SIGINT', close);
      this.onSignal('SIGTERM', close);
      this.onSignal('SIGQUIT', () => {
        this.server.kind_quit = 1; // the pools let their children finish the request in hand
        void this.server_close();
      });
      for (const [signal, handler] of Object.entries(this.personalityOf().signals?.(this) ?? {})) this.onSignal(signal as NodeJS.Signals, handler);
      this.onSignal('SIGPIPE', () => {});
      this.onSignal('SIGHUP', () => this.sig_hup());
    }
  }

  private onSignal(signal: NodeJS.Signals, handler: () => void): void {
    process.on(signal, handler);
    this.signalHandlers.push([signal, handler]);
  }

  /** The pid_file and log_file go to the user the server becomes, so it can rewrite and reopen them (as Net::Server does). */
  private chown_files(user: string | undefined, group: string | undefined): void {
    if (process.geteuid?.() !== 0) return;
    const uid = user !== undefined && user !== '' ? get_uid(user).uid : -1;
    const gid = group !== undefined && group !== '' ? get_gid(group.trim().split(/[\s,]+/)[0]!) : -1;
    for (const file of [this.server.pid_file, this.fileLogger?.path]) {
      if (file === undefined || file === null || file === '') continue;
      try {
        chownSync(String(file), uid, gid);
      } catch (error) {
        this.log(1, `Couldn't chown "${String(file)}": ${message(error)}`);
      }
    }
  }

  /** HUP: reopens log_file (so logrotate works), then hup_server restarts the server with its sockets. */
  sig_hup(): void {
    this.log(2, `${log_time()} Received a SIG HUP`);
    try {
      this.fileLogger?.reopen();
    } catch (error) {
      this.log(0, `Couldn't reopen log_file: ${message(error)}`);
    }
    void this.hup_server();
  }

  /**
   * Net::Server's hup_server: re-executes the saved command line with the listening sockets passed
   * (BOUND_SOCKETS); once the new process serves, this one stops accepting, lets the clients in hand
   * finish, leaves the pid_file (now the new pid) in place, and exits. A new process that fails to
   * start is logged and this one goes on serving.
   */
  async hup_server(): Promise<void> {
    if (this.restarting || this.closing !== undefined || inChildProcess()) return; // a pool child leaves HUP to its parent
    this.restarting = true;
    try {
      await this.restart_close_hook();
      this.log(2, `${log_time()} HUP'ed server: restarting with the bound sockets`);
      const child = await respawn({ commandline: this.commandline(), socks: this.server.sock ?? [], detached: false });
      this.log(2, `${log_time()} New server serving (pid ${child.pid}); finishing ${this.inFlight} client(s) in hand`);
    } catch (error) {
      this.restarting = false;
      this.log(0, `${log_time()} HUP restart failed, going on serving: ${message(error)}`);
      return;
    }
    await this.handed_over();
    process.exit(0); // Perl's exec ends the old process image; here the old process ends itself
  }

  /** Net::Server's background (and setsid): the server re-spawns itself detached with its sockets; this process then ends. */
  private async background(): Promise<boolean> {
    const prop = this.server;
    const on = (value: unknown) => value !== undefined && value !== null && value !== '' && String(value) !== '0';
    if (this.inherited || inChildProcess() || !(on(prop.background) || on(prop.setsid))) return false;
    const child = await respawn({ commandline: this.commandline(), socks: prop.sock ?? [], detached: true });
    this.log(2, `${log_time()} Process Backgrounded (pid ${child.pid})`);
    return true;
  }

  /** The sockets are another process's now: stop accepting, finish the clients in hand, close without removing what it took over. */
  private async handed_over(): Promise<this> {
    this.pidFileOwned = false;
    await Promise.all((this.server.sock ?? []).map((sock) => sock.release()));
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    await this.personalityOf().drain?.();
    this.server.kind_quit = 1; // a pool's children finish the client in hand, as on QUIT
    return this.server_close();
  }

  /** Net::Server's loop: hands accepted clients to the personality until server_close. */
  async loop(): Promise<void> {
    report_serving();
    await this.personalityOf().loop(this);
  }

  private personalityOf(): Personality {
    this.personalityInstance ??= this.personality();
    return this.personalityInstance;
  }

  private accepted<C extends AnyClient | Socket>(sock: ProtoSocket, client: C, serve: (client: C) => void): void {
    if (this.closing !== undefined) {
      if (client instanceof Client) client.socket.destroy();
      else if (client instanceof Socket) client.destroy();
      return;
    }
    let skip: unknown;
    try {
      skip = this.can_read_hook(sock);
    } catch (error) {
      this.hookFailed('can_read_hook', client, error);
    }
    if (skip) {
      if (client instanceof Socket) client.destroy();
      else client.close();
      return;
    }
    serve(client);
  }

  /** A client this process serves itself (not handed to a pool child): counted for a HUP restart's drain. */
  private accept_here(client: AnyClient): void {
    this.inFlight++;
    this.personalityOf().accept(this, client);
  }

  private hookFailed(hook: string, client: AnyClient | Socket | undefined, error: unknown): void {
    if (client instanceof Socket) client = undefined;
    const peer = client?.peeraddr !== undefined ? { address: client.peeraddr, port: client.peerport } : undefined;
    this.log(0, `${hook} failed: ${message(error)}`, peer !== undefined ? { peer, error } : { error });
  }

  /**
   * Runs one hook; a throw (or rejection) is logged with the peer and the hook's name, and gives
   * `fallback`. A hook that returns no promise is answered at once: most hooks are empty, and a
   * promise for each would be most of a short connection's cost.
   */
  private guard<T>(hook: string, client: AnyClient | undefined, call: () => T | Promise<T>, fallback: T): T | Promise<T> {
    try {
      const out = call();
      if (!(out instanceof Promise)) return out;
      return out.catch((error: unknown) => {
        this.hookFailed(hook, client, error);
        return fallback;
      });
    } catch (error) {
      this.hookFailed(hook, client, error);
      return fallback;
    }
  }

  /** Net::Server's run_client_connection: one client's whole flow, every hook in Perl's order. */
  async run_client_connection(client: AnyClient): Promise<void> {
    try {
      await this.run_client_flow(client);
    } finally {
      if (this.inFlight > 0 && --this.inFlight === 0) this.drained?.();
    }
  }

  private async run_client_flow(client: AnyClient): Promise<void> {
    const prop = this.server;
    prop.client = client;
    prop.requests = (prop.requests ?? 0) + 1;
    await this.guard('post_accept', client, () => this.post_accept(client), undefined);
    await this.guard('get_client_info', client, () => this.get_client_info(client), undefined);
    await this.guard('post_accept_hook', client, () => this.post_accept_hook(client), undefined);
    const ok =
      (await this.guard('allow_deny', client, () => this.allow_deny(client), false)) &&
      (await this.guard('allow_deny_hook', client, () => this.allow_deny_hook(client), false));
    if (ok) await this.guard('process_request', client, () => this.process_request(client), undefined);
    else await this.guard('request_denied_hook', client, () => this.request_denied_hook(client), undefined);
    await this.guard('post_process_request_hook', client, () => this.post_process_request_hook(Boolean(ok)), undefined);
    await this.guard('post_process_request', client, () => this.post_process_request(client), undefined);
    await this.guard('post_client_connection_hook', client, () => this.post_client_connection_hook(client), undefined);
  }

  /** Net::Server's post_accept: the client becomes `this.server.client` (and its datagram `udp_data`). */
  post_accept(client: AnyClient): void | Promise<void> {
    this.server.client = client;
    if (client instanceof UdpClient) this.server.udp_data = client.udp_data;
  }

  /** Net::Server's get_client_info: peeraddr, peerport, sockaddr, sockport and, with reverse_lookups, peerhost. */
  get_client_info(client: AnyClient): void | Promise<void> {
    if (client.peeraddr !== undefined && this.access?.reverseLookups) {
      return this.access.lookup(unmapped(client.peeraddr)).then((name) => {
        client.peerhost = name;
        this.client_info(client);
      });
    }
    this.client_info(client);
  }

  private client_info(client: AnyClient): void {
    const prop = this.server;
    prop.peeraddr = client.peeraddr;
    prop.peerport = client.peerport;
    prop.peerhost = client.peerhost;
    prop.sockaddr = client.sockaddr;
    prop.sockport = client.sockport;
    const peer = client.peeraddr !== undefined ? { peer: { address: client.peeraddr, port: client.peerport } } : undefined;
    if (this.logs(3)) this.log(3, `${log_time()} CONNECT ${client.NS_proto} Peer: "[${client.peeraddr ?? ''}]:${client.peerport ?? ''}" Local: "[${client.sockaddr ?? ''}]:${client.sockport ?? ''}"`, peer);
  }

  /**
   * Net::Server's allow_deny, by the shared AccessControl of @poets/server-tcp (the matcher
   * Server::TCP uses): deny, cidr_deny, allow, cidr_allow in that order; unix clients always pass.
   */
  allow_deny(client: AnyClient): boolean {
    if (this.access === undefined || client.NS_proto === 'UNIX') return true;
    const verdict = this.access.check(client.peeraddr, client.peerhost);
    if (!verdict.allowed && client.peeraddr !== undefined) {
      this.refusals?.refuse({ address: client.peeraddr, port: client.peerport }, 'denied', 'denied connection', `denied: ${verdict.reason}`);
    }
    return verdict.allowed;
  }

  /**
   * Net::Server's post_process_request: the connection is closed (Perl's close_client_stdout).
   * What process_request wrote is sent first.
   */
  post_process_request(client: AnyClient): void | Promise<void> {
    client.close();
  }

  /**
   * Net::Server's default process_request, its sample echo server: a welcome line, then
   * `Class:pid: You said "line"` for each line; `get KEY` shows a property, `quit` ends the
   * connection, `exit` the server; 30 seconds without a line ends it with `Timed Out.`.
   * A UDP datagram is answered `You said "data"`.
   */
  process_request(client: AnyClient): void | Promise<void> {
    if (client instanceof UdpClient) return client.send(`You said "${String(this.server.udp_data ?? client.udp_data)}"`);
    return this.echo(client);
  }

  private async echo(client: Client): Promise<void> {
    const name = this.constructor.name;
    client.print(`Welcome to "${name}" (${process.pid})\r\n`);
    try {
      for await (const line of client.lines({ timeout: 30 })) {
        client.print(`${name}:${process.pid}: You said "${line}"\r\n`);
        const get = /get\s+(\w+)/.exec(line);
        if (get !== null) client.print(`${get[1]}: ${String(this.server[get[1]!] ?? '')}\r\n`);
        else if (/quit/.test(line)) return;
        else if (/exit/.test(line)) {
          void this.server_close();
          return;
        }
      }
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error;
      client.print('Timed Out.\r\n');
    }
  }

  // ---- Hooks (each does nothing unless overridden) ------------------------------------------

  configure_hook(): void | Promise<void> {}
  post_configure_hook(): void | Promise<void> {}
  post_bind_hook(): void | Promise<void> {}
  pre_loop_hook(): void | Promise<void> {}
  /** A listening endpoint has a client; return true to drop it unserved. */
  can_read_hook(_sock: ProtoSocket): unknown {
    return undefined;
  }
  post_accept_hook(_client: AnyClient): void | Promise<void> {}
  /** Return false to deny a client allow_deny let in. */
  allow_deny_hook(_client: AnyClient): boolean | Promise<boolean> {
    return true;
  }
  request_denied_hook(_client: AnyClient): void | Promise<void> {}
  post_process_request_hook(_ok: boolean): void | Promise<void> {}
  post_client_connection_hook(_client?: AnyClient): void | Promise<void> {}
  pre_server_close_hook(): void | Promise<void> {}
  post_child_cleanup_hook(): void | Promise<void> {}
  /** The server cannot go on: called with the reason before it closes. */
  fatal_hook(_error: unknown): void | Promise<void> {}
  /** HUP: called in the new process before it listens on the sockets handed to it. */
  restart_open_hook(): void | Promise<void> {}
  /** HUP: called in the old process before it starts the new one. */
  restart_close_hook(): void | Promise<void> {}

  // ---- Logging ------------------------------------------------------------------------------

  /** Whether a line at `level` would be written (so a costly line is not built for nothing). */
  logs(level: number): boolean {
    return level <= (typeof this.server.log_level === 'number' ? this.server.log_level : 2);
  }

  /** Net::Server's log: a line at `level` (0 err ... 4 debug), written when level ≤ log_level. */
  log(level: number, line: string, context?: LogContext): void {
    const threshold = typeof this.server.log_level === 'number' ? this.server.log_level : 2;
    if (level > threshold) return;
    this.write_to_log_hook(level, line, context);
  }

  /** Writes one line: to log_file when set, else to the logger (the kernel's by default). */
  write_to_log_hook(level: number, line: string, context?: LogContext): void {
    const name = LEVEL_NAMES[Math.max(0, Math.min(4, Math.trunc(level)))]!;
    (this.syslogLogger ?? this.fileLogger ?? this.baseLogger).log(name, line, { component: COMPONENT, ...context });
  }

  /** Net::Server's fatal: logs the reason, calls fatal_hook, and makes run() reject once closed. */
  async fatal(error: unknown): Promise<void> {
    this.fatalError = error;
    this.log(0, `${log_time()} ${message(error)}`, { error });
    await this.guard('fatal_hook', undefined, () => this.fatal_hook(error), undefined);
  }

  private fatalError: unknown;

  // ---- Closing ------------------------------------------------------------------------------

  /** Net::Server's server_close: stops listening, ends the clients, removes the pid file. Idempotent. */
  server_close(): Promise<this> {
    // In a pool child, as in Perl's close_parent: the parent is told to close (and closes the children).
    if (inChildProcess()) return this.close_parent();
    this.closing ??= this.close();
    return this.closing;
  }

  private async close(): Promise<this> {
    await this.guard('pre_server_close_hook', undefined, () => this.pre_server_close_hook(), undefined);
    this.log(2, `${log_time()} Server closing!`);
    for (const [signal, handler] of this.signalHandlers.splice(0)) process.off(signal, handler);
    await this.personalityInstance?.close(this);
    await Promise.all((this.server.sock ?? []).map((sock) => sock.close()));
    await this.guard('post_child_cleanup_hook', undefined, () => this.post_child_cleanup_hook(), undefined);
    if (this.pidFileOwned && this.server.pid_file) {
      if (!remove_pid_file(String(this.server.pid_file))) this.log(1, `Couldn't unlink "${this.server.pid_file}"`);
      this.pidFileOwned = false;
    }
    this.refusals?.flush();
    await this.server_exit();
    this.fileLogger?.close();
    this.syslogLogger?.close();
    if (this.fatalError !== undefined) throw this.fatalError;
    return this;
  }

  // ---- The child side of the process pools (Fork, PreForkSimple, PreFork) ---------------------

  /** In a child of a pool (or of Fork): configured as the parent is, it serves what the parent hands over instead of binding. */
  async run_as_child(): Promise<this> {
    const personality = this.personalityOf();
    if (personality.child === undefined) throw new NetServerError(`${personality.name} has no child processes`);
    await personality.child(this);
    return this;
  }

  /** In each pool child, before it takes its first client. */
  child_init_hook(): void | Promise<void> {}
  /** In each pool child, as it leaves (max_requests served, told to finish, INT/TERM). */
  child_finish_hook(): void | Promise<void> {}
  /** In the parent, before each child is started. */
  pre_fork_hook(): void | Promise<void> {}
  /** In the parent of a pool, once a second (Perl: each wake of its select loop). */
  idle_loop_hook(_ready?: unknown[]): void | Promise<void> {}
  /** In the parent of a pool, before run_n_children starts `n` children. */
  run_n_children_hook(_n?: number): void | Promise<void> {}
  /** In a dequeue child (check_for_dequeue, max_dequeue): the periodic job. */
  run_dequeue(): void | Promise<void> {
    throw new NetServerError('run_dequeue: virtual method not defined');
  }

  /** Net::Server's close_parent, from a pool child: asks the parent to run server_close. */
  close_parent(): Promise<this> {
    if (process.connected) process.send?.({ ns: 'close_parent' });
    return Promise.resolve(this);
  }

  /** Runs one step by its hook name, a throw logged with the client's peer (as every hook of run_client_connection). */
  guarded<T>(hook: string, client: AnyClient | undefined, call: () => T | Promise<T>, fallback: T): Promise<T> {
    return Promise.resolve(this.guard(hook, client, call, fallback));
  }

  /** Net::Server's server_exit: called last. Perl exits here; the port lets run() resolve (and the process end with nothing left open). */
  server_exit(): void | Promise<void> {}
}

/** Net::Server::Single: one connection at a time (the default personality). */
export class Single extends NetServer {
  override net_server_type(): string {
    return 'Net::Server::Single';
  }
}

/** Net::Server::Multiplex: every connection at once, each a session of the kernel. */
export class Multiplex extends NetServer {
  override net_server_type(): string {
    return 'Net::Server::Multiplex';
  }

  protected override personality(): Personality {
    return new MultiplexPersonality();
  }
}
