import type { Db } from '../db/database.js';

/** A version's artifact as stored: the TF.js layers JSON and the weights it names. */
export interface StoredArtifact {
  modelJson: string;
  weights: Buffer;
}

export async function insertArtifact(db: Db, versionId: number, a: StoredArtifact): Promise<void> {
  await db.insertInto('version_artifacts').values({ version_id: versionId, model_json: a.modelJson, weights: a.weights }).execute();
}

export async function findArtifact(db: Db, versionId: number): Promise<StoredArtifact | undefined> {
  const row = await db.selectFrom('version_artifacts').select(['model_json', 'weights']).where('version_id', '=', versionId).executeTakeFirst();
  return row && { modelJson: row.model_json, weights: Buffer.from(row.weights) };
}
