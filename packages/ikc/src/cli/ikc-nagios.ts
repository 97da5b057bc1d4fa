#!/usr/bin/env node
// poets-ikc-nagios: check results from a NATS JetStream stream into the Nagios command file.
import { parseArgs } from 'node:util';
import { KERNEL, Session, poe_kernel } from '@poets/kernel';
import { NagiosConsumer, type NagiosConsumerOptions } from '../nagios.js';

const USAGE = `poets-ikc-nagios - write check results from NATS JetStream to the Nagios command file

Usage: poets-ikc-nagios -C <command_file> [-s nats://host:4222,...] [--stream NAME] [--subject SUBJ]
                        [--durable NAME] [--replicas N] [--ack-wait SECONDS]
                        [--user U --password P | --token T]

A check is acknowledged only after its line is written, so none is lost while this daemon
restarts. Stops cleanly on SIGTERM or SIGINT. Exit status 1 when it cannot start, 2 for bad
arguments.
`;

function main(argv: string[]): void {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        C: { type: 'string' },
        'command-file': { type: 'string' },
        s: { type: 'string' },
        servers: { type: 'string' },
        stream: { type: 'string' },
        subject: { type: 'string' },
        durable: { type: 'string' },
        replicas: { type: 'string' },
        'ack-wait': { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        token: { type: 'string' },
        h: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (values.h || values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const command_file = values.C ?? values['command-file'];
  if (command_file === undefined) {
    process.stderr.write(`a command file (-C) is required\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const options: NagiosConsumerOptions = { command_file, servers: (values.s ?? values.servers ?? '127.0.0.1:4222').split(',') };
  if (values.stream) options.stream = values.stream;
  if (values.subject) options.subject = values.subject;
  if (values.durable) options.durable_name = values.durable;
  if (values.replicas) options.replicas = Number(values.replicas);
  if (values['ack-wait']) options.ack_wait = Number(values['ack-wait']);
  if (values.user) options.user = values.user;
  if (values.password) options.pass = values.password;
  if (values.token) options.token = values.token;
  const consumer = NagiosConsumer.spawn(options);
  consumer.ready.catch(() => (process.exitCode = 1));
  Session.create({
    inline_states: {
      _start: (_) => {
        // the alias keeps this session (and its signal watchers) while the consumer runs
        _[KERNEL].alias_set('ikc-nagios-signals');
        _[KERNEL].sig('TERM', 'stop');
        _[KERNEL].sig('INT', 'stop');
      },
      stop: (_) => {
        _[KERNEL].sig_handled();
        _[KERNEL].sig('TERM');
        _[KERNEL].sig('INT');
        _[KERNEL].alias_remove('ikc-nagios-signals');
        void consumer.shutdown();
      },
    },
  });
  poe_kernel.run().catch((error: Error) => {
    process.stderr.write(`poets-ikc-nagios: ${error.message}\n`);
    process.exitCode = 1;
  });
}

main(process.argv.slice(2));
