import {ConfigError} from '../../../src/errors';

/** A readFile over a map of path -> content; other paths fail with ENOENT, as fs does. */
export function files(map: Record<string, string>): (path: string) => string {
  return (path) => {
    const text = map[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT ${path}`), {code: 'ENOENT'});
    return text;
  };
}

/** The problems of the ConfigError `fn` throws. */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected a ConfigError');
}
