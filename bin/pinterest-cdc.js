#!/usr/bin/env node
// Runs the compiled CLI when built; falls back to the TypeScript sources through swc for a checkout.
const path = require('node:path');
const fs = require('node:fs');
const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
let cli;
if (fs.existsSync(compiled) && !process.env.PINTEREST_CDC_FROM_SOURCE) {
  cli = require(compiled);
} else {
  require('@swc-node/register');
  cli = require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
}
cli.runAsProcess(process.argv);
