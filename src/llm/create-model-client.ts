/** Builds the model client and embedder the configuration names. */
import type { Config } from "../config.js";
import { OfflineEmbedder, OpenAiEmbedder, type Embedder } from "./embeddings.js";
import { OfflineModel } from "./offline-provider.js";
import { OpenAiModel } from "./openai-provider.js";
import type { ModelClient } from "./types.js";

export function createModelClient(llm: Config["llm"], sleep?: (ms: number) => Promise<void>): ModelClient {
  if (llm.provider === "offline") return new OfflineModel(llm.offlineConfidenceCap, llm.concurrency);
  return new OpenAiModel({
    apiKey: llm.apiKey ?? "not-needed-for-local-servers", baseUrl: llm.baseUrl, model: llm.model, structuredMethod: llm.structuredMethod,
    timeoutMs: llm.timeoutMs, maxRetries: llm.maxRetries, concurrency: llm.concurrency, sleep,
  });
}

export function createEmbedder(llm: Config["llm"]): Embedder {
  if (llm.embeddingsProvider === "offline") return new OfflineEmbedder();
  return new OpenAiEmbedder({ apiKey: llm.apiKey ?? "not-needed-for-local-servers", baseUrl: llm.baseUrl, model: llm.embeddingModel, timeoutMs: llm.timeoutMs });
}
