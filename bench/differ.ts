/**
 * Differ benchmark: throughput of a first snapshot and of a second one with 1% changes over N records
 * (default 1,000,000; BENCH_RECORDS overrides), and state memory per tracked record (heap + arrayBuffers after
 * GC), hash-only and with images, against a baseline measured in the same run: a plain Map<string, string>
 * of hex MD5 hashes over the same canonical JSON.
 *
 *   node --expose-gc -r @swc-node/register bench/differ.ts [--quick]
 * --quick: the baseline and the default hash-only row only, first snapshot only (still at 1,000,000 records: the
 * memory target is stated there).
 */
import {hash as cryptoHash} from 'node:crypto';
import {campaigns} from '../src/collections';
import {canonicalJson, type JsonRecord} from '../src/events';
import {ShardState} from '../src/state';
import {SnapshotDiffer} from '../src/sync/differ';
import {jsHash64, md5Hash64, sha1Hash64, type Hasher64} from '../src/sync/fingerprint';
import {reportTarget} from './targets';

const N = Number(process.env.BENCH_RECORDS ?? 1_000_000);
const QUICK = process.argv.includes('--quick');
const ACCOUNT = '549755885175';
const gc = (globalThis as {gc?: () => void}).gc;
if (!gc) throw new Error('Run with node --expose-gc');

/** A realistic campaign (about 600 bytes of JSON); `version` > 0 changes 1% of the records. */
function record(i: number, version: number): JsonRecord {
  const changed = version > 0 && i % 100 === 0;
  return {
    id: '7' + String(i).padStart(17, '0'),
    ad_account_id: ACCOUNT,
    name: changed ? `Campaign ${i} v${version}` : `Campaign ${i}`,
    status: i % 10 === 0 ? 'ARCHIVED' : 'ACTIVE',
    summary_status: 'RUNNING',
    objective_type: 'CONSIDERATION',
    type: 'campaign',
    created_time: 1700000000 + i,
    updated_time: changed ? 1800000000 + version : 1700000000 + i,
    start_time: 1700000000,
    end_time: null,
    daily_spend_cap: 5_000_000 + i,
    lifetime_spend_cap: 0,
    order_line_id: null,
    is_automated_campaign: false,
    is_flexible_daily_budgets: null,
    is_campaign_budget_optimization: true,
    is_performance_plus: false,
    tracking_urls: {impression: ['https://t.example.com/i?c=' + i], click: []},
    bid_options: null,
  };
}

function* snapshot(version: number): Generator<JsonRecord> {
  for (let i = 0; i < N; i++) yield record(i, version);
}

function memory(): number {
  gc!();
  gc!();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

interface Row {
  name: string;
  firstPerSecond: number;
  secondPerSecond: number;
  secondEvents: number;
  bytesPerRecord: number;
}

/** The second (1% changed) snapshot: throughput only, so --quick leaves it out (the memory target is the first's). */
function secondPass(pass: (version: number) => {perSecond: number; events: number}) {
  return QUICK ? {perSecond: NaN, events: NaN} : pass(1);
}

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function runDiffer(name: string, hasher: Hasher64, keepImages: boolean): Row {
  const before = memory();
  const state = new ShardState('campaigns', ACCOUNT);
  const context = {name: 'bench', version: '0', collection: 'campaigns', adAccountId: ACCOUNT, syncId: 's'};
  const pass = (version: number) => {
    const differ = new SnapshotDiffer({declaration: campaigns, state, context, keepImages, hasher});
    let events = 0;
    const start = process.hrtime.bigint();
    for (const r of snapshot(version)) if (differ.push(r)) events++;
    events += differ.finish({complete: true}).deletes.length;
    return {perSecond: N / seconds(start), events};
  };
  const first = pass(0);
  const bytesPerRecord = (memory() - before) / state.size;
  const second = secondPass(pass);
  if (state.size !== N) throw new Error(`state has ${state.size} records, expected ${N}`);
  return {
    name,
    firstPerSecond: first.perSecond,
    secondPerSecond: second.perSecond,
    secondEvents: second.events,
    bytesPerRecord,
  };
}

/** The naive design: Map from id string to hex MD5 of the canonical JSON, no images. */
function runBaseline(): Row {
  const before = memory();
  const state = new Map<string, string>();
  const pass = (version: number) => {
    let events = 0;
    const start = process.hrtime.bigint();
    for (const r of snapshot(version)) {
      const hex = cryptoHash('md5', canonicalJson(r), 'hex');
      const key = r.id as string;
      if (state.get(key) !== hex) {
        state.set(key, hex);
        events++;
      }
    }
    return {perSecond: N / seconds(start), events};
  };
  const first = pass(0);
  const bytesPerRecord = (memory() - before) / state.size;
  const second = secondPass(pass);
  return {
    name: 'baseline Map<string, hex md5>',
    firstPerSecond: first.perSecond,
    secondPerSecond: second.perSecond,
    secondEvents: second.events,
    bytesPerRecord,
  };
}

function generationOnly(): number {
  const start = process.hrtime.bigint();
  let n = 0;
  for (const r of snapshot(0)) n += (r.id as string).length;
  if (n === 0) throw new Error('unreachable');
  return N / seconds(start);
}

function hasherOnly(hasher: Hasher64): number {
  const texts = Array.from({length: 100_000}, (_, i) => canonicalJson(record(i, 0)));
  const out = new Uint32Array(2);
  const start = process.hrtime.bigint();
  for (let round = 0; round < 5; round++) for (const text of texts) hasher(text, out);
  return (5 * texts.length) / seconds(start);
}

const fmt = (n: number) => (Number.isNaN(n) ? '-' : Math.round(n).toLocaleString('en-US'));
const ratio = (n: number, base: number) => (Number.isNaN(n) ? '-' : `${(n / base).toFixed(2)}x`);

console.log(
  `differ benchmark: ${N.toLocaleString('en-US')} records (campaign-like, ~${canonicalJson(record(1, 0)).length} bytes canonical JSON), node ${process.version}`
);
console.log(`record generation alone: ${fmt(generationOnly())} records/s (included in every row below)`);
const sha1Rate = hasherOnly(sha1Hash64);
const md5Rate = hasherOnly(md5Hash64);
const jsRate = hasherOnly(jsHash64);
console.log(
  `hash alone over canonical text: sha1 ${fmt(sha1Rate)}/s (1.00x), md5 ${fmt(md5Rate)}/s (${ratio(md5Rate, sha1Rate)}), jsHash64 ${fmt(jsRate)}/s (${ratio(jsRate, sha1Rate)})`
);

const baseline = runBaseline();
const rows = [
  baseline,
  runDiffer('SnapshotDiffer hash-only, sha1 (default)', sha1Hash64, false),
  ...(QUICK
    ? []
    : [
        runDiffer('SnapshotDiffer hash-only, jsHash64', jsHash64, false),
        runDiffer('SnapshotDiffer with images, sha1 (default)', sha1Hash64, true),
      ]),
];
console.log('');
console.log(
  '| state | first snapshot records/s | vs baseline | second (1% changed) records/s | vs baseline | events in second | bytes per tracked record | vs baseline |'
);
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const row of rows) {
  console.log(
    `| ${row.name} | ${fmt(row.firstPerSecond)} | ${ratio(row.firstPerSecond, baseline.firstPerSecond)} | ${fmt(row.secondPerSecond)} | ${ratio(row.secondPerSecond, baseline.secondPerSecond)} | ${fmt(row.secondEvents)} | ${row.bytesPerRecord.toFixed(1)} | ${ratio(row.bytesPerRecord, baseline.bytesPerRecord)} |`
  );
}
const hashOnly = rows[1]!;
console.log('');
console.log(
  `target hash-only <= 120 bytes per tracked record: ${hashOnly.bytesPerRecord <= 120 ? 'met' : 'NOT met'} (${hashOnly.bytesPerRecord.toFixed(1)})`
);
reportTarget({
  id: 'differ.bytes-per-record',
  label: `state bytes per tracked record at ${N.toLocaleString('en-US')} records, hash-only`,
  value: hashOnly.bytesPerRecord,
  op: '<=',
  limit: 120,
  detail: `baseline Map<string, hex md5> ${baseline.bytesPerRecord.toFixed(1)}`,
});
console.log('Differ rows include building each event and its changelog record; the baseline builds neither.');
