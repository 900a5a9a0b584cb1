"""The ``sentences`` stage: paragraph-aware sentence splitting with spaCy.

spaCy's parser happily runs a sentence across a blank line, so each
paragraph is parsed on its own and sentences never cross paragraphs. All the
paragraphs of a batch go through ``nlp.pipe`` together, per language. The
sentences with no verb are noted (``verbless``): what a summary may not quote.
"""

from __future__ import annotations

from collections import defaultdict
from typing import ClassVar

from ..config import Config, LanguageConfig
from ..model import Article, Passage
from ..pipeline import register_stage
from .models import pipeline_for

_BATCH = 64
_VERBS = frozenset({"VERB", "AUX"})


@register_stage("sentences")
class SentencesStage:
    name: ClassVar[str] = "sentences"
    requires: ClassVar[frozenset[str]] = frozenset({"text", "paragraphs", "language"})
    assigns: ClassVar[frozenset[str]] = frozenset({"sentences", "nlp_docs", "verbless"})

    def __init__(self, config: Config) -> None:
        self.config: LanguageConfig = config.language

    def __call__(self, articles: list[Article]) -> list[Article]:
        by_lang: dict[str | None, list[Article]] = defaultdict(list)
        for article in articles:
            by_lang[article.language].append(article)
        for lang, group in by_lang.items():
            nlp = pipeline_for(lang, self.config)
            # The models learnt French from straight apostrophes: "qu’Emmanuel" must not
            # hide a name. One character for one, so offsets stay the text's.
            texts = [a.text[p.start : p.end].replace("\u2019", "'")
                     for a in group for p in a.paragraphs]
            docs = iter(nlp.pipe(texts, batch_size=_BATCH))
            # Another language's tagger (Italian through the French model) misses verbs.
            own_tagger = nlp.lang == lang
            for article in group:
                article.nlp_docs = [next(docs) for _ in article.paragraphs]
                spans = [(para, sent) for para, doc in zip(article.paragraphs, article.nlp_docs,
                                                           strict=True)
                         for sent in doc.sents if sent.text.strip()]
                article.sentences = [
                    Passage(para.start + sent.start_char, para.start + sent.end_char, para.paragraph)
                    for para, sent in spans]
                article.verbless = [
                    i for i, (_, sent) in enumerate(spans)
                    if own_tagger and sent.doc.has_annotation("POS")
                    and not any(t.pos_ in _VERBS for t in sent)]
        return articles
