import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EMBEDDING_DIMENSION, OfflineEmbedder, OpenAiEmbedder } from "../../src/llm/embeddings.js";
import { indexDocument, retrieve } from "../../src/llm/retrieval.js";
import { DATABASE_KINDS, createTestDatabase, type TestDatabase } from "../helpers/databases.js";
import { FakeOpenAiServer } from "../helpers/fake-openai-server.js";

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

describe("offline embedding", () => {
  it("is deterministic, unit-length, of the stated dimension, and ranks related text closer", async () => {
    const e = new OfflineEmbedder();
    const [a, b, c, again] = await e.embed(["prior authorization required for pembrolizumab", "pembrolizumab needs prior authorization", "hydration billing under 31 minutes", "prior authorization required for pembrolizumab"]);
    expect(a).toHaveLength(EMBEDDING_DIMENSION);
    expect(again).toEqual(a);
    expect(cosine(a!, a!)).toBeCloseTo(1, 10);
    expect(cosine(a!, b!)).toBeGreaterThan(cosine(a!, c!));
  });
});

describe("OpenAI embeddings against a local server", () => {
  it("requests the fixed dimension and returns the vectors", async () => {
    const server = new FakeOpenAiServer();
    await server.start();
    try {
      const vectors = await new OpenAiEmbedder({ apiKey: "k", baseUrl: server.url, model: "text-embedding-3-small", timeoutMs: 2_000 }).embed(["a", "b"]);
      expect(vectors.map((v) => v.length)).toEqual([256, 256]);
      expect(server.requests[0]).toMatchObject({ path: "/v1/embeddings", body: { dimensions: 256, model: "text-embedding-3-small" } });
    } finally {
      await server.stop();
    }
  });
});

describe.each(DATABASE_KINDS)("retrieval with pgvector (HNSW) on %s", (kind) => {
  let t: TestDatabase;
  const embedder = new OfflineEmbedder();
  beforeAll(async () => {
    t = await createTestDatabase(kind);
    await indexDocument(t.db.pool, embedder, { sourceType: "payer-policy", sourceId: "SBCOM1-PA-2026", title: "Commercial PPO prior authorization policy", passages: [
      "Pembrolizumab requires prior authorization for every new course of therapy.",
      "Authorizations are valid for 365 days from the approval date.",
      "Hydration of 30 minutes or less is not separately payable.",
    ] });
    await indexDocument(t.db.pool, embedder, { sourceType: "contract", sourceId: "SBCOM1-2026", title: "Commercial contract", passages: ["Drugs are paid at 125 percent of ASP.", "Timely filing limit is 180 days."] });
  });
  afterAll(async () => t.drop());

  it("returns the top-k passages by cosine similarity with scores and source ids", async () => {
    const hits = await retrieve(t.db.pool, embedder, "does pembrolizumab need prior authorization", { k: 2 });
    expect(hits).toHaveLength(2);
    expect(hits[0]).toMatchObject({ sourceType: "payer-policy", sourceId: "SBCOM1-PA-2026", ordinal: 0 });
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[0]!.score).toBeLessThanOrEqual(1);
  });

  it("filters by source type, and re-indexing a document replaces its passages", async () => {
    const contract = await retrieve(t.db.pool, embedder, "what percent of ASP", { k: 5, sourceType: "contract" });
    expect(contract.map((h) => h.sourceId)).toEqual(["SBCOM1-2026", "SBCOM1-2026"]);
    expect(contract[0]!.text).toMatch(/125 percent of ASP/);
    await indexDocument(t.db.pool, embedder, { sourceType: "contract", sourceId: "SBCOM1-2026", title: "Commercial contract (amended)", passages: ["Drugs are paid at 120 percent of ASP."] });
    const after = await retrieve(t.db.pool, embedder, "what percent of ASP", { k: 5, sourceType: "contract" });
    expect(after.map((h) => h.text)).toEqual(["Drugs are paid at 120 percent of ASP."]);
    expect(after[0]!.title).toBe("Commercial contract (amended)");
  });
});
