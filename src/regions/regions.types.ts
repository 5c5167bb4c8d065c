/** An input reference as the production app sent it. */
export interface InputRef {
  url?: string;
  text?: string;
}

/** A region of recent production data (DESIGN: `GET /v1/models/{model}/regions`). */
export interface Region {
  /** Stable across recomputations while the region stays (matched by mutual nearest centroids). */
  id: number;
  size: number;
  /** Share of the window in this region. */
  share: number;
  /** Share of the training sample whose nearest region centre is this one. */
  trainingShare: number;
  /** Estimated accuracy of the forwarded predictions in the region (labels tighten it). */
  estimatedAccuracy: number;
  /** Labeled queue items whose prediction is in the region. */
  labeled: number;
  /** The most typical members (nearest the centre), prediction ids. */
  examples: string[];
  centroid2d: [number, number];
  /** Share of the region's members that are out of distribution. */
  oodShare: number;
  /** Ranking score: over-representation against training × estimated error. */
  score: number;
  /** Inputs of the examples, for thumbnails. */
  inputs: (InputRef | null)[];
}

/** A point of the 2-D map. */
export interface MapPoint {
  x: number;
  y: number;
  kind: 'production' | 'training';
  /** Region of the nearest centre (training points too). */
  region: number;
}

/** One clustering of a model's recent production data, cached until the window moves on. */
export interface RegionsSnapshot {
  computedAt: string;
  /** Highest prediction seq and number of predictions in the clustered window. */
  throughSeq: number;
  windowCount: number;
  /** The partition: k chosen by silhouette, and every k tried. */
  k: number;
  silhouette: number | null;
  regions: Region[];
  map: MapPoint[];
  /** Key of the training sample the shares and the map were measured on. */
  trainingKey: string;
  /** Wall-clock milliseconds the computation took (cluster, assign, project). */
  millis: number;
}
