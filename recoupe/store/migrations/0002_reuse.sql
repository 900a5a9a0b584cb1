-- recoupe store, schema version 2: the reuse index.
-- One row per article: what near-duplicate and passage lookups start from.
CREATE TABLE reuse_fingerprints (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    text_hash TEXT NOT NULL,
    canonical_url TEXT,
    minhash BLOB NOT NULL,
    bands BLOB NOT NULL,                     -- LSH band keys, to remove them on re-index
    winnow BLOB NOT NULL,                    -- winnowed k-gram hashes, idem
    tokens INTEGER NOT NULL
);
CREATE INDEX reuse_fingerprints_text ON reuse_fingerprints(text_hash);
CREATE INDEX reuse_fingerprints_url ON reuse_fingerprints(canonical_url);

-- LSH buckets: articles sharing a band key are near-duplicate candidates.
CREATE TABLE reuse_bands (
    key INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (key, article_id)
) WITHOUT ROWID;

-- Winnowed fingerprints: articles sharing some are copied-passage candidates.
CREATE TABLE reuse_winnow (
    hash INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (hash, article_id)
) WITHOUT ROWID;

-- Text two articles share, undirected (a < b): direction depends on dates,
-- which may be learnt later, so it is decided when reporting.
CREATE TABLE reuse_pairs (
    a TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    similarity REAL NOT NULL,
    reason TEXT NOT NULL,
    spans TEXT NOT NULL,                     -- JSON [[a_start, a_end, b_start, b_end, similarity]]
    PRIMARY KEY (a, b)
);
CREATE INDEX reuse_pairs_b ON reuse_pairs(b);
