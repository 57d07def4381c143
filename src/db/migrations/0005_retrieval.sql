-- 0005 retrieval: documents (payer policies, contracts, chart notes) split into passages with
-- embeddings for the appeals agent. The dimension is fixed at 256 for both providers (the
-- offline embedding, and OpenAI embeddings requested with dimensions = 256); changing it needs
-- a new migration and a re-index.
CREATE TABLE documents (
  id           text PRIMARY KEY,
  source_type  text NOT NULL,
  source_id    text NOT NULL,
  title        text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_type, source_id)
);

CREATE TABLE passages (
  id           text PRIMARY KEY,
  document_id  text NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
  ordinal      integer NOT NULL,
  text         text NOT NULL,
  embedding    vector(256) NOT NULL,
  UNIQUE (document_id, ordinal)
);
CREATE INDEX passages_embedding_idx ON passages USING hnsw (embedding vector_cosine_ops);
