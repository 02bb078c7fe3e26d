export type {ChangeEvent, EventKey, EventSource, JsonRecord, Op, SyncContext} from './change-event';
export {CONNECTOR_NAME} from './change-event';
export {buildChangeEvent, changedTopLevelFields, sourceTsMs} from './build';
export type {BuildEventInput} from './build';
export {canonicalJson, canonicalRecord} from './canonical-json';
export type {CanonicalRecord, NestedTexts} from './canonical-json';
