export {openPipeline, pipelineTopics, syncTopics} from './pipeline';
export type {Pipeline, PipelineDeps} from './pipeline';
export {KafkaTokenStore} from './kafka-token-store';
export {runService, reopenPipeline} from './service';
export type {ServiceDeps} from './service';
export {checkDeployment} from './check-deployment';
export type {CheckStep, StepStatus} from './check-deployment';
export {kafkaConnectionConfig} from './clients';
export {
  announceTokenProtection,
  DEFAULT_CONNECTION,
  describeProtection,
  openTokenStore,
  tokenCodec,
  tokenLocation,
  tokenTopic,
  tokenTopicSpec,
} from './token-storage';
export {configuredCatalog, configuredRegistrar, configuredSubjects} from './schema-subjects';
export {dryRunOutputs, liveOutputs} from './pipeline-outputs';
export type {
  DryRunLine,
  DryRunTally,
  OutputContext,
  OutputsFactory,
  PipelineOutputs,
} from './pipeline-outputs';
