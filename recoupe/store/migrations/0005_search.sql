-- recoupe store, schema version 5: full-text search for the web API.
-- One row per article, its rowid the article's seq; accents and case folded
-- ("Zelensky" finds "Zélensky"), so French, Spanish and Italian match as typed.
CREATE VIRTUAL TABLE article_search USING fts5(
    title, text, tokenize = "unicode61 remove_diacritics 2"
);
INSERT INTO article_search(rowid, title, text)
    SELECT seq, COALESCE(title, ''), COALESCE(json_extract(payload, '$.text'), '') FROM articles;
