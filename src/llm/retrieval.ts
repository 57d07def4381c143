/**
 * Retrieval over pgvector: documents are split into passages, embedded and stored; a query
 * returns the top-k passages by cosine similarity with their scores and source ids, so every
 * cited rule can be traced to its source passage.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import pgvector from "pgvector";
import { withTransaction } from "../db/database.js";
import type { Embedder } from "./embeddings.js";

/** A document to index. */
export interface SourceDocument {
  sourceType: "payer-policy" | "contract" | "chart-note" | "guideline";
  sourceId: string;
  title: string;
  passages: string[];
}

/** A retrieved passage. */
export interface RetrievedPassage {
  passageId: string;
  documentId: string;
  sourceType: string;
  sourceId: string;
  title: string;
  ordinal: number;
  text: string;
  /** Cosine similarity in [-1, 1]. */
  score: number;
}

/** Indexes (or re-indexes) a document; returns its id. */
export async function indexDocument(pool: pg.Pool, embedder: Embedder, doc: SourceDocument): Promise<string> {
  const vectors = await embedder.embed(doc.passages);
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO documents (id, source_type, source_id, title) VALUES ($1, $2, $3, $4)
       ON CONFLICT (source_type, source_id) DO UPDATE SET title = $4 RETURNING id`,
      [randomUUID(), doc.sourceType, doc.sourceId, doc.title],
    );
    const id = rows[0]?.id as string;
    await client.query("DELETE FROM passages WHERE document_id = $1", [id]);
    for (const [i, text] of doc.passages.entries()) {
      await client.query("INSERT INTO passages (id, document_id, ordinal, text, embedding) VALUES ($1, $2, $3, $4, $5::vector)", [randomUUID(), id, i, text, pgvector.toSql(vectors[i])]);
    }
    return id;
  });
}

/** The k passages closest to the query, optionally of one source type. */
export async function retrieve(pool: pg.Pool, embedder: Embedder, query: string, options: { k?: number; sourceType?: string } = {}): Promise<RetrievedPassage[]> {
  const [vector] = await embedder.embed([query]);
  const { rows } = await pool.query<{ id: string; document_id: string; source_type: string; source_id: string; title: string; ordinal: number; text: string; distance: number }>(
    `SELECT p.id, p.document_id, d.source_type, d.source_id, d.title, p.ordinal, p.text, p.embedding <=> $1::vector AS distance
     FROM passages p JOIN documents d ON d.id = p.document_id
     WHERE ($2::text IS NULL OR d.source_type = $2)
     ORDER BY p.embedding <=> $1::vector, p.id LIMIT $3`,
    [pgvector.toSql(vector), options.sourceType ?? null, options.k ?? 5],
  );
  return rows.map((r) => ({
    passageId: r.id, documentId: r.document_id, sourceType: r.source_type, sourceId: r.source_id, title: r.title, ordinal: r.ordinal, text: r.text,
    score: Math.round((1 - Number(r.distance)) * 1e6) / 1e6,
  }));
}
