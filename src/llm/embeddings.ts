/**
 * Embeddings for retrieval: OpenAI (or compatible) embeddings requested at 256 dimensions, or
 * an offline deterministic embedding of the same dimension — hashed word and character-trigram
 * features, L2-normalised — so the same text always gives the same vector and texts sharing
 * words and fragments are close. Vectors live in pgvector (`passages.embedding`).
 */
import { createHash } from "node:crypto";
import { OpenAIEmbeddings } from "@langchain/openai";
import { UpstreamError } from "../../tools/errors.js";

/** The dimension fixed by migration 0005. */
export const EMBEDDING_DIMENSION = 256;

export interface Embedder {
  readonly provider: "openai" | "offline";
  readonly dimension: number;
  embed(texts: string[]): Promise<number[][]>;
}

function bucket(feature: string): { index: number; sign: number } {
  const h = createHash("md5").update(feature).digest();
  return { index: h.readUInt32LE(0) % EMBEDDING_DIMENSION, sign: (h[4] ?? 0) & 1 ? 1 : -1 };
}

/** Deterministic offline embedding. */
export class OfflineEmbedder implements Embedder {
  readonly provider = "offline" as const;
  readonly dimension = EMBEDDING_DIMENSION;

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((text) => {
      const v = new Array<number>(EMBEDDING_DIMENSION).fill(0);
      const words = text.toLowerCase().normalize("NFKD").match(/[a-z0-9]+/g) ?? [];
      for (const w of words) {
        const { index, sign } = bucket(`w:${w}`);
        v[index] = (v[index] ?? 0) + 2 * sign;
        const padded = ` ${w} `;
        for (let i = 0; i + 3 <= padded.length; i += 1) {
          const g = bucket(`g:${padded.slice(i, i + 3)}`);
          v[g.index] = (v[g.index] ?? 0) + g.sign;
        }
      }
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
      return v.map((x) => x / norm);
    });
  }
}

/** OpenAI (or compatible) embeddings at the fixed dimension. */
export class OpenAiEmbedder implements Embedder {
  readonly provider = "openai" as const;
  readonly dimension = EMBEDDING_DIMENSION;
  private readonly client: OpenAIEmbeddings;

  constructor(settings: { apiKey: string; baseUrl?: string; model: string; timeoutMs: number }) {
    this.client = new OpenAIEmbeddings({
      model: settings.model, apiKey: settings.apiKey, dimensions: EMBEDDING_DIMENSION, timeout: settings.timeoutMs, maxRetries: 2,
      configuration: settings.baseUrl === undefined ? undefined : { baseURL: settings.baseUrl },
    });
  }

  async embed(texts: string[]): Promise<number[][]> {
    const vectors = await this.client.embedDocuments(texts);
    for (const v of vectors) {
      if (v.length !== EMBEDDING_DIMENSION) throw new UpstreamError(`Embedding has ${v.length} dimensions, expected ${EMBEDDING_DIMENSION}`);
    }
    return vectors;
  }
}
