// Run in a child process by scan-wasm.test.ts (with and without --jitless): whether this runtime
// has WebAssembly, and the wasm route's partial document of the text given as argv[2].
import { scanDocumentWasm } from '../../src/collect/cloudtrail/scan-wasm.js';

process.stdout.write(JSON.stringify({ webAssembly: typeof WebAssembly, doc: scanDocumentWasm(Buffer.from(process.argv[2] ?? '')) ?? null }));
