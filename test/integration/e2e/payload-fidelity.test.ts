/**
 * Bad and unusual payloads end to end: the sandbox (its HTTP control route given the raw JSON text, so integers
 * beyond 2^53 reach it exactly) serves ad groups with big integers nested in targeting_spec, a big integer where a
 * string id is expected, a long beyond range, a wrong type, unknown fields, a new enum value, a huge string and
 * missing fields; one cycle of the real pipeline (client, differ, Avro, Kafka transactions) later, every changed
 * record is either an event whose fields hold exactly what the sandbox serves or a dead letter holding its raw JSON
 * with the exact digits. Nothing is dropped, nothing crashes.
 */
import {randomBytes} from 'node:crypto';

import {openPipeline} from '../../../src/app';
import {loadConfig} from '../../../src/config';
import {canonicalJson} from '../../../src/events';
import {parseLosslessJson} from '../../../src/events/lossless-json';
import {startSandbox, type RunningSandbox} from '../../../src/sandbox';
import {readCommitted} from '../helpers/committed-events';
import {readDeadLetters} from '../helpers/dead-letters';
import {serviceEnv} from '../helpers/service-env';
import {kafkaBrokers, schemaRegistryUrl} from '../setup/services';

const silent = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};
const BIG = '12345678901234567891';
const JUST_ABOVE = '9007199254740993'; // 2^53 + 1: JSON.parse would read 9007199254740992

describe('payload fidelity, end to end', () => {
  let sandbox: RunningSandbox;
  beforeAll(async () => {
    sandbox = await startSandbox({
      scale: {
        adAccounts: 1,
        campaignsPerAccount: 3,
        adGroupsPerCampaign: 3,
        adsPerAdGroup: 1,
        boards: 1,
        pins: 1,
      },
    });
  });
  afterAll(() => sandbox?.close());

  it('encodes each payload faithfully or dead-letters it with its exact raw JSON', async () => {
    const prefix = `payload_${randomBytes(4).toString('hex')}`;
    const config = loadConfig({
      env: serviceEnv(sandbox, prefix, {
        PINTEREST_CDC_SYNC__COLLECTIONS: 'ad_groups',
        PINTEREST_CDC_ANALYTICS__COLLECTIONS: '[]',
      }),
    });
    const cycle = async () => {
      const pipeline = await openPipeline(config, {logger: silent, version: 'test'});
      return pipeline.runCycle().finally(() => pipeline.close());
    };
    await cycle(); // first snapshot: every ad group as it is generated

    const groups = sandbox.control.truth('ad_groups').items.map((g) => String(g.id));
    expect(groups.length).toBeGreaterThanOrEqual(8);
    const huge = 'é\u{1F600}'.repeat(100_000);
    // Each change as raw JSON text: the integers beyond 2^53 must not pass through a JSON.parse on the way.
    const sets: Array<[string, string]> = [
      ['nested', `{"targeting_spec":{"AUDIENCE_INCLUDE":[${BIG}],"GEO":{"zip":${JUST_ABOVE}}}}`],
      ['string id as number', `{"promotion_id":${BIG}}`],
      ['long beyond range', `{"bid_in_micro_currency":${JUST_ABOVE}}`],
      ['wrong type', `{"auto_targeting_enabled":"yes","note":${BIG}}`],
      ['unknown fields', `{"brand_new_field":{"deep":[${BIG},{"x":null}]},"another_new":"v"}`],
      // Not `status`: the listing asks for the statuses it knows (entity_statuses), so a record with a new status
      // is not listed at all (docs/notes.md "Benchmarks and payloads").
      ['new enum value', `{"billable_event":"NEW_EVENT_2027","pacing_delivery_type":"WARP"}`],
      ['huge string', `{"name":${JSON.stringify(huge)}}`],
    ];
    const body =
      '{"changes":[' +
      sets
        .map(([, set], i) => `{"kind":"update","collection":"ad_groups","ids":["${groups[i]}"],"set":${set}}`)
        .concat(
          `{"kind":"update","collection":"ad_groups","ids":["${groups[sets.length]}"],"unset":["targeting_spec","name"]}`
        )
        .join(',') +
      ']}';
    const res = await fetch(`${sandbox.controlUrl}/changes`, {method: 'POST', body});
    expect(res.status).toBe(200);
    const changed = groups.slice(0, sets.length + 1);

    const summary = await cycle();
    const listing = summary.listings.find((l) => l.collection === 'ad_groups')!;
    expect(listing).toMatchObject({
      outcome: 'complete',
      fetched: groups.length,
      deadLetters: 2,
      heldDeletes: 0,
      events: {u: changed.length - 2, d: 0},
    });

    // Ground truth: what the sandbox serves now, read losslessly from its HTTP control route.
    const truthText = await (await fetch(`${sandbox.controlUrl}/truth/ad_groups`)).text();
    const truth = new Map(
      (parseLosslessJson(truthText) as {items: Array<Record<string, unknown>>}).items.map((g) => [
        String(g.id),
        g,
      ])
    );

    const events = await readCommitted({
      brokers: kafkaBrokers(),
      registryUrl: schemaRegistryUrl(),
      topics: [`${prefix}.ad_groups`],
    });
    const updates = new Map(
      events
        .filter((m) => (m.value as {op: string} | null)?.op === 'u')
        .map((m) => {
          const after = (m.value as {after: Record<string, unknown>}).after;
          return [String(after.id), after];
        })
    );
    const deadLetters = await readDeadLetters(prefix);
    const lettered = new Map(deadLetters.map((d) => [d.key?.id ?? '', d]));

    // Every changed record: an event or a dead letter, never both, never neither.
    for (const id of changed) expect([updates.has(id), lettered.has(id)]).toContain(true);
    expect(changed.filter((id) => updates.has(id) && lettered.has(id))).toEqual([]);

    const [nested, stringId, longBeyond, wrongType, unknown, newEnum, hugeString, missing] =
      changed as string[];
    expect(updates.get(nested!)!.targeting_spec).toBe(
      `{"AUDIENCE_INCLUDE":[${BIG}],"GEO":{"zip":${JUST_ABOVE}}}`
    );
    expect(updates.get(nested!)!.targeting_spec).toBe(canonicalJson(truth.get(nested!)!.targeting_spec));
    expect(updates.get(stringId!)!.promotion_id).toBe(BIG);
    // Beside the sandbox's own fields the schema does not know (is_automated_campaign...).
    const unknownJson = updates.get(unknown!)!.unknown_fields_json as string;
    expect(unknownJson).toContain(`"another_new":"v","brand_new_field":{"deep":[${BIG},{"x":null}]}`);
    expect(updates.get(newEnum!)!.billable_event).toBe('NEW_EVENT_2027');
    expect(updates.get(newEnum!)!.pacing_delivery_type).toBe('WARP');
    expect(updates.get(hugeString!)!.name).toBe(huge);
    expect(updates.get(missing!)!.targeting_spec).toBeNull();
    expect(updates.get(missing!)!.name).toBeNull();

    for (const [id, field] of [
      [longBeyond!, 'bid_in_micro_currency'],
      [wrongType!, 'auto_targeting_enabled'],
    ] as const) {
      const letter = lettered.get(id)!;
      expect(letter).toMatchObject({collection: 'ad_groups', reason: 'encode'});
      expect(letter.error.message).toContain(field);
      // The raw JSON is the sandbox's record, digits and all.
      expect(letter.raw_json).toContain(
        id === longBeyond ? `"bid_in_micro_currency":${JUST_ABOVE}` : `"note":${BIG}`
      );
      expect(canonicalJson(parseLosslessJson(letter.raw_json))).toBe(canonicalJson(truth.get(id)));
    }
  }, 180_000);
});
