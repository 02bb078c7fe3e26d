/**
 * package.json's `engines.node` is honest: every package in package-lock.json (dependencies and dev dependencies)
 * accepts the oldest Node it allows, so `npm ci` prints no EBADENGINE on any Node the project claims to support,
 * and the runtime dependencies alone accept every Node 20. Reads the lock file only (no install).
 */
import {readFileSync} from 'node:fs';
import {join} from 'node:path';

import semver from 'semver';

const ROOT = join(__dirname, '..', '..', '..');

interface LockedPackage {
  version?: string;
  dev?: boolean;
  engines?: {node?: string} | string[];
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {engines: {node: string}};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockedPackage>;
};

function refusing(node: string, include: (p: LockedPackage) => boolean): string[] {
  return Object.entries(lock.packages)
    .filter(([path, p]) => path !== '' && include(p))
    .flatMap(([path, p]) => {
      const range = Array.isArray(p.engines) ? undefined : p.engines?.node;
      if (range === undefined || semver.satisfies(node, range, {includePrerelease: true})) return [];
      return [`${path.replace(/^.*node_modules\//, '')}@${p.version ?? '?'} wants node ${range}`];
    });
}

describe('engines', () => {
  const oldest = semver.minVersion(pkg.engines.node)?.version ?? 'unparsable';

  it('claims Node 20 (the Dockerfile and CI run 20.x)', () => {
    expect(pkg.engines.node).toBe('>=20.19.0');
    expect(semver.major(oldest)).toBe(20);
  });

  it('every locked package accepts the oldest Node the project claims', () => {
    expect(refusing(oldest, () => true)).toEqual([]);
  });

  it('the runtime dependencies accept every Node 20 (20.0.0 up)', () => {
    expect(refusing('20.0.0', (p) => p.dev !== true)).toEqual([]);
  });

  it('finds a refusal where there is one (a negative control on the check itself)', () => {
    expect(refusing('18.0.0', () => true).length).toBeGreaterThan(0);
  });
});
