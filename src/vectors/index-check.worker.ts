/** The index-check thread: reads back and hashes written index files, so saves barely touch the event loop. */
import { serveTasks } from '../util/worker-pool.js';
import { checkIndexFile, type IndexFileCheck, type WrittenIndex } from './index-file.js';

serveTasks<WrittenIndex, IndexFileCheck>(checkIndexFile);
