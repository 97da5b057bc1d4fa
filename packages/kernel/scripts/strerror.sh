#!/bin/sh
# Regenerates src/strerror-table.ts from the C library of this machine (run it on Linux with glibc:
# its texts are what Perl's "$!", and so POE, prints there).
set -e
cd "$(dirname "$0")/.."
node -e 'for (const [name, n] of Object.entries(require("node:os").constants.errno)) console.log(name + " " + n)' |
  python3 scripts/strerror.py > src/strerror-table.ts
