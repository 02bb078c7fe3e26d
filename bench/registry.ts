/**
 * Every benchmark `npm run bench` runs, in order. Adding one is one entry: its file, how node starts it, its
 * arguments for a full and a `--quick` run, whether it needs Kafka, and the targets it reports (bench/targets.ts);
 * a listed target the bench does not report (absent file, crash) is counted as not met, "not measured".
 */
export interface BenchEntry {
  /** File under bench/. */
  readonly file: string;
  /** Node flags before `-r @swc-node/register`. */
  readonly nodeFlags?: readonly string[];
  readonly args: {readonly full: readonly string[]; readonly quick: readonly string[]};
  /** Extra environment, full and quick. */
  readonly env?: {readonly full?: Record<string, string>; readonly quick?: Record<string, string>};
  /** Needs KAFKA_BROKERS + SCHEMA_REGISTRY_URL (the runner starts a private stack when they are unset). */
  readonly kafka: boolean;
  /** Targets the bench reports: id -> label, for the "not measured" line when it does not. */
  readonly targets: Readonly<Record<string, string>>;
}

export const BENCHES: readonly BenchEntry[] = [
  {
    file: 'pinterest-requests.ts',
    args: {full: [], quick: ['--quick']},
    kafka: false,
    targets: {
      'pinterest.requests-per-full-read': 'API requests per full read / minimum the API allows',
      'pinterest.time-under-budget': 'entity read time under an ads_read budget / time the budget implies',
    },
  },
  {
    file: 'analytics.ts',
    nodeFlags: ['--expose-gc'],
    args: {full: [], quick: ['--ads', '5000', '--cycles', '2']},
    kafka: false,
    targets: {
      'analytics.requests-per-cycle': 'analytics requests per cycle / minimum (worst cycle)',
      'analytics.time-under-budget': 'analytics cycle time / max(budget-implied, bare read) (worst cycle)',
      'analytics.rate-limited': 'analytics 429s drawn',
    },
  },
  {
    file: 'differ.ts',
    nodeFlags: ['--expose-gc'],
    args: {full: [], quick: ['--quick']},
    kafka: false,
    targets: {'differ.bytes-per-record': 'state bytes per tracked record at 1,000,000 records, hash-only'},
  },
  {
    file: 'events-throughput.ts',
    args: {full: [], quick: ['--events', '20000', '--rounds', '2']},
    kafka: true,
    targets: {
      'events.ratio-vs-raw': 'events/s (Avro + transactions) / raw kafkajs producer of the same bytes',
    },
  },
  {
    file: 'kafka-writer.ts',
    args: {full: [], quick: ['--messages', '20000', '--records', '200000', '--rounds', '1']},
    kafka: true,
    targets: {},
  },
  {
    file: 'first-sync.ts',
    args: {full: [], quick: ['--pins', '50000']},
    kafka: true,
    targets: {},
  },
  {
    file: 'sandbox.ts',
    args: {full: [], quick: []},
    env: {quick: {BENCH_SECONDS: '1'}},
    kafka: false,
    targets: {},
  },
  {file: 'sandbox-analytics.ts', args: {full: [], quick: []}, kafka: false, targets: {}},
  {
    file: 'fleet.ts',
    args: {full: [], quick: ['--quick']},
    kafka: true,
    targets: {
      'fleet.rebalance-time':
        "seconds from an instance's SIGKILL until the others hold its tasks (fenced, restored)",
      'fleet.rate-limited': "429s drawn by 3 instances sharing one connection's budget, steady cycles",
    },
  },
];
