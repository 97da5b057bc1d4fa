// sleep: wait without blocking; every other script runs meanwhile.
import { log_debug, sleep } from '@poets/agent';

export async function init() {
  log_debug('Waiting for 1 second');
  await sleep(1000); // Other tasks can execute while we wait
  log_debug('It is now one second later');
}
