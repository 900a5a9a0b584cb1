-- recoupe store, schema version 3: story grouping by sentence vectors, storylines.

-- Per article: the day it is filed under in the nearest-neighbour index, the
-- days its publication date spans, its document vector (float32) and its
-- sentence vectors (int8, scaled by 127).
CREATE TABLE article_vectors (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    key INTEGER NOT NULL UNIQUE,             -- articles.seq: the index key
    day TEXT,                                -- YYYY-MM-DD; NULL unless dated to the day
    first_day TEXT,                          -- a month-dated article spans the month
    last_day TEXT,
    dim INTEGER NOT NULL,
    lead INTEGER NOT NULL,
    doc BLOB NOT NULL,
    sentences BLOB NOT NULL
);
CREATE INDEX article_vectors_day ON article_vectors(day);

-- A story's vector: the normalised mean of its articles' document vectors.
ALTER TABLE stories ADD COLUMN vector BLOB;
ALTER TABLE stories ADD COLUMN storyline TEXT;
CREATE INDEX stories_storyline ON stories(storyline);

-- Ids a story had before; looking one up finds the story it became.
CREATE TABLE story_aliases (
    old_id TEXT PRIMARY KEY,
    story_id TEXT NOT NULL
);

CREATE TABLE storylines (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL DEFAULT ''
);
