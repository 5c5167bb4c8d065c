import fs from 'node:fs';
import type { Command } from 'commander';

/** `driftloop report <model> [--out report.html] [--format html|json]`. */
export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('write the drift report of a model (HTML by default) to a file, or to stdout without --out')
    .argument('<model>', 'model name')
    .option('-o, --out <file>', 'write to this file instead of stdout')
    .option('-f, --format <format>', 'html or json', 'html')
    .action(async (name: string, opts: { out?: string; format: string }) => {
      if (opts.format !== 'html' && opts.format !== 'json') throw new Error(`--format must be html or json, not '${opts.format}'`);
      // Loaded here, not at start: the other commands, `--help` and `--version` need neither.
      const [{ withContainer }, { reportPage }] = await Promise.all([import('./services.js'), import('../views/report/report.page.js')]);
      const text = await withContainer(async (s, store) => {
        const model = await s.models.find(name);
        if (!model) throw new Error(`model '${name}' does not exist in ${store}`);
        // Read-only: the CLI neither stores a snapshot nor raises events (the server does that).
        const report = await s.driftReports.build(model, { record: false });
        return opts.format === 'json' ? `${JSON.stringify(report, null, 2)}\n` : String(await reportPage(report));
      });
      if (opts.out) {
        const bytes = Buffer.from(text, 'utf8');
        fs.writeFileSync(opts.out, bytes);
        console.error(`wrote ${opts.out} (${bytes.length} bytes)`);
      } else {
        process.stdout.write(text);
      }
    });
}
