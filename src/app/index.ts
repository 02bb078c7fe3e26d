export {openPipeline, syncTopics} from './pipeline';
export type {Pipeline, PipelineDeps} from './pipeline';
export {KafkaTokenStore} from './kafka-token-store';
export {runService, reopenPipeline} from './service';
export type {ServiceDeps} from './service';
