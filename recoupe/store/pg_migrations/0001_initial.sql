-- recoupe store on PostgreSQL, schema version 1: the tables of the SQLite store at its
-- version 9, in one step. Vectors are pgvector columns; their HNSW indexes are made when
-- the first vector gives their dimension (store/postgres.py).
CREATE EXTENSION IF NOT EXISTS vector;

CREATE TABLE articles (
    seq BIGSERIAL PRIMARY KEY,               -- arrival order
    id TEXT NOT NULL UNIQUE,
    external_id TEXT,
    path TEXT,
    url TEXT,
    source TEXT,
    title TEXT,
    language TEXT,
    published_date TEXT,
    published_granularity TEXT,
    published_basis TEXT,
    input_format TEXT NOT NULL,
    raw_text BYTEA NOT NULL,                 -- UTF-8: PostgreSQL text holds no NUL
    html BYTEA,
    payload TEXT NOT NULL,                   -- the analysed Article as JSON
    terms TEXT[] NOT NULL DEFAULT '{}',      -- its grouping terms: counted off when replaced
    search TSVECTOR NOT NULL,                -- title (weight A) and text, accents folded
    added_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX articles_published ON articles(published_date);
CREATE INDEX articles_language ON articles(language, id);
CREATE INDEX articles_source ON articles(source, id);
CREATE INDEX articles_search ON articles USING gin(search);

CREATE TABLE article_inputs (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    PRIMARY KEY (article_id, path)
);

CREATE TABLE source_lines (
    source TEXT NOT NULL,
    line_hash TEXT NOT NULL,
    article_id TEXT NOT NULL,
    applied BOOLEAN NOT NULL DEFAULT false,
    PRIMARY KEY (source, line_hash, article_id)
);
CREATE INDEX source_lines_article ON source_lines(article_id);

CREATE TABLE term_df (
    term TEXT PRIMARY KEY,
    df BIGINT NOT NULL
);

CREATE TABLE stories (
    seq BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    headline TEXT NOT NULL DEFAULT '',
    date TEXT,
    date_granularity TEXT,
    vector VECTOR,
    storyline TEXT,
    coverage INTEGER NOT NULL DEFAULT 0,
    language_count INTEGER NOT NULL DEFAULT 0,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX stories_date ON stories(date);
CREATE INDEX stories_storyline ON stories(storyline);
CREATE INDEX stories_newest ON stories((date IS NULL), date DESC, seq DESC);

CREATE TABLE story_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE
);
CREATE INDEX story_articles_story ON story_articles(story_id);

CREATE TABLE story_aliases (
    old_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL
);

CREATE TABLE storylines (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT ''
);

CREATE TABLE rejections (
    run_id TEXT NOT NULL,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE reuse_fingerprints (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    text_hash TEXT NOT NULL,
    canonical_url TEXT,
    minhash BYTEA NOT NULL,
    bands BIGINT[] NOT NULL,
    winnow BIGINT[] NOT NULL,
    tokens INTEGER NOT NULL
);
CREATE INDEX reuse_fingerprints_text ON reuse_fingerprints(text_hash);
CREATE INDEX reuse_fingerprints_url ON reuse_fingerprints(canonical_url);

CREATE TABLE reuse_bands (
    key BIGINT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (key, article_id)
);

CREATE TABLE reuse_winnow (
    hash BIGINT NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (hash, article_id)
);

CREATE TABLE reuse_pairs (
    a TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    b TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    similarity DOUBLE PRECISION NOT NULL,
    reason TEXT NOT NULL,
    spans TEXT NOT NULL,
    PRIMARY KEY (a, b)
);
CREATE INDEX reuse_pairs_b ON reuse_pairs(b);

CREATE TABLE article_vectors (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    key BIGINT NOT NULL UNIQUE,              -- articles.seq
    day TEXT,
    first_day TEXT,
    last_day TEXT,
    dim INTEGER NOT NULL,
    lead INTEGER NOT NULL,
    doc VECTOR NOT NULL,
    sentences BYTEA NOT NULL                 -- int8, scaled by 127
);
CREATE INDEX article_vectors_day ON article_vectors(day);

CREATE TABLE article_names (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (key, article_id, name)
);
CREATE INDEX article_names_article ON article_names(article_id);

CREATE TABLE name_keys (
    key TEXT PRIMARY KEY,
    surname TEXT,
    canonical TEXT,
    stale BOOLEAN NOT NULL DEFAULT true
);
CREATE INDEX name_keys_surname ON name_keys(surname);
CREATE INDEX name_keys_stale ON name_keys(stale) WHERE stale;
CREATE INDEX name_keys_canonical ON name_keys(canonical);

CREATE TABLE entities (
    seq BIGSERIAL,
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    aliases TEXT NOT NULL,
    articles INTEGER NOT NULL,
    former_ids TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX entities_name ON entities(name);

CREATE TABLE ungrouped (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);
