import { existsSync } from 'node:fs';
import { describe, it } from 'vitest';

/** The real programs in `programs` that are not installed. */
export function missingPrograms(programs: readonly string[]): string[] {
  return programs.filter((program) => !existsSync(program));
}

/**
 * `describe` for a suite that drives real programs. All installed: the suite runs. One missing:
 * under CI (env CI set) the suite FAILS, naming what is missing (`.ci/run` installs them);
 * outside CI it is skipped, saying why.
 */
export function describeWithPrograms(programs: readonly string[], name: string, body: () => void): void {
  const missing = missingPrograms(programs);
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    describe(name, () => {
      it(`needs ${missing.join(', ')}`, () => {
        throw new Error(`CI is set and ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not installed (.ci/run installs the peers)`);
      });
    });
    return;
  }
  console.warn(`skipping '${name}': ${missing.join(', ')} not installed (set CI to make this a failure)`);
  describe.skip(name, body);
}
