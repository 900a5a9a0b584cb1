"""The ``entities`` stage: named-entity mentions from the spaCy Docs."""

from __future__ import annotations

from typing import ClassVar

from ..config import Config
from ..model import Article, EntityType, Mention
from ..pipeline import register_stage

# spaCy label schemes (WikiNER for French, OntoNotes for English) onto ours;
# labels absent here (dates, numbers, money) are not entities.
LABELS: dict[str, EntityType] = {
    "PER": "PER", "PERSON": "PER",
    "ORG": "ORG",
    "LOC": "LOC", "GPE": "LOC", "FAC": "LOC",
    "MISC": "MISC", "NORP": "MISC", "EVENT": "MISC", "PRODUCT": "MISC", "LAW": "MISC",
    "WORK_OF_ART": "MISC", "LANGUAGE": "MISC",
}


@register_stage("entities")
class EntitiesStage:
    name: ClassVar[str] = "entities"
    requires: ClassVar[frozenset[str]] = frozenset({"sentences", "nlp_docs"})
    assigns: ClassVar[frozenset[str]] = frozenset({"mentions"})

    def __init__(self, config: Config) -> None:
        pass

    def __call__(self, articles: list[Article]) -> list[Article]:
        for article in articles:
            mentions: list[Mention] = []
            sent_starts = [s.start for s in article.sentences]
            sent = 0
            for para, doc in zip(article.paragraphs, article.nlp_docs, strict=True):
                for ent in doc.ents:
                    label = LABELS.get(ent.label_)
                    text = ent.text.strip()
                    if label is None or not text:
                        continue
                    start = para.start + ent.start_char
                    while sent + 1 < len(sent_starts) and sent_starts[sent + 1] <= start:
                        sent += 1
                    mentions.append(Mention(start, para.start + ent.end_char, text, label, sent))
            article.mentions = mentions
        return articles
