// Net::Server::INET: the one connection inetd, xinetd or systemd (Accept=yes) has accepted, on
// standard input and output. Nothing is bound; the client's flow runs once and the server closes.
import { fstatSync } from 'node:fs';
import { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { Client, type AnyClient } from './client.js';
import { log_time, NetServer } from './net-server.js';
import type { Personality } from './personality.js';

/** fd 0 and fd 1 are one socket: what inetd, xinetd and systemd (Accept=yes) hand over. */
function oneSocket(): boolean {
  try {
    const input = fstatSync(0);
    const output = fstatSync(1);
    return input.isSocket() && input.dev === output.dev && input.ino === output.ino;
  } catch {
    return false; // no fd 0 or 1: treated as pipes, which end at once
  }
}

/** The connection inetd/xinetd/systemd handed over on fd 0 (and 1), or undefined when standard input is no such socket. */
export function stdin_socket(): Socket | undefined {
  return oneSocket() ? new Socket({ fd: 0, readable: true, writable: true }) : undefined;
}

/**
 * The connection on standard input/output: one socket (inetd's) read and written as one;
 * otherwise (pipes, a terminal, e.g. `server < input`) stdin read and stdout written.
 */
export function stdio_client(): Client {
  const socket = stdin_socket();
  if (socket !== undefined) {
    const tcp = socket.remoteAddress !== undefined;
    return new Client(socket, {
      peeraddr: socket.remoteAddress,
      peerport: socket.remotePort,
      sockaddr: socket.localAddress,
      sockport: socket.localPort,
      NS_proto: tcp ? 'TCP' : 'UNIX',
    });
  }
  const stdin = process.stdin;
  const stdout = process.stdout;
  const duplex = new Duplex({
    read() {
      stdin.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      stdout.write(chunk, callback);
    },
    final(callback) {
      callback();
    },
  });
  stdin.on('data', (chunk: Buffer) => {
    if (!duplex.push(chunk)) stdin.pause();
  });
  stdin.on('end', () => duplex.push(null));
  stdin.on('error', (error) => duplex.destroy(error));
  duplex.on('close', () => stdin.destroy());
  return new Client(duplex, { peeraddr: undefined, peerport: undefined, sockaddr: undefined, sockport: undefined, NS_proto: 'STDIO' });
}

/** The INET process model: run_client_connection once, for the standard input client. */
export class InetPersonality implements Personality {
  readonly name = 'INET';
  private client: AnyClient | undefined;

  async loop(server: NetServer): Promise<void> {
    this.client = stdio_client();
    await server.run_client_connection(this.client);
  }

  accept(_server: NetServer, client: AnyClient): void {
    client.close(); // nothing is bound, so nothing else is accepted
  }

  close(): void {
    if (this.client !== undefined && 'socket' in this.client) this.client.socket.end();
  }
}

/**
 * Net::Server::INET: for inetd/xinetd (`server = /usr/bin/node`, `server_args = server.js`,
 * `wait = no`) and systemd socket units with Accept=yes. With xinetd the standard error is the
 * client's socket too, so log to `log_file` or `Sys::Syslog`, not to the default stderr logger.
 */
export class INET extends NetServer {
  override net_server_type(): string {
    return 'Net::Server::INET';
  }

  protected override personality(): Personality {
    return new InetPersonality();
  }

  /** Nothing to bind: the connection is already on standard input. */
  override async pre_bind(): Promise<void> {
    this.log(2, `${log_time()} ${this.constructor.name} (type ${this.net_server_type()}) starting! pid(${process.pid})`);
    this.server.sock = [];
    this.server._bind = [];
  }

  override async bind(): Promise<void> {}

  /** Each connection is its own process under inetd: a HUP only reopens the log file (Net::Server's INET does not restart). */
  override async hup_server(): Promise<void> {}
}
