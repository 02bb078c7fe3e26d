/**
 * Replaces known secret values anywhere inside a JSON log line (messages, fields, keys, error stacks), keeping
 * the line valid JSON. Lines without a secret pass through untouched (one substring check per secret).
 */
export const CENSORED = '[redacted]';

export type Censor = (line: string) => string;

export function createCensor(secrets: readonly string[]): Censor {
  const values = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  if (values.length === 0) return (line) => line;
  // How each secret appears inside JSON text (quotes, backslashes, control characters escaped).
  const needles = values.map((v) => JSON.stringify(v).slice(1, -1));
  const scrubString = (text: string): string => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join(CENSORED);
    return out;
  };
  const scrub = (value: unknown): unknown => {
    if (typeof value === 'string') return scrubString(value);
    if (Array.isArray(value)) return value.map(scrub);
    if (typeof value === 'object' && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrubString(k), scrub(v)]));
    }
    return value;
  };
  return (line) => {
    if (!needles.some((needle) => line.includes(needle))) return line;
    const newline = line.endsWith('\n') ? '\n' : '';
    try {
      return JSON.stringify(scrub(JSON.parse(line))) + newline;
    } catch {
      // Not JSON (should not happen with pino): censor the raw text.
      let out = line;
      for (const needle of needles) out = out.split(needle).join(CENSORED);
      return out;
    }
  };
}
