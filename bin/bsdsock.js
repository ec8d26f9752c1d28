#!/usr/bin/env node
// The `bsdsock` command (package.json "bin"): the compiled dist/cjs/cli/main.js.
'use strict';
require('../dist/cjs/cli/main.js').run(process.argv.slice(2));
