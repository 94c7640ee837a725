// One slice of the space on its own thread: it verifies and loads the signed bundle itself.
import { parentPort, workerData } from 'node:worker_threads';
import { loadEvaluator } from './bundle.js';
import { proveSlice, type SliceOptions } from './run.js';
import { deriveVocabulary } from './symmetry.js';

const { source, options } = workerData as { source: { bundlePath: string; publicKeyPath: string }; options: SliceOptions };
const evaluator = await loadEvaluator(source);
parentPort!.postMessage(proveSlice(evaluator, deriveVocabulary(evaluator.bundle), options));
