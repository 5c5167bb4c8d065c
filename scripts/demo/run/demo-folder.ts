import fs from 'node:fs';
import path from 'node:path';

/** Left in every data folder the demo creates: only such a folder is ever wiped by the next run. */
export const DEMO_MARKER = '.driftloop-demo-run';

/**
 * Empties the demo's data folder for a fresh run. A folder that exists, holds anything, and
 * was not created by the demo (no marker) is refused: `--data-dir data` must not delete the
 * committed demo data, nor anyone's production database.
 */
export function prepareDemoFolder(dir: string): void {
  if (fs.existsSync(dir)) {
    const entries = fs.readdirSync(dir);
    if (entries.length > 0 && !entries.includes(DEMO_MARKER)) {
      throw new Error(`${dir} exists and was not created by the demo; it is left alone. Pick an empty or new folder with --data-dir`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, DEMO_MARKER), 'created by npm run demo; the next run empties this folder\n');
}
