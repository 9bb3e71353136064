// Resource inventory readers: leash's own JSON shape, AWS Config snapshots, and live AWS.
export { readInventoryFile, readInventoryFiles, normalizeInventory } from './load.js';
export { normalizeLeashInventory, isLeashInventory, type InventoryReadOptions } from './leash-file.js';
export { normalizeConfigSnapshot, isConfigSnapshot, CONFIG_RESOURCE_TYPES } from './config-snapshot.js';
export { mergeInventories, dedupeResources, countByType } from './merge.js';
export { resourceFromArn, splitArn } from './arn.js';
export { MAX_INVENTORY_FILE_BYTES } from './read-file.js';
export { MAX_POLICY_CHARS, MAX_TAGS } from './resource.js';
