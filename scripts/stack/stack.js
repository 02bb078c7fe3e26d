#!/usr/bin/env node
'use strict';
/**
 * node scripts/stack/stack.js up|down|status [--dir <state dir>] [--secure]
 *
 *   up      start Kafka + Apicurio (or find them running) and print KAFKA_BROKERS=... and
 *           SCHEMA_REGISTRY_URL=... on stdout (progress goes to stderr); also written to <dir>/env.
 *           --secure: Kafka's client port speaks SASL_SSL (SCRAM-SHA-512, a CA made for this start) and the
 *           registry requires basic auth; also prints KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_* and
 *           SCHEMA_REGISTRY_USERNAME/PASSWORD
 *   down    stop them, wait until their ports are free, remove the data
 *   status  print the state; exit 0 when running, 3 when not
 *
 * The state dir defaults to .stack/ in the repository (or STACK_DIR).
 */
const {envLines, stackStatus, startStack, stopStack} = require('./index');

function usage() {
  process.stderr.write('usage: node scripts/stack/stack.js up|down|status [--dir <state dir>] [--secure]\n');
  return 2;
}

/** @param {string[]} argv */
async function main(argv) {
  const command = argv[0];
  let dir = process.env.STACK_DIR || '.stack';
  let secure = false;
  for (let i = 1; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--secure' && command === 'up') secure = true;
    else if (arg === '--dir' && argv[i + 1]) dir = /** @type {string} */ (argv[++i]);
    else if (arg && arg.startsWith('--dir=')) dir = arg.slice('--dir='.length);
    else return usage();
  }
  switch (command) {
    case 'up': {
      const stack = await startStack({dir, secure});
      process.stdout.write(envLines(stack.env).join('\n') + '\n');
      return 0;
    }
    case 'down': {
      const {stopped} = await stopStack({dir});
      process.stderr.write(stopped ? '[stack] stack stopped\n' : `[stack] no stack recorded in ${dir}\n`);
      return 0;
    }
    case 'status': {
      const status = await stackStatus({dir});
      const s = status.state;
      if (s) {
        process.stderr.write(
          `[stack] ${status.running ? 'running' : 'NOT healthy'} in ${s.dir} since ${s.startedAt}\n` +
            `[stack]   Kafka ${s.kafka.version}: PID ${s.kafka.pid}, port ${s.kafka.port} ` +
            `(controller ${s.kafka.controllerPort}), log ${s.kafka.log}\n` +
            `[stack]   Apicurio ${s.registry.version} on Java ${s.registry.javaVersion}: PID ${s.registry.pid}, ` +
            `port ${s.registry.port} (management ${s.registry.managementPort}), log ${s.registry.log}\n` +
            (s.security
              ? `[stack]   secured: Kafka SASL_SSL ${s.security.kafka.mechanism} (CA ${s.security.caFile}), ` +
                `registry basic auth\n`
              : '')
        );
      }
      for (const problem of status.problems) process.stderr.write(`[stack]   ${problem}\n`);
      if (status.running && s) process.stdout.write(envLines(s.env).join('\n') + '\n');
      return status.running ? 0 : 3;
    }
    default:
      return usage();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(
      `[stack] ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`
    );
    process.exit(1);
  }
);
