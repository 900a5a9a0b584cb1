-- recoupe store, schema version 9: what a story's coverage is, for ranking lists by it.
-- coverage: its independent sources (members sharing a source or a reuse link count
-- once); language_count: the languages its articles are in. Stories saved before this
-- get the distinct sources of their articles (an article with none counts as its own);
-- their reuse links are counted when a new article next touches them.
ALTER TABLE stories ADD COLUMN coverage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN language_count INTEGER NOT NULL DEFAULT 0;
UPDATE stories SET
    coverage = (SELECT COUNT(DISTINCT COALESCE(a.source, a.id)) FROM story_articles sa
                JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id),
    language_count = (SELECT COUNT(DISTINCT a.language) FROM story_articles sa
                      JOIN articles a ON a.id = sa.article_id WHERE sa.story_id = stories.id);
