export { lanternPlugin as default } from './plugin';
export { createLanternReads, type EntityReadCheck, type LanternReads, type ReadAnswer, type ReadRequest } from './lantern-reads';
