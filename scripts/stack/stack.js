#!/usr/bin/env node
'use strict';
/**
 * node scripts/stack/stack.js up|down|status|broker [--dir <state dir>] [--secure] [--brokers N]
 *
 *   up      start Kafka + Apicurio (or find them running) and print KAFKA_BROKERS=... and
 *           SCHEMA_REGISTRY_URL=... on stdout (progress goes to stderr); also written to <dir>/env.
 *           --secure: Kafka's client port speaks SASL_SSL (SCRAM-SHA-512, a CA made for this start) and the
 *           registry requires basic auth; also prints KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_* and
 *           SCHEMA_REGISTRY_USERNAME/PASSWORD
 *           --brokers N: N KRaft nodes (default 1); with 3, topics get replication factor 3 and
 *           min.insync.replicas 2 (KAFKA_BROKERS lists every node)
 *   down    stop them (every node), wait until their ports are free, remove the data
 *   broker stop|kill|start <id>
 *           stop node <id> keeping its data (kill: SIGKILL, a crash), or start it again on that data
 *   status  print the state; exit 0 when running, 3 when not
 *
 * The state dir defaults to .stack/ in the repository (or STACK_DIR).
 */
const {envLines, stackStatus, startBroker, startStack, stopBroker, stopStack} = require('./index');
const {brokersOf} = require('./brokers');
const {USAGE, parseStackArgs} = require('./cli-args');

/** @param {string[]} argv */
async function main(argv) {
  const parsed = parseStackArgs(argv, process.env.STACK_DIR || '.stack');
  if ('error' in parsed) {
    process.stderr.write(`${parsed.error}\n${USAGE}\n`);
    return 2;
  }
  const {dir} = parsed;
  switch (parsed.command) {
    case 'up': {
      const stack = await startStack({dir, secure: parsed.secure, brokers: parsed.brokers});
      process.stdout.write(envLines(stack.env).join('\n') + '\n');
      return 0;
    }
    case 'down': {
      const {stopped} = await stopStack({dir});
      process.stderr.write(stopped ? '[stack] stack stopped\n' : `[stack] no stack recorded in ${dir}\n`);
      return 0;
    }
    case 'broker': {
      if (parsed.action === 'start') await startBroker({dir, id: parsed.id});
      else await stopBroker({dir, id: parsed.id, kill: parsed.action === 'kill'});
      return 0;
    }
    case 'status': {
      const status = await stackStatus({dir});
      const s = status.state;
      if (s) {
        process.stderr.write(
          `[stack] ${status.running ? 'running' : 'NOT healthy'} in ${s.dir} since ${s.startedAt}\n` +
            brokersOf(s)
              .map(
                (b) =>
                  `[stack]   Kafka ${s.kafka.version} node ${b.id}: ${b.pid ? `PID ${b.pid}` : 'stopped'}, ` +
                  `port ${b.port} (controller ${b.controllerPort}), log ${b.log}\n`
              )
              .join('') +
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
