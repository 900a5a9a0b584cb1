-- recoupe store, schema version 1.
CREATE TABLE articles (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- arrival order
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
    raw_text TEXT NOT NULL,
    html TEXT,
    payload TEXT NOT NULL,                   -- the analysed Article as JSON
    added_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX articles_source ON articles(source);
CREATE INDEX articles_published ON articles(published_date);

-- Every input an article was read from (the same text may come from several).
CREATE TABLE article_inputs (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    PRIMARY KEY (article_id, path)
);

-- Short lines per source, for boilerplate learnt by repetition. `applied`
-- says the article was cleaned knowing the line is boilerplate.
CREATE TABLE source_lines (
    source TEXT NOT NULL,
    line_hash TEXT NOT NULL,
    article_id TEXT NOT NULL,
    applied INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (source, line_hash, article_id)
);
CREATE INDEX source_lines_article ON source_lines(article_id);

-- Document frequency of grouping terms.
CREATE TABLE term_df (
    term TEXT PRIMARY KEY,
    df INTEGER NOT NULL
);

CREATE TABLE stories (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    headline TEXT NOT NULL DEFAULT '',
    date TEXT,
    date_granularity TEXT,
    centroid TEXT NOT NULL,                  -- sparse term vector as JSON
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
CREATE INDEX stories_date ON stories(date);

CREATE TABLE story_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id TEXT NOT NULL REFERENCES stories(id) ON DELETE CASCADE
);
CREATE INDEX story_articles_story ON story_articles(story_id);

CREATE TABLE rejections (
    run_id TEXT NOT NULL,
    path TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
);
