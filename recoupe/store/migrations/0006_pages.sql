-- recoupe store, schema version 6: indexes for the web pages' lists.
-- The front page's order (dated stories first, newest first) read straight
-- from an index: sorting every story row, each carrying its vectors, cost
-- 160 ms per page on 80k stories, 450 ms deep into the list.
CREATE INDEX IF NOT EXISTS stories_newest ON stories(date IS NULL, date DESC, seq DESC);
-- The language and source filters find their articles' ids in the index
-- alone, without reading the (large) article rows.
CREATE INDEX IF NOT EXISTS articles_language ON articles(language, id);
DROP INDEX IF EXISTS articles_source;
CREATE INDEX articles_source ON articles(source, id);
