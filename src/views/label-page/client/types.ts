// What the labeling page reads from the JSON API (the fields it uses).

interface InputRef {
  url?: string;
  text?: string;
}

interface Concept {
  id: string;
  description?: string;
  includes?: string[];
  excludes?: string[];
}

export interface PageModel {
  task: 'multiclass' | 'multilabel';
  encoder?: string | null;
  concepts: Concept[];
  settings: {
    queue: { leaseSeconds: number };
    scoring?: { thresholds: Record<string, number>; defaultThreshold: number };
  };
}

export type ItemReason = 'ood' | 'uncertain' | 'disagreement' | 'drift';

export interface ClaimedItem {
  itemId: string;
  predictionId: string;
  leaseExpiresAt: string;
  weight: number;
  labelsNeeded: number;
  reasons: ItemReason[];
  scores: Record<string, number>;
  predicted: string;
  ood: { score: number };
  uncertainty: number;
  knn: { concept: string | null; share: number };
  input: InputRef | null;
  timestamp: string;
  neighbors: { id: string; concepts: string[]; distance: number; input: InputRef | null }[];
}

export interface Region {
  id: number;
  size: number;
  estimatedAccuracy: number;
  labeled: number;
}

export interface SimilarItem {
  itemId: string;
  predictionId: string;
  distance: number;
  input: InputRef | null;
}

/** One label as POST /labels takes it. */
export interface LabelBody {
  concepts?: string[];
  newConcepts?: string[];
  skip?: boolean;
  outOfScope?: boolean;
  bulk?: boolean;
}

/** The page's state between API calls. */
export interface PageState {
  labeler: string;
  model: PageModel | null;
  item: ClaimedItem | null;
  selected: string[];
  newConcept: string | null;
  outOfScope: boolean;
  busy: boolean;
  renew: ReturnType<typeof setInterval> | undefined;
  poll: ReturnType<typeof setTimeout> | undefined;
  region: string;
  regions: Region[];
  bulk: { answer: { concepts: string[]; newConcepts: string[] }; items: SimilarItem[]; selected: Set<string> } | null;
  pending: { itemIds: string[] } | null;
}
