#!/usr/bin/env node
// poets-nscad: a drop-in for the nsca daemon (see ../daemon/nscad.ts).
import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, Nscad } from '../daemon/nscad.js';
import { ConfigError, ListenError, OutputError } from '../errors.js';

const USAGE = `poets-nscad - Nagios Service Check Acceptor on the poets kernel

Usage: poets-nscad [-f] [-c <config_file>] [--single] [--json]

Exit status: 0 after SIGTERM or SIGINT (everything accepted written), 1 when it cannot listen,
cannot write its JSON output or fails, 2 for bad arguments or a configuration it refuses.

Options:
 -c <config_file> = nsca.cfg to use (re-read on SIGHUP). Without it: a built-in config
                    (127.0.0.1:5667, XOR, password 'poets') with results as JSON on stdout
 -f               = run in the foreground (poets-nscad always does; accepted for nsca's scripts)
 --single         = one process (poets-nscad's only mode; --daemon is taken as --single)
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
  if (values.inetd) {
    process.stderr.write('poets-nscad: --inetd is not supported; run it standalone (--single)\n');
    return 2;
  }
  if (values.daemon) process.stderr.write('poets-nscad: --daemon runs as --single: one process serves every connection\n');
  const json = values.json ?? values.c === undefined;
  if (values.c === undefined) process.stderr.write(`poets-nscad: no -c given: using the built-in config:\n${DEFAULT_CONFIG.trimEnd().replace(/^/gm, '  ')}\n`);
  let daemon: Nscad;
  try {
    daemon = Nscad.start({ ...(values.c === undefined ? {} : { configPath: values.c }), json });
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

const status = main(process.argv.slice(2));
if (status !== undefined) process.exitCode = status;
