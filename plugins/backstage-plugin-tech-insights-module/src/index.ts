export { techInsightsModuleLanternFactRetriever as default } from './module';
export { lanternFactRetriever, LANTERN_FACT_RETRIEVER_ID } from './retriever';
export { FACTS, summaryFacts, type Facts } from './facts';
export { retrieveLanternFacts, type EntityFacts } from './retrieve';
