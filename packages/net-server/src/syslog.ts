// `log_file Sys::Syslog`: each line sent to a syslog daemon as an RFC 3164 message,
// `<PRI>Mmm dd hh:mm:ss [host ]ident[pid]: message`, written by hand (a few bytes of framing; the
// syslog packages on npm either need a native addon for unix datagrams or speak only RFC 5424).
// Transports, as Sys::Syslog's setlogsock names them: udp/inet (a datagram), tcp (a stream line,
// LF-framed), unix (the local socket: a unix stream socket, or, since Node has no unix datagram
// sockets, a datagram socket such as /dev/log through util-linux `logger`, kept running).
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import type { LogContext, Logger, LogLevel } from '@poets/kernel';
import { formatLogLine } from '@poets/kernel';
import { ConfigError } from './errors.js';

/** syslog(3)'s facility numbers. */
export const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

/** syslog(3)'s severities for the Logger levels (Net::Server's 0-4: err, warning, notice, info, debug). */
const SEVERITY: Readonly<Record<LogLevel, number>> = { error: 3, warning: 4, notice: 5, info: 6, debug: 7 };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 3164's TIMESTAMP: `Mmm dd hh:mm:ss`, local time, the day padded with a space. */
export function syslog_timestamp(date = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[date.getMonth()]} ${String(date.getDate()).padStart(2, ' ')} ${p(date.getHours())}:${p(date.getMinutes())}:${p(date.getSeconds())}`;
}

/** One RFC 3164 message (no framing). `host` is left out for the local socket, as syslog(3) does. */
export function syslog_message(facility: number, level: LogLevel, tag: string, message: string, host?: string, date = new Date()): string {
  const text = message.replace(/[\r\n]+/g, ' ');
  return `<${facility * 8 + SEVERITY[level]}>${syslog_timestamp(date)} ${host !== undefined ? `${host} ` : ''}${tag}: ${text}`;
}

/** The Sys::Syslog options of Net::Server (and the port's syslog_host/syslog_port/syslog_path). */
export interface SyslogOptions {
  /** syslog_ident: the tag (default `net_server`). */
  ident?: string;
  /** syslog_logsock: `unix` (default), `inet` or `udp`, `tcp`. */
  logsock?: string;
  /** syslog_facility (default `daemon`). */
  facility?: string;
  /** syslog_logopt: `pid` (default) adds [pid]; `ndelay` connects at once; `nofatal`, `cons` are accepted. */
  logopt?: string;
  /** syslog_host for inet/udp/tcp (default 127.0.0.1). */
  host?: string;
  /** syslog_port for inet/udp/tcp (default 514). */
  port?: number;
  /** syslog_path for unix (default /dev/log). */
  path?: string;
  /** A write that failed (Net::Server's handle_syslog_error): the error and the line that was lost. */
  onError: (error: Error, level: LogLevel, line: string) => void;
}

/** Parses the Net::Server keys into SyslogOptions; a bad facility or logsock is a ConfigError. */
export function syslog_options(prop: Record<string, unknown>, onError: SyslogOptions['onError']): SyslogOptions {
  const get = (key: string) => (prop[key] === undefined || prop[key] === null || prop[key] === '' ? undefined : String(prop[key]));
  const ident = get('syslog_ident') ?? 'net_server';
  if (!/^[\w.\-/ ]+$/.test(ident)) throw new ConfigError(`syslog_ident "${ident}": letters, digits, _ . - / and spaces only`);
  const facility = (get('syslog_facility') ?? 'daemon').toLowerCase().replace(/^log_/, '');
  if (FACILITIES[facility] === undefined) throw new ConfigError(`syslog_facility "${facility}" is none of ${Object.keys(FACILITIES).join(', ')}`);
  const logsock = (get('syslog_logsock') ?? 'unix').toLowerCase();
  if (!['unix', 'inet', 'udp', 'tcp'].includes(logsock)) throw new ConfigError(`syslog_logsock "${logsock}": unix, inet, udp or tcp (native, stream and console are not ported)`);
  const port = get('syslog_port');
  if (port !== undefined && !/^\d+$/.test(port)) throw new ConfigError(`syslog_port must be a number, not "${port}"`);
  const logopt = get('syslog_logopt') ?? 'pid';
  const host = get('syslog_host');
  const path = get('syslog_path');
  return { ident, facility, logsock, logopt, onError, ...(host !== undefined ? { host } : {}), ...(port !== undefined ? { port: Number(port) } : {}), ...(path !== undefined ? { path } : {}) };
}

/** A Logger that sends each line to syslog; never throws (a failed write goes to onError). */
export class SyslogLogger implements Logger {
  private readonly facility: number;
  private readonly tag: string;
  private readonly transport: string;
  private udp: DgramSocket | undefined;
  private stream: Socket | undefined;
  private helper: ChildProcess | undefined;
  private useHelper = false;
  private pending: string[] = [];
  private closed = false;

  constructor(private readonly options: SyslogOptions) {
    this.facility = FACILITIES[options.facility ?? 'daemon']!;
    const withPid = /\bpid\b/.test(options.logopt ?? 'pid');
    this.tag = `${options.ident ?? 'net_server'}${withPid ? `[${process.pid}]` : ''}`;
    this.transport = options.logsock === 'inet' ? 'udp' : (options.logsock ?? 'unix');
    if (/\bndelay\b/.test(options.logopt ?? '')) this.open();
  }

  log(level: LogLevel, message: string, context?: LogContext): void {
    if (this.closed) return;
    // the ident names the program, so the component is left out (Perl sends the bare message)
    const line = formatLogLine(message, context?.peer !== undefined ? { peer: context.peer } : undefined);
    try {
      this.send(level, line);
    } catch (error) {
      this.options.onError(error as Error, level, line);
    }
  }

  private open(): void {
    if (this.transport === 'udp' && this.udp === undefined) {
      const host = this.options.host ?? '127.0.0.1';
      this.udp = createSocket(host.includes(':') ? 'udp6' : 'udp4');
      this.udp.on('error', (error) => this.options.onError(error, 'error', '(udp socket)'));
      this.udp.unref();
    } else if (this.transport !== 'udp' && this.stream === undefined && !this.useHelper) {
      const socket =
        this.transport === 'tcp'
          ? connect({ host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 514 })
          : connect({ path: this.options.path ?? '/dev/log' });
      this.stream = socket;
      socket.unref();
      socket.on('connect', () => {
        for (const line of this.pending.splice(0)) socket.write(line);
      });
      socket.on('error', (error: NodeJS.ErrnoException) => {
        this.stream = undefined;
        // a unix datagram socket (/dev/log, rsyslog's imuxsock): Node cannot send to it; logger can
        if (this.transport === 'unix' && error.code === 'EPROTOTYPE') {
          this.useHelper = true;
          const waiting = this.pending.splice(0);
          for (const line of waiting) this.viaHelper(line.replace(/\n$/, ''));
          return;
        }
        const lost = this.pending.splice(0);
        this.options.onError(error, 'error', lost.length > 0 ? lost.join('').trimEnd() : '(connection)');
      });
      socket.on('close', () => {
        if (this.stream === socket) this.stream = undefined;
      });
    }
  }

  private send(level: LogLevel, line: string): void {
    if (this.transport === 'udp') {
      this.open();
      const data = Buffer.from(syslog_message(this.facility, level, this.tag, line, hostname()));
      this.udp!.send(data, this.options.port ?? 514, this.options.host ?? '127.0.0.1', (error) => {
        if (error) this.options.onError(error, level, line);
      });
      return;
    }
    const message = syslog_message(this.facility, level, this.tag, line, this.transport === 'tcp' ? hostname() : undefined);
    if (this.useHelper) return this.viaHelper(message);
    this.open();
    const stream = this.stream;
    if (stream === undefined || stream.connecting) this.pending.push(`${message}\n`);
    else stream.write(`${message}\n`);
  }

  /** The unix datagram fallback: util-linux logger, one long-running process, fed the ready-made lines. */
  private viaHelper(message: string): void {
    if (this.helper === undefined) {
      // --prio-prefix takes each line's <PRI>; logger writes the local (syslog(3)) header itself: no host
      const helper = spawn('logger', ['--socket-errors=on', '-u', this.options.path ?? '/dev/log', '--prio-prefix', '-t', this.tag], { stdio: ['pipe', 'ignore', 'pipe'] });
      helper.on('error', (error) => this.options.onError(error, 'error', '(logger for the unix datagram socket)'));
      let err = '';
      helper.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
      helper.on('exit', (code) => {
        if (this.helper === helper) this.helper = undefined;
        if (code !== 0 && !this.closed) this.options.onError(new Error(`logger exited ${code}: ${err.trim()}`), 'error', '(logger)');
      });
      helper.stdin!.on('error', () => {});
      helper.unref();
      (helper.stdin as unknown as { unref?: () => void }).unref?.();
      this.helper = helper;
    }
    // logger writes its own header: give it the priority and the message only
    const match = /^<(\d+)>[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d (?:\S+ )?[^:]*: (.*)$/s.exec(message);
    this.helper.stdin!.write(match !== null ? `<${match[1]}>${match[2]}\n` : `${message}\n`);
  }

  /** Sends what is waiting and lets the sockets go. */
  close(): void {
    this.closed = true;
    this.udp?.close();
    this.udp = undefined;
    this.stream?.end();
    this.stream = undefined;
    this.helper?.stdin?.end();
    this.helper = undefined;
  }
}
