// `node dist/src/iam/write-catalog-cache.js [DIR]`: the build's step that writes the catalog file
// (catalog-cache.ts) beside the compiled catalog, or in DIR (the bundle's folder). An entry of its
// own: a "am I the main module" test inside catalog-cache.ts would be true in the bundle, where
// every module shares the entry's URL.
import { catalogCachePath, writeCatalogCache } from './catalog-cache.js';

writeCatalogCache(catalogCachePath(process.argv[2]));
