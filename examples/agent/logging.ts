// log, log_error and log_debug write to the agent's log at info, error and debug level.
import { log, log_debug, log_error } from '@poets/agent';

const state = { calls: 0 };

export function init() {
  log('Informational message');
  log_error('Something went wrong');
  log_debug(`Internal state: ${JSON.stringify(state)}`);
}
