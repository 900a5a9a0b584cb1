-- recoupe store, schema version 7: grouping is part of an article's unit of work.
-- An article is marked here in the transaction that stores it, and unmarked in the
-- one that files it in a story: a run killed in between leaves the mark, and the
-- next run groups it.
CREATE TABLE ungrouped (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);
-- Stores from before: the articles a killed run left in no story await grouping.
INSERT INTO ungrouped(article_id)
    SELECT a.id FROM articles a
    WHERE NOT EXISTS (SELECT 1 FROM story_articles sa WHERE sa.article_id = a.id);
