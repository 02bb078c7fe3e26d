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
cli.endQuietlyOnClosedPipe(process.stdout, (code) => process.exit(code));
cli.main(process.argv).then((code) => {
  // The command is over: Node exits once nothing is left to do. Something still open 5 s later (a client library
  // reconnecting after its shutdown, say) would keep the process, and a Kubernetes pod, alive until SIGKILL: name
  // it and exit. unref(): this timer alone keeps nothing alive.
  globalThis
    .setTimeout(() => {
      // What keeps the process (this unref'd timer is not counted); sockets by peer, through an undocumented but
      // long-standing API, counting only those that hold the process (an idle keep-alive socket does not).
      const sockets = (process._getActiveHandles?.() ?? [])
        .filter((h) => h && h.remotePort && h._handle?.hasRef?.() !== false)
        .map((h) => `TCP to ${h.remoteAddress}:${h.remotePort}`);
      const others = process.getActiveResourcesInfo().filter((r) => r !== 'TCPSocketWrap');
      const open = [...sockets, ...others];
      process.stderr.write(
        `pinterest-cdc: exiting ${code}; still open 5 s after the command ended: ${open.join(', ') || 'timers'}\n`
      );
      process.exit(code);
    }, 5000)
    .unref();
});
