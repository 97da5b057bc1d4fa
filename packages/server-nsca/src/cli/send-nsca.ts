#!/usr/bin/env node
// poets-send-nsca: a drop-in for send_nsca 2.10 (see ./send-nsca-main.ts).
import { KILLED_BY_SIGPIPE, runSendNsca } from './send-nsca-main.js';

const code = await runSendNsca(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  program: process.argv[1] ?? 'poets-send-nsca',
});

function exit(): void {
  if (code === KILLED_BY_SIGPIPE) {
    // Die of SIGPIPE as send_nsca does. Node ignores the signal; a listener added and removed
    // puts its default action back.
    const ignore = (): void => {};
    process.on('SIGPIPE', ignore);
    process.off('SIGPIPE', ignore);
    process.kill(process.pid, 'SIGPIPE');
  }
  process.exit(code);
}

// As send_nsca's exit(): standard input may still be open; nothing else is left to do.
process.stdout.write('', () => process.stderr.write('', exit));
