-- recoupe store, schema version 4: entities kept in the store.

-- The names each article gives each mention key, and how often: entities are
-- counted from here without reading articles back.
CREATE TABLE article_names (
    article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    key TEXT NOT NULL,                       -- "PER:emmanuel macron"
    name TEXT NOT NULL,                      -- as written: "M. Macron"
    n INTEGER NOT NULL,
    PRIMARY KEY (key, article_id, name)
);
CREATE INDEX article_names_article ON article_names(article_id);

-- Every mention key: the canonical key it is counted under (its entity is
-- entity_id(canonical)), the last word of a person's key (a lone surname joins
-- the one full name ending with it, so only keys sharing it change together),
-- and whether an article added or changed since the entities were last counted
-- names it.
CREATE TABLE name_keys (
    key TEXT PRIMARY KEY,
    surname TEXT,
    canonical TEXT,
    stale INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX name_keys_surname ON name_keys(surname);
CREATE INDEX name_keys_stale ON name_keys(stale) WHERE stale = 1;
CREATE INDEX name_keys_canonical ON name_keys(canonical);

CREATE TABLE entities (
    id TEXT PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,                -- the canonical key
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    aliases TEXT NOT NULL,                   -- JSON list of the other names written
    articles INTEGER NOT NULL,               -- how many articles name it
    former_ids TEXT NOT NULL DEFAULT '[]'    -- JSON: ids of entities merged into it
);
CREATE INDEX entities_name ON entities(name);
