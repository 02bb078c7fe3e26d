// Installs the locked dependencies when they are missing or older than package-lock.json, so that
// `npm run demo` and `npm test` each work as the first command on a fresh clone.
const {spawnSync} = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

function ensureDependencies(root = path.resolve(__dirname, '..')) {
  const lock = path.join(root, 'package-lock.json');
  const installed = path.join(root, 'node_modules', '.package-lock.json');
  const fresh = fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs;
  if (fresh) return;
  process.stderr.write('Installing dependencies (npm ci)...\n');
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {cwd: root, stdio: 'inherit'});
  if (result.status !== 0) {
    process.stderr.write('npm ci failed; see above.\n');
    process.exit(result.status ?? 1);
  }
}

module.exports = {ensureDependencies};
if (require.main === module) ensureDependencies();
