#!/usr/bin/env node
'use strict';
/**
 * `npm run demo [-- flags]`: installs the locked dependencies when needed (ensure-deps), then runs
 * `pinterest-cdc demo [flags]` in this same process. One process, started by npm through `exec`: the signals npm
 * forwards (SIGINT, SIGTERM) reach the demo itself, which stops the service and the sandbox cleanly. A shell
 * between them (`a && b`) would swallow the signal and leave the demo running.
 */
const path = require('node:path');

require('./ensure-deps').ensureDependencies(path.resolve(__dirname, '..'));
process.argv.splice(2, 0, 'demo');
require('../bin/pinterest-cdc.js');
