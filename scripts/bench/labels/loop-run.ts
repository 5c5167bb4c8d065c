import type { DemoDataset, DemoPrediction } from '../../demo/data/demo-dataset.js';
import { championAccuracy } from '../../demo/run/accuracy.js';
import type { ApiClient } from '../../demo/run/api-client.js';
import { waitForJob } from '../../demo/run/demo.runner.js';

/** One selection policy (plus training variant) run through the whole loop. */
export interface RunSpec {
  name: string;
  selection: string;
  checkpoints: number[];
  retrain?: Record<string, unknown>;
  queue?: Record<string, unknown>;
  /**
   * After each answer the labeler confirms, in the page's grid (`.../similar?limit=9&radius=grid`),
   * the tiles that truly share it. Checkpoints then count answers (claimed items answered), and
   * the grid's bulk labels come on top: accuracy per decision a person made, not per label.
   */
  grid?: number;
}

export interface Checkpoint {
  labels: number;
  version: string;
  /** What the service's promotion rule decided; a challenger is promoted by hand to be measured. */
  decision: string;
  ugc: number;
  clean: number;
  /** Concepts the champion knows (held-out classes join once labelers proposed them often enough). */
  concepts: number;
  /** Per true concept: labels given so far, and on the phone-like eval its recall and how often the champion answers it. */
  perConcept: { concept: string; labels: number; recall: number; answered: number }[];
  /** Labels stored so far (answers plus bulk grid labels); equals `labels` without grids. */
  stored: number;
}

export interface RunResult {
  spec: RunSpec;
  first: { ugc: number; clean: number };
  checkpoints: Checkpoint[];
  seconds: number;
}

/** Trains, and makes the newest version champion if the promotion rule kept it a challenger. */
async function retrainAndMeasure(api: ApiClient, model: string, data: DemoDataset, labels: number, given: Map<string, number>): Promise<Checkpoint> {
  const job = await waitForJob(api, (await api.post(`/v1/models/${model}/retrain`, {})).jobId);
  if (job.status !== 'succeeded') throw new Error(`${model}: retraining at ${labels} labels ${job.status}: ${JSON.stringify(job.error)}`);
  const versions = await api.get<any[]>(`/v1/models/${model}/versions`);
  const latest = versions.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
  let decision = latest.status === 'champion' ? 'promoted' : `kept challenger (${latest.decision?.reason ?? 'no reason given'})`;
  if (latest.status !== 'champion') {
    await api.post(`/v1/models/${model}/versions/${latest.version}/promote`, {});
    decision += ', promoted by hand to measure it';
  }
  const known = new Set<string>();
  const ugc = await championAccuracy(api, model, data.evalUgc, known);
  const clean = await championAccuracy(api, model, data.evalClean, known);
  const concepts = (await api.get<{ concepts: unknown[] }>(`/v1/models/${model}`)).concepts.length;
  const perConcept = [...new Set(data.evalUgc.map((r) => r.concept))].sort().map((concept) => {
    const truly = ugc.predicted.filter((_, i) => data.evalUgc[i]!.concept === concept);
    return { concept, labels: given.get(concept) ?? 0, recall: truly.filter((p) => p === concept).length / truly.length, answered: ugc.predicted.filter((p) => p === concept).length / ugc.predicted.length };
  });
  const stored = [...given.values()].reduce((a, b) => a + b, 0);
  return { labels, version: String(latest.version), decision, ugc: ugc.all, clean: clean.all, concepts, perConcept, stored };
}

/** Labels claimed items from ground truth until `target` labels exist (held-out classes as new concepts). */
async function labelUntil(api: ApiClient, model: string, truth: Map<string, string>, done: number, target: number, given: Map<string, number>, grid?: number): Promise<number> {
  while (done < target) {
    const taxonomy = new Set((await api.get<{ concepts: { id: string }[] }>(`/v1/models/${model}`)).concepts.map((c) => c.id));
    const { items } = await api.post<{ items: { itemId: string; predictionId: string }[] }>(`/v1/models/${model}/queue/claim`, {
      labeler: 'ana',
      limit: Math.min(25, target - done),
    });
    if (items.length === 0) throw new Error(`${model}: the queue ran dry at ${done} labels`);
    const labels = items.map((item) => {
      const concept = truth.get(item.predictionId)!;
      given.set(concept, (given.get(concept) ?? 0) + 1);
      return taxonomy.has(concept) ? { itemId: item.itemId, labeler: 'ana', concepts: [concept] } : { itemId: item.itemId, labeler: 'ana', concepts: [], newConcepts: [concept] };
    });
    await api.post(`/v1/models/${model}/labels`, { labels });
    done += labels.length;
    if (grid !== undefined) for (const l of labels) await confirmGrid(api, model, truth, l, grid, given);
  }
  return done;
}

/** The bulk grid after one answer: the tiles whose truth matches it, labeled in one batch (a careful labeler). */
async function confirmGrid(api: ApiClient, model: string, truth: Map<string, string>, answer: { itemId: string; concepts: string[]; newConcepts?: string[] }, radius: number, given: Map<string, number>): Promise<void> {
  const tiles = (await api.get<{ items: { itemId: string; predictionId: string }[] }>(`/v1/models/${model}/queue/items/${answer.itemId}/similar?limit=9&radius=${radius}`)).items;
  const concept = answer.concepts[0] ?? answer.newConcepts![0]!;
  const same = tiles.filter((t) => truth.get(t.predictionId) === concept);
  if (same.length === 0) return;
  await api.post(`/v1/models/${model}/labels`, { labels: same.map((t) => ({ itemId: t.itemId, labeler: 'ana', bulk: true, concepts: answer.concepts, newConcepts: answer.newConcepts ?? [] })) });
  given.set(concept, (given.get(concept) ?? 0) + same.length);
}

/** Registers the demo model, uploads its training examples and trains the first champion. */
export async function prepareModel(api: ApiClient, model: string, data: DemoDataset, settings: Record<string, unknown>): Promise<void> {
  await api.put(`/v1/models/${model}`, { ...data.model, settings });
  for (let i = 0; i < data.train.length; i += 500) {
    const examples = data.train.slice(i, i + 500).map((r) => ({ id: r.id, embedding: r.embedding, concepts: [r.concept], input: r.input }));
    await api.post(`/v1/models/${model}/examples`, { examples });
  }
}

/** Streams production traffic as the demo does: clean first, then phone-like, checking drift as it goes. */
export async function streamProduction(api: ApiClient, model: string, records: DemoPrediction[]): Promise<void> {
  for (let i = 0; i < records.length; i += 50) {
    const predictions = records.slice(i, i + 50).map((r) => ({ id: r.id, embedding: r.embedding, scores: r.scores, encoder: 'fmnist-cnn64@1', input: r.input }));
    await api.post(`/v1/models/${model}/predictions`, { predictions });
    if ((i / 50) % 6 === 5) await api.get(`/v1/models/${model}/drift`);
  }
}

/** The loop for one policy: first champion, production traffic, then labels and a retraining at each checkpoint. */
export async function runLoop(api: ApiClient, data: DemoDataset, spec: RunSpec, onCheckpoint: (c: Checkpoint) => void): Promise<RunResult> {
  const started = performance.now();
  const model = `bench-${spec.name}`;
  await prepareModel(api, model, data, {
    drift: { windowSize: 300 },
    // Retraining happens at the checkpoints only, so every policy is measured at the same label counts.
    retrain: { auto: false, minConceptLabels: 20, minConceptLabelers: 1, cooldownMinutes: 0, ...spec.retrain }, // one simulated labeler: its proposals join as before
    queue: { leaseSeconds: 3600, selection: spec.selection, ...spec.queue },
  });
  const given = new Map<string, number>();
  const first = await retrainAndMeasure(api, model, data, 0, given);
  await streamProduction(api, model, [...data.prodClean, ...data.prodUgc]);
  const truth = new Map([...data.prodClean, ...data.prodUgc].map((r) => [r.id, r.concept]));
  const checkpoints: Checkpoint[] = [];
  let done = 0;
  for (const n of spec.checkpoints) {
    done = await labelUntil(api, model, truth, done, n, given, spec.grid);
    const c = await retrainAndMeasure(api, model, data, n, given);
    checkpoints.push(c);
    onCheckpoint(c);
  }
  return { spec, first: { ugc: first.ugc, clean: first.clean }, checkpoints, seconds: (performance.now() - started) / 1000 };
}
