#!/usr/bin/env node
// poets-nscad: a drop-in for the nsca daemon (see ../daemon/nscad.ts).
import cluster from 'node:cluster';
import { fstatSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { lineLogger, silentLogger, type Logger } from '@poets/kernel';
import { DEFAULT_CONFIG, Nscad } from '../daemon/nscad.js';
import { ConfigError, ListenError, OutputError } from '../errors.js';

const USAGE = `poets-nscad - Nagios Service Check Acceptor on the poets kernel

Usage: poets-nscad [-f] [-c <config_file>] [--single | --inetd | --daemon [--workers <n>]] [--json]

Exit status: 0 after SIGTERM or SIGINT (everything accepted written), 1 when it cannot listen,
cannot write its JSON output or fails, 2 for bad arguments or a configuration it refuses.

Options:
 -c <config_file> = nsca.cfg to use (re-read on SIGHUP). Without it: a built-in config
                    (127.0.0.1:5667, XOR, password 'poets') with results as JSON on stdout
 -f               = run in the foreground (poets-nscad always does: run it under a supervisor)
 --single         = one process serving every connection (the default)
 --inetd          = serve the one connection inetd/xinetd accepted, on standard input, then exit
                    (nsca_user/nsca_group apply; server_address, server_port and pid_file do not)
 --daemon         = a pool of worker processes accepts and decrypts the connections; this process
                    alone writes the command file (each line whole) and replaces a worker that dies
 --workers <n>    = --daemon's worker processes (default: the CPUs this process may use, ${availableParallelism()} here; 1 serves in one process)
 --json           = print each check as one JSON object per line on stdout, not to command_file
 -h, --help       = this text
`;

function main(argv: string[]): number | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        c: { type: 'string' },
        f: { type: 'boolean' },
        single: { type: 'boolean' },
        daemon: { type: 'boolean' },
        inetd: { type: 'boolean' },
        json: { type: 'boolean' },
        workers: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const modes = (['single', 'inetd', 'daemon'] as const).filter((mode) => values[mode]);
  if (modes.length > 1) {
    process.stderr.write(`poets-nscad: --${modes.join(' and --')} cannot be combined\n\n${USAGE}`);
    return 2;
  }
  let workers = availableParallelism();
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!values.daemon || !/^\d+$/.test(values.workers) || workers < 1) {
      process.stderr.write(`poets-nscad: --workers ${values.workers}: ${values.daemon ? 'a whole number ≥ 1 is needed' : 'only with --daemon'}\n\n${USAGE}`);
      return 2;
    }
  }
  // --daemon: node:cluster re-runs this script in each worker, with the same arguments
  const worker = values.daemon === true && cluster.isWorker;
  const json = values.json ?? values.c === undefined;
  if (values.c === undefined && !values.inetd && !worker) process.stderr.write(`poets-nscad: no -c given: using the built-in config:\n${DEFAULT_CONFIG.trimEnd().replace(/^/gm, '  ')}\n`);
  let daemon: Nscad;
  try {
    // A pool of one is the primary alone: a worker's IPC to the writer costs CPU that no second core earns back.
    const mode = values.inetd ? { inetd: true, logger: inetdLogger() } : worker ? { worker: true } : values.daemon && workers > 1 ? { pool: { workers } } : {};
    daemon = Nscad.start({ ...(values.c === undefined ? {} : { configPath: values.c }), json, ...mode });
  } catch (error) {
    process.stderr.write(`poets-nscad: ${error instanceof ConfigError ? 'configuration error: ' : ''}${(error as Error).message}\n`);
    return 2;
  }
  daemon.done.then(
    () => process.stdout.write('', () => process.exit(0)),
    (error: unknown) => {
      // a worker has told the primary why it cannot listen; the primary says it
      if (worker && error instanceof ListenError) return void process.exit(1);
      const message = error instanceof ListenError || error instanceof OutputError ? error.message : ((error as Error).stack ?? String(error));
      process.stderr.write(`poets-nscad: ${message}\n`, () => process.exit(1));
    },
  );
  return undefined;
}

/**
 * Under xinetd the standard error is the client's socket: nscad's lines would corrupt the NSCA
 * exchange, so they go nowhere there (nsca logs to syslog); with stderr elsewhere, to stderr.
 */
function inetdLogger(): Logger {
  try {
    const err = fstatSync(2);
    const input = fstatSync(0);
    if (err.dev === input.dev && err.ino === input.ino) return silentLogger;
  } catch {
    return silentLogger;
  }
  return lineLogger((line) => void process.stderr.write(`${line}\n`));
}

const status = main(process.argv.slice(2));
if (status !== undefined) process.exitCode = status;
