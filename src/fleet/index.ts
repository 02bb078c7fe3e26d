/** The fleet stage: where a shard runs (its task) and how a task's state is kept in its own partition. */
export {taskOf, taskWriterShard} from './task-of';
export {OWNER_HEADER, pinStateRecords} from './pinned-writer';
export {restoreTask, type TaskRestoreInput, type TaskRestoreResult} from './task-restore';
