// Registers a module hook that appends every resolved URL to the file named by LEASH_TEST_IMPORTS.
import { register } from 'node:module';
register('./record-imports-hooks.mjs', import.meta.url, { data: { file: process.env.LEASH_TEST_IMPORTS } });
