/** The names of the training-data checklist, in the order the report lists them. */
export const HEALTH_CHECK_NAMES = [
  'concept_balance',
  'near_duplicates',
  'label_conflicts',
  'train_eval_leakage',
  'concept_distinctness',
  'training_coverage',
  'concept_spread',
  'calibration_size',
] as const;

export type HealthCheckName = (typeof HEALTH_CHECK_NAMES)[number];

type HealthStatus = 'ok' | 'warn';

/** Two examples closer than the near-duplicate radius. */
export interface ExamplePair {
  ids: [string, string];
  concepts: [string[], string[]];
  distance: number;
}

export interface ConceptCount {
  concept: string;
  count: number;
  share: number;
}

interface BalanceDetails {
  /** Largest over smallest train count among concepts that have examples; null with fewer than two. */
  ratio: number | null;
  maxRatio: number;
  largest: ConceptCount | null;
  smallest: ConceptCount | null;
  /** Concepts of the taxonomy without a single train example. */
  missing: string[];
}

interface DuplicateDetails {
  /** The radius in the model's metric (cosine distance, or Euclidean under l2). */
  radius: number;
  pairs: number;
  /** Pairs at distance 0: the same embedding twice. */
  exactPairs: number;
  groups: number;
  /** Examples that could go with one kept per group. */
  redundant: number;
  /** The largest groups, by id (capped). */
  sample: string[][];
}

interface ConflictDetails {
  radius: number;
  pairs: number;
  /** The closest conflicting pairs (capped). */
  sample: ExamplePair[];
}

interface LeakageDetails {
  radius: number;
  /** Eval examples with a near-duplicate in train. */
  leaked: number;
  evalTotal: number;
  share: number;
  /** The closest eval/train pairs, eval id first (capped). */
  sample: ExamplePair[];
}

export interface ConceptPurity {
  concept: string;
  /** Mean share of an example's k nearest train neighbours that carry the concept. */
  purity: number;
  examples: number;
}

export interface ConfusedPair {
  concepts: [string, string];
  /** Share of the two concepts' neighbour links that cross between them. */
  share: number;
}

interface DistinctnessDetails {
  k: number;
  minPurity: number;
  /** Every concept with train examples, least pure first. */
  purity: ConceptPurity[];
  /** The most confused concept pairs, most confused first. */
  confused: ConfusedPair[];
}

interface CoverageDetails {
  /** Predictions looked at (the last drift.windowSize) and those with no train neighbour inside the radius. */
  window: number;
  uncovered: number;
  share: number;
  maxShare: number;
  /** The OOD radius: calibration distance at ood.quantile; null before any calibration. */
  radius: number | null;
}

export interface ConceptSpread {
  concept: string;
  /** Root-mean-square distance of the concept's train examples to their centroid. */
  spread: number;
  /** Spread over the median concept's spread. */
  ratio: number;
  examples: number;
}

interface SpreadDetails {
  wideFactor: number;
  median: number | null;
  /** Every concept with at least two train examples, widest first. */
  spread: ConceptSpread[];
  wide: string[];
}

interface CalibrationSizeDetails {
  source: 'eval' | 'leave-one-out';
  size: number;
  quantile: number;
  nominalRate: number;
  /** Mean false-alarm rate over calibration draws and its 5%–95% range; null before any calibration. */
  expectedRate: number | null;
  low: number | null;
  high: number | null;
  /** Calibration points that keep 95% of draws under 1.5× the nominal rate. */
  recommended: number;
}

interface CheckBase<N extends HealthCheckName, D> {
  name: N;
  status: HealthStatus;
  message: string;
  /** Example ids (prediction ids for training_coverage) involved, capped at health.maxIds. */
  ids?: string[];
  /** How many ids are involved in all. */
  idsTotal?: number;
  details: D;
}

/** One finding of the checklist; `details` depends on `name`. */
export type HealthCheck =
  | CheckBase<'concept_balance', BalanceDetails>
  | CheckBase<'near_duplicates', DuplicateDetails>
  | CheckBase<'label_conflicts', ConflictDetails>
  | CheckBase<'train_eval_leakage', LeakageDetails>
  | CheckBase<'concept_distinctness', DistinctnessDetails>
  | CheckBase<'training_coverage', CoverageDetails>
  | CheckBase<'concept_spread', SpreadDetails>
  | CheckBase<'calibration_size', CalibrationSizeDetails>;

/** `GET /v1/models/{model}/health`. */
export interface HealthReport {
  model: string;
  /** When the example checks were computed; they are cached until the examples change. */
  computedAt: string;
  counts: { train: number; eval: number; byConcept: Record<string, { train: number; eval: number }> };
  checks: HealthCheck[];
  /** The conformal calibration, and whether the eval split is large enough to arm the sequential drift detector. */
  calibration: CalibrationHealth;
}

export interface CalibrationHealth {
  source: 'eval' | 'leave-one-out';
  size: number;
  sequentialDetector: { armed: boolean; required: number; message: string };
}
