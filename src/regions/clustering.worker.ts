/** The regions thread: clusters windows so that PCA, k-means and UMAP never hold the event loop. */
import { serveTasks } from '../util/worker-pool.js';
import { clusterPacked, type ClusterTask } from './clustering-thread.js';
import type { Clustering } from './regions.builder.js';

serveTasks<ClusterTask, Clustering>(clusterPacked);
