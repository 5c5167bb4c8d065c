import type { Metric } from '../vectors/vector-index.js';
import type { Settings } from './settings.js';
import type { Task } from '../db/schema.js';

export type { Task };

/** What a model name may be: every stored model matches, so a name that does not is no model. */
export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** A class in the taxonomy, with its visual-dictionary entry. */
export interface Concept {
  id: string;
  description?: string;
  includes?: string[];
  excludes?: string[];
  /** `open-set`: proposed by labelers and joined on promotion; production apps may not score it yet. */
  origin?: 'open-set';
}

/** A monitored classifier. */
export interface Model {
  id: number;
  name: string;
  task: Task;
  embeddingDim: number;
  encoder: string | null;
  metric: Metric;
  concepts: Concept[];
  settings: Settings;
  createdAt: string;
  updatedAt: string;
  /**
   * Secret key of the production eval split (`splitForId`): an app that chooses prediction ids
   * cannot choose which of its inputs reach the eval split. Never shown. Every model has one since
   * migration 0033 (null would mean the plain hash of the id).
   */
  splitKey: string | null;
}
