/**
 * The external tools some tests run (helm, docker-compose, hadolint, promtool, prometheus), installed on first use by
 * scripts/install-tool.js into .tools/ (pinned, verified; or <TOOL>_BIN). A tool that cannot be installed fails the
 * test that needs it, with the installer's reason: these checks never skip.
 */
import {spawnSync} from 'node:child_process';
import {join} from 'node:path';

const ROOT = join(__dirname, '..');

export type ToolName = 'helm' | 'docker-compose' | 'hadolint' | 'promtool' | 'prometheus';

const installed = new Map<ToolName, string>();

/** The path of `name`, installing it first when needed (seconds the first time, then well under one). */
export function tool(name: ToolName): string {
  const known = installed.get(name);
  if (known) return known;
  const result = spawnSync(process.execPath, [join(ROOT, 'scripts', 'install-tool.js'), name], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(
      `${name} is needed for this check and scripts/install-tool.js could not install it (exit ` +
        `${String(result.status)}): ${result.stderr.trim()}`
    );
  }
  const path = result.stdout.trim();
  installed.set(name, path);
  return path;
}
