#!/usr/bin/env node
// poets-nscad: a drop-in for the nsca daemon (see ../daemon/nscad.ts).
import { fstatSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lineLogger, silentLogger, type Logger } from '@poets/kernel';
import { DEFAULT_CONFIG, Nscad } from '../daemon/nscad.js';
import { ConfigError, ListenError, OutputError } from '../errors.js';

const USAGE = `poets-nscad - Nagios Service Check Acceptor on the poets kernel

Usage: poets-nscad [-f] [-c <config_file>] [--single | --inetd | --daemon] [--json]

Exit status: 0 after SIGTERM or SIGINT (everything accepted written), 1 when it cannot listen,
cannot write its JSON output or fails, 2 for bad arguments or a configuration it refuses.

Options:
 -c <config_file> = nsca.cfg to use (re-read on SIGHUP). Without it: a built-in config
                    (127.0.0.1:5667, XOR, password 'poets') with results as JSON on stdout
 -f               = run in the foreground (poets-nscad always does: run it under a supervisor)
 --single         = one process serving every connection (the default)
 --inetd          = serve the one connection inetd/xinetd accepted, on standard input, then exit
                    (nsca_user/nsca_group apply; server_address, server_port and pid_file do not)
 --daemon         = taken as --single for now: one process serves every connection
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
  // The --daemon seam: a prefork pool (@poets/net-server's PreFork) starts here when it exists.
  if (values.daemon) process.stderr.write('poets-nscad: --daemon runs as --single: one process serves every connection\n');
  const json = values.json ?? values.c === undefined;
  if (values.c === undefined && !values.inetd) process.stderr.write(`poets-nscad: no -c given: using the built-in config:\n${DEFAULT_CONFIG.trimEnd().replace(/^/gm, '  ')}\n`);
  let daemon: Nscad;
  try {
    daemon = Nscad.start({ ...(values.c === undefined ? {} : { configPath: values.c }), json, ...(values.inetd ? { inetd: true, logger: inetdLogger() } : {}) });
  } catch (error) {
    process.stderr.write(`poets-nscad: ${error instanceof ConfigError ? 'configuration error: ' : ''}${(error as Error).message}\n`);
    return 2;
  }
  daemon.done.then(
    () => process.stdout.write('', () => process.exit(0)),
    (error: unknown) => {
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
