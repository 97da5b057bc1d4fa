// The interop suites' peer checks live in the shared test support (every package's suites use them).
export { describeWithPeer, describeWithPrograms, missingPrograms } from '../../support/index.js';
