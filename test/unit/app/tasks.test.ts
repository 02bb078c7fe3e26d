/**
 * TaskSet taking and dropping tasks, stubbed at one seam: the pipeline outputs (each task's sink). No state topic
 * (`stateTopicExists: false`), so no changelog is read and Kafka is never touched.
 */
import type {PipelineOutputs, TaskSink} from '../../../src/app/pipeline-outputs';
import {TaskSet} from '../../../src/app/tasks';
import {loadConfig} from '../../../src/config';
import type {KafkaConnection} from '../../../src/kafka';
import {StateStore} from '../../../src/state';

const config = loadConfig({
  env: {
    KAFKA_BROKERS: '127.0.0.1:9092',
    SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8080/apis/ccompat/v7',
    PINTEREST_ACCESS_TOKEN: 'pina.x',
  },
});
const quiet = {debug: () => {}, info: () => {}, warn: () => {}, error: () => {}};

function taskSet(opening: (task: number) => Promise<void> = () => Promise.resolve()) {
  const opened: number[] = [];
  const closed: number[] = [];
  const outputs = {
    openSink: async (task: number): Promise<TaskSink> => {
      opened.push(task);
      await opening(task);
      return Promise.resolve({
        writeBatch: () => Promise.resolve(),
        close: () => {
          closed.push(task);
          return Promise.resolve();
        },
      });
    },
  } as unknown as PipelineOutputs;
  const tasks = new TaskSet({
    config,
    kafka: {} as KafkaConnection,
    outputs,
    stateTopicExists: false,
    state: new StateStore(),
    topics: {events: (c) => `t.${c}`, state: 't.state', deadLetters: 't.dlq'},
    taskCount: 3,
    connections: [],
    analyticsFor: () => {
      throw new Error('no analytics in this test');
    },
    encoder: {} as never,
    logger: quiet,
    version: 'test',
  });
  return {tasks, opened, closed};
}

describe('TaskSet', () => {
  it('opens a sink per gained task and closes the sinks of lost ones', async () => {
    const {tasks, opened, closed} = taskSet();
    await tasks.assign([0, 2]);
    expect(tasks.tasks()).toEqual([0, 2]);
    await tasks.assign([2, 1]);
    expect(tasks.tasks()).toEqual([1, 2]);
    expect(opened).toEqual([0, 2, 1]);
    expect(closed).toEqual([0]);
  });

  it('takes nothing after close: a rebalance while the service stops opens no writer', async () => {
    const {tasks, opened, closed} = taskSet();
    await tasks.assign([0]);
    await tasks.close();
    await tasks.assign([0, 1, 2]);
    expect(tasks.tasks()).toEqual([]);
    expect(opened).toEqual([0]);
    expect(closed).toEqual([0]);
  });

  it('skips the queued restores of tasks a newer assignment moved away (a rebalance during the restores)', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const {tasks, opened} = taskSet((task) => (task === 0 ? gate : Promise.resolve()));
    const first = tasks.assign([0, 1, 2]);
    await Promise.resolve();
    const second = tasks.assign([0, 2]);
    release();
    await Promise.all([first, second]);
    expect(opened).toEqual([0, 2]); // task 1 was never restored, only to be fenced by its new owner
    expect(tasks.tasks()).toEqual([0, 2]);
  });

  it('says which tasks a cycle ran: an early cycle (tasks still being restored) leaves the others out', async () => {
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const {tasks, opened} = taskSet((task) => (task === 2 ? gate : Promise.resolve()));
    const taking = tasks.assign([0, 1, 2]);
    // Tasks are restored one at a time: 0 and 1 are held while 2 is still opening.
    for (let i = 0; i < 100 && !opened.includes(2); i++)
      await new Promise((resolve) => setImmediate(resolve));
    expect(tasks.tasks()).toEqual([0, 1]);
    const options = {
      collections: [],
      adAccountIds: [],
      keepImages: [],
      connectorName: 'test',
      version: 'test',
    };
    expect((await tasks.runCycle(options)).tasks).toEqual([0, 1]);
    release();
    await taking;
    expect((await tasks.runCycle(options)).tasks).toEqual([0, 1, 2]);
  });
});
