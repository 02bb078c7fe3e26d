#!/usr/bin/env node
// Runs the compiled CLI when built; falls back to the TypeScript sources through swc for a checkout.
const path = require('node:path');
const fs = require('node:fs');
const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
if (fs.existsSync(compiled) && !process.env.PINTEREST_CDC_FROM_SOURCE) {
  require(compiled).main(process.argv);
} else {
  require('@swc-node/register');
  require(path.join(__dirname, '..', 'src', 'cli', 'main.ts')).main(process.argv);
}
