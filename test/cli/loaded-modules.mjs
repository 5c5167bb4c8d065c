// Preloaded into a CLI child process: on exit, reports on stderr whether TensorFlow.js was loaded.
import { createRequire } from 'node:module';
import { writeSync } from 'node:fs';

const require = createRequire(import.meta.url);
process.on('exit', () => {
  const loaded = Object.keys(require.cache).filter((file) => file.includes(`${'@tensorflow'}`));
  writeSync(2, `\nTFJS_MODULES_LOADED=${loaded.length}\n`);
});
