import { Buffer } from 'node:buffer';
import { ADDRCONFIG, V4MAPPED, lookup as dnsLookup } from 'node:dns';
import type { Socket } from 'node:net';
import { constants } from 'node:os';
import { Writable, type Readable } from 'node:stream';
import {
  ARG0,
  ARG1,
  FilterBlock,
  FilterStream,
  KERNEL,
  Kernel,
  ReadWrite,
  SESSION,
  Session,
  SocketFactory,
  errnoOf,
  type Chunk,
  type EventArgs,
  type Postback,
} from '@poets/kernel';
import { INIT_PACKET_SIZE, IV_SIZE } from '../codec/constants.js';
import { encodePacket } from '../codec/packet.js';
import type { CryptStream } from '../ciphers/crypt-stream.js';
import { createCryptStream, isSupportedMethod } from '../ciphers/methods.js';
import { connectPort, parseSendNscaArgs, type SendNscaArgs } from './send-nsca-args.js';
import { readSendNscaConfig, type SendNscaConfig } from './send-nsca-config.js';
import { parseSet } from './send-nsca-input.js';
import { FilterNscaSets } from './send-nsca-sets.js';
import { banner, license, usage } from './send-nsca-text.js';

/**
 * poets-send-nsca: send_nsca 2.10 on the poets kernel. One session does what send_nsca does, in
 * its order and with its messages and exit codes:
 *
 * 1. arguments, then the config file (errors: exit 3, exit 2);
 * 2. one timer for the whole run (`-to`, default 10 s): when it fires, "Error: Timeout after N
 *    seconds" on standard error and exit 2, whatever was happening — reading standard input too;
 * 3. resolve the host (getaddrinfo's first address, IPv4 or IPv6) and connect (SocketFactory);
 * 4. read the 132-byte init packet (ReadWrite + Filter::Block); open the encryption stream;
 * 5. only then read standard input (ReadWrite + FilterNscaSets), sending one packet per set as
 *    it comes, all on this connection, all stamped with the init packet's timestamp;
 * 6. at the end of input: once every packet is written, close, print "N data packet(s) sent to
 *    host successfully." (not with --quiet, unless N = 0) and exit 0 (2 when N = 0). A set that
 *    is too long ends the run with exit 255 after the sets before it are written.
 *
 * Exit codes: 0 sent, 2 config/connect/init/encryption/timeout failure or nothing sent, 3 bad
 * arguments (or help) or a send error, 255 a set too long, and {@link KILLED_BY_SIGPIPE} where
 * send_nsca dies of SIGPIPE: when it writes to a daemon that has closed the connection (as nsca
 * does after a packet with a bad CRC). Linux lets the first write after the daemon's FIN through
 * and the daemon answers it with a reset, so the write after it fails with EPIPE. To meet the
 * same fate, once the daemon's FIN has come every packet is written by a write of its own, not
 * batched with the next ones. A daemon that only half-closes never resets, and the run goes on,
 * as send_nsca's does. A reset without a FIN makes the next write fail instead: "Error: Could not
 * send data to host", exit 3.
 */

/** What `runSendNsca` resolves with where send_nsca is killed by SIGPIPE (128 + 13, as a shell shows it). */
export const KILLED_BY_SIGPIPE = 141;

export interface SendNscaIO {
  /** Standard input (read only after the init packet, as send_nsca does). */
  readonly stdin: Readable;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** The program name the usage line shows (send_nsca shows its argv[0]). */
  readonly program: string;
  /**
   * Host name resolution, as send_nsca's getaddrinfo(AF_UNSPEC, AI_ADDRCONFIG | AI_V4MAPPED): the
   * first address. Default: `dns.lookup`.
   */
  readonly lookup?: (host: string, callback: (error: Error | null, address?: string, family?: number) => void) => void;
}

const defaultLookup: NonNullable<SendNscaIO['lookup']> = (host, callback) => {
  dnsLookup(host, { family: 0, hints: ADDRCONFIG | V4MAPPED, verbatim: true }, (error, address, family) =>
    callback(error, address ?? undefined, family),
  );
};

/** Output octets at which standard input is paused until the socket drains. */
const HIGH_MARK = 256 * 1024;
const LOW_MARK = 64 * 1024;

const { ECONNREFUSED, ETIMEDOUT, ENETUNREACH, EMSGSIZE, EPIPE } = constants.errno;

/** The line send_nsca prints for a failed connect(), by errno. */
function connectFailure(errno: number): string {
  switch (errno) {
    case ECONNREFUSED:
      return 'Connection refused by host';
    case ETIMEDOUT:
      return 'Timeout while attempting connection';
    case ENETUNREACH:
      return 'Network is unreachable';
    default:
      return 'Connection refused or timed out';
  }
}

interface Heap {
  resolver?: Postback;
  connector?: SocketFactory;
  socket?: Socket;
  server?: ReadWrite<Buffer, Chunk>;
  input?: ReadWrite<Buffer, Chunk>;
  sets?: FilterNscaSets;
  crypt?: CryptStream;
  timestamp: number;
  sent: number;
  /** The daemon's FIN came (the socket is in CLOSE_WAIT): each packet now goes in a write of its own. */
  serverClosed: boolean;
  /** The daemon reset the connection: the next write fails. */
  reset: boolean;
  inputDone: boolean;
  tooLong: boolean;
  exitCode: number | undefined;
}

type Ev = EventArgs<Heap>;

/** Runs poets-send-nsca with `argv` (without the program name); resolves with the exit code. */
export async function runSendNsca(argv: readonly string[], io: SendNscaIO): Promise<number> {
  const parsed = parseSendNscaArgs(argv);
  const { args } = parsed;
  if (!parsed.ok || args.showHelp || args.showLicense || args.showVersion) {
    if (!parsed.ok) io.stderr('Incorrect command line arguments supplied\n');
    let text = banner();
    if (!parsed.ok || args.showHelp) text += usage(io.program, args.legacy);
    if (args.showLicense) text += license();
    io.stdout(text);
    return 3;
  }
  const read = readSendNscaConfig(args.configFile);
  if (!read.ok) {
    io.stdout(`${read.message}\nError: Config file '${args.configFile}' contained errors...\n`);
    return 2;
  }
  return send(args, read.config, io);
}

function send(args: SendNscaArgs, config: SendNscaConfig, io: SendNscaIO): Promise<number> {
  const legacy = config.legacy ?? args.legacy;
  const method = config.encryptionMethod;
  const lookup = io.lookup ?? defaultLookup;
  const kernel = new Kernel({ warn: (line) => io.stderr(`${line}\n`) });
  const heap: Heap = { timestamp: 0, sent: 0, serverClosed: false, reset: false, inputDone: false, tooLong: false, exitCode: undefined };

  /** Ends the run at once, as send_nsca's exit() does: everything open is closed. */
  const finish = (_: Ev, code: number): void => {
    if (heap.exitCode !== undefined) return;
    heap.exitCode = code;
    _[KERNEL].alarm_remove_all();
    heap.resolver?.release();
    heap.connector?.destroy();
    heap.input?.destroy();
    heap.server?.destroy();
    heap.socket?.destroy();
  };

  const cannotConnect = (_: Ev, why: string): void => {
    io.stderr(`${why}\nError: Could not connect to host ${args.serverName} on port ${args.port}\n`);
    finish(_, 2);
  };

  const sendFailed = (_: Ev, errno: number): void => {
    if (errno === EPIPE) return finish(_, KILLED_BY_SIGPIPE);
    io.stderr('Error: Could not send data to host\n');
    finish(_, 3);
  };

  const sendSet = (_: Ev, set: Uint8Array): void => {
    const check = parseSet(set, { fieldDelimiter: args.fieldDelimiter, legacy });
    if (check === undefined) return;
    if (heap.reset) return sendFailed(_, 0);
    const packet = encodePacket({ ...check, timestamp: heap.timestamp }, { legacy });
    heap.crypt!.encrypt(packet);
    // put() passing HighMark is the signal to stop reading (POE's ReadWrite raises no HighEvent then).
    if (heap.server!.put(packet)) heap.input?.pause_input();
    if (heap.serverClosed) heap.server!.flush();
    heap.sent++;
  };

  /** At the end of input, once everything put is written: the last words and the exit code. */
  const maybeDone = (_: Ev): void => {
    if (!heap.inputDone || heap.exitCode !== undefined) return;
    if ((heap.server?.get_driver_out_messages() ?? 0) > 0) return; // 'flushed' comes back here
    // A write that failed is reported (ErrorEvent) after its callback: do not call it a success.
    const failed = heap.socket?.errored as NodeJS.ErrnoException | null | undefined;
    if (failed && (failed.syscall === 'write' || failed.syscall === 'writev')) return sendFailed(_, errnoOf(failed));
    if (heap.tooLong) {
      io.stdout('Error: Input set is longer than max allowed.\n');
      finish(_, 255);
      return;
    }
    if (heap.sent === 0 || !args.quiet) io.stdout(`${heap.sent} data packet(s) sent to host successfully.\n`);
    finish(_, heap.sent === 0 ? 2 : 0);
  };

  Session.create<Heap>({
    kernel,
    heap,
    inline_states: {
      _start: (_: Ev) => {
        _[KERNEL].delay('timeout', args.timeout);
        if (connectPort(args.port) === undefined) return cannotConnect(_, `Host name lookup failed: '${args.serverName}'`);
        const resolver = (heap.resolver = _[SESSION].postback('resolved'));
        lookup(args.serverName, (error, address, family) => resolver(error, address, family));
      },
      resolved: (_: Ev) => {
        heap.resolver?.release();
        heap.resolver = undefined;
        const [error, address, family] = _[ARG1] as [Error | null, string | undefined, number | undefined];
        if (error !== null || address === undefined || address === '') {
          return cannotConnect(_, `Host name lookup failed: '${args.serverName}'`);
        }
        heap.connector = new SocketFactory({
          SocketDomain: family === 6 ? 'AF_INET6' : 'AF_INET',
          RemoteAddress: address,
          RemotePort: connectPort(args.port)!,
          SuccessEvent: 'connected',
          FailureEvent: 'connect_failed',
        });
      },
      connect_failed: (_: Ev) => {
        const [operation, errno] = [_[ARG0] as string, _[ARG1] as number];
        heap.connector = undefined;
        cannotConnect(_, operation === 'connect' ? connectFailure(errno) : `Host name lookup failed: '${args.serverName}'`);
      },
      connected: (_: Ev) => {
        heap.connector = undefined;
        heap.socket = _[ARG0] as Socket;
        heap.server = new ReadWrite<Buffer, Chunk>({
          Handle: heap.socket,
          InputFilter: new FilterBlock({ BlockSize: INIT_PACKET_SIZE }),
          OutputFilter: new FilterStream(),
          InputEvent: 'init',
          ErrorEvent: 'server_error',
          FlushedEvent: 'flushed',
          HighMark: HIGH_MARK,
          LowMark: LOW_MARK,
          HighEvent: 'server_high',
          LowEvent: 'server_low',
        });
      },
      init: (_: Ev) => {
        if (heap.crypt !== undefined || heap.exitCode !== undefined) return; // nsca sends nothing more
        const block = _[ARG0] as Buffer;
        const iv = block.subarray(0, IV_SIZE);
        heap.timestamp = block.readUInt32BE(IV_SIZE);
        if (!isSupportedMethod(method)) {
          io.stderr(`Error: Failed to initialize encryption libraries for method ${method}\n`);
          return finish(_, 2);
        }
        heap.crypt = createCryptStream(method, config.password, iv);
        heap.sets = new FilterNscaSets({ blockDelimiter: args.blockDelimiter });
        heap.input = new ReadWrite<Buffer, Chunk>({
          InputHandle: io.stdin,
          OutputHandle: new Writable({ write: (_chunk, _encoding, done) => done() }),
          InputFilter: heap.sets,
          OutputFilter: new FilterStream(),
          InputEvent: 'set',
          ErrorEvent: 'input_error',
          keepHandle: true,
        });
      },
      server_error: (_: Ev) => {
        if (heap.exitCode !== undefined) return;
        const errno = _[ARG1] as number;
        if (heap.crypt === undefined) {
          io.stderr('Error: Server closed connection before init packet was received\nError: Could not read init packet from server\n');
          return finish(_, 2);
        }
        // send_nsca never reads again: what the daemon does shows at the next write.
        if (errno === 0) heap.serverClosed = true;
        else if (_[ARG0] === 'read') heap.reset = true;
        else return sendFailed(_, errno);
        maybeDone(_);
      },
      set: (_: Ev) => {
        if (heap.exitCode === undefined) sendSet(_, _[ARG0] as Buffer);
      },
      input_error: (_: Ev) => {
        if (heap.exitCode !== undefined || heap.inputDone) return;
        if (_[ARG1] === EMSGSIZE) heap.tooLong = true;
        else {
          // End of input (or a read error, taken as the end): what is left is the last set.
          const last = heap.sets!.get_pending();
          if (last !== undefined) sendSet(_, last[0]!);
        }
        if (heap.exitCode !== undefined) return;
        heap.inputDone = true;
        heap.input!.destroy();
        maybeDone(_);
      },
      flushed: (_: Ev) => maybeDone(_),
      server_high: () => heap.input?.pause_input(),
      server_low: () => heap.input?.resume_input(),
      timeout: (_: Ev) => {
        io.stderr(`Error: Timeout after ${args.timeout} seconds\n`);
        finish(_, 2);
      },
    },
  });

  return kernel.run().then(
    () => heap.exitCode ?? 3,
    (error: unknown) => {
      io.stderr(`poets-send-nsca: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
      return 3;
    },
  );
}

