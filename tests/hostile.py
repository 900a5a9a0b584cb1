"""Hostile inputs, one generator per class of fault a reliability campaign found.

``hostile_inputs(folder, rng)`` writes a set of files into ``folder`` and says, for
each, what recoupe must do with it: store it (a good article, however odd its
form), reject it with a reason, or either (a random mutation may or may not
leave an article). The test suite writes a small set (``tests/ingest``,
``tests/test_reliability.py``); ``benchmarks/reliability.py`` writes over a
thousand. Nothing here knows recoupe's internals: these are files a user could
hand it.
"""

from __future__ import annotations

import gzip
import json
import os
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

STORE, REJECT, EITHER = "stored", "rejected", "either"

# Real-looking French news text the generators wrap: every sentence distinct, so that
# no two good inputs are duplicates of each other unless a case says so.
_SUBJECTS = ["Le ministre de l'Intérieur", "La préfecture", "Le maire de Lyon", "L'armée",
             "Le président du Sénat", "La commission européenne", "Le syndicat des dockers",
             "Une porte-parole de l'ONU", "Le gouvernement italien", "La police fédérale"]
_VERBS = ["a annoncé", "a démenti", "a confirmé", "a précisé", "a rappelé", "a dénoncé"]
_OBJECTS = ["la fermeture du port", "un accord sur les salaires", "l'ouverture d'une enquête",
            "le report du sommet", "la libération de trois otages", "un plan de relance",
            "l'évacuation de deux quartiers", "la hausse des prix de l'énergie"]
_WHEN = ["jeudi soir", "mardi matin", "dans la nuit de dimanche à lundi", "lors d'un point presse",
         "dans un communiqué publié vendredi", "devant les députés"]


def news_text(rng: random.Random, sentences: int = 6) -> str:
    """A short news article in French, different at each call."""
    out = []
    for _ in range(sentences):
        n = rng.randrange(2, 9000)
        out.append(f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_WHEN)} "
                   f"{rng.choice(_OBJECTS)}, qui concerne {n} personnes selon le bilan "
                   f"numéro {rng.randrange(10**6)}.")
    return " ".join(out)


@dataclass(slots=True)
class Case:
    path: Path  # the file (or folder) given to recoupe
    kind: str  # which generator made it
    expect: str  # STORE, REJECT or EITHER
    records: int = 1  # articles the file holds when it is a container (JSONL)


Generator = Callable[[Path, random.Random, int], Iterator[Case]]
_GENERATORS: dict[str, Generator] = {}


def generator(kind: str) -> Callable[[Generator], Generator]:
    def register(fn: Generator) -> Generator:
        _GENERATORS[kind] = fn
        return fn
    return register


def kinds() -> list[str]:
    return sorted(_GENERATORS)


def hostile_inputs(folder: Path, rng: random.Random, per_kind: int = 1,
                   only: set[str] | None = None, counts: dict[str, int] | None = None
                   ) -> list[Case]:
    """Write ``per_kind`` inputs of each kind (``counts[kind]`` where given) under
    ``folder``, one subfolder per kind."""
    cases: list[Case] = []
    for kind in kinds():
        if only is not None and kind not in only:
            continue
        where = folder / kind
        where.mkdir(parents=True, exist_ok=True)
        for n in range((counts or {}).get(kind, per_kind)):
            cases.extend(_GENERATORS[kind](where, rng, n))
    return cases


def write_jsonl(path: Path, records: list[dict[str, object]]) -> Path:
    """Input records, one JSON object a line."""
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.write_bytes(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    return path


def _record(rng: random.Random, **fields: object) -> str:
    body: dict[str, object] = {"id": f"r{rng.randrange(10**12)}", "text": news_text(rng)}
    body.update(fields)
    return json.dumps(body, ensure_ascii=True)


# -- parsers pushed past their limits ---------------------------------------------


@generator("json-deep")
def _deep_json(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    depth = rng.choice([1_200, 5_000, 100_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    payload = opener * depth + "1" + closer * depth
    yield Case(_write(folder, f"deep{n}.json", payload), "json-deep", REJECT)
    line = '{"id": "d' + str(n) + '", "text": "x", "extra": ' + payload + "}\n"
    yield Case(_write(folder, f"deep{n}.jsonl", line), "json-deep", REJECT)


@generator("json-bigint")
def _big_int(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    digits = "9" * rng.choice([4_301, 10_000, 50_000])
    text = f'{{"id": {digits}, "text": "{news_text(rng)}"}}'
    yield Case(_write(folder, f"bigint{n}.json", text), "json-bigint", REJECT)


@generator("json-surrogate")
def _surrogate(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    # Valid JSON, invalid Unicode ("\ud800" alone): kept, the lone surrogate replaced.
    field = ["text", "title", "source", "id"][n % 4]
    raw = json.dumps({"id": f"s{n}-{rng.randrange(10**9)}", "text": news_text(rng)})
    if field in ("text", "id"):
        raw = raw.replace(f'"{field}": "', f'"{field}": "\\ud800 ', 1)
    else:
        raw = raw[:-1] + f', "{field}": "nom \\udc80 {n}"}}'
    yield Case(_write(folder, f"surrogate{n}.json", raw), "json-surrogate", STORE)


@generator("json-shapes")
def _shapes(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    bad = ["[]", "{}", "null", '"texte"', "123", "[1, 2]", '{"text": 12}', '{"text": ["a"]}',
           '{"html": {}}', '{"text": "   "}', "[[]]", '{"text": "ok", "id": {"a": 1}}',
           '{"text": "ok", "id": true}']
    yield Case(_write(folder, f"shape{n}.json", bad[n % len(bad)]), "json-shapes", REJECT)


@generator("record-fields")
def _fields(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    bad: list[dict[str, object]] = [
        {"url": "http://[::1"}, {"url": "http://[zz]/x"}, {"url": "http://a.example:99999999/"},
        {"published": "9999-12-31"}, {"published": "0001-01-01"}, {"published": "2021-13-45"},
        {"published": 1e308}, {"published": [2021]}, {"published": "demain"},
        {"language": "x" * 10_000}, {"language": "../../etc"}, {"language": "fr\u0000"},
        {"title": ["a"]}, {"id": "i" * 100_000}, {"url": 12},
    ]
    fields = bad[n % len(bad)]
    yield Case(_write(folder, f"fields{n}.json", _record(rng, **fields)), "record-fields", REJECT)


@generator("jsonl-separators")
def _separators(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    # U+2028, U+2029 and U+0085 are allowed raw inside JSON strings: not line ends.
    sep = ["\u2028", "\u2029", "\u0085", "\u000b", "\u000c"][n % 5]
    lines = []
    for _ in range(3):
        text = news_text(rng).replace(", qui", f",{sep} qui", 1)
        lines.append(json.dumps({"id": f"sep{rng.randrange(10**9)}", "text": text},
                                ensure_ascii=False))
    path = _write(folder, f"separators{n}.jsonl", "\n".join(lines) + "\n")
    yield Case(path, "jsonl-separators", STORE, records=3)


# -- markup built to stall a parser ------------------------------------------------


@generator("html-attributes")
def _attributes(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    count = rng.choice([20_000, 200_000])
    attrs = " ".join(f"a{i}=x" for i in range(count))
    page = f"<html><body><p {attrs}>{news_text(rng)}</p></body></html>"
    yield Case(_write(folder, f"attributes{n}.html", page), "html-attributes", REJECT)


@generator("html-elements")
def _elements(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    if n % 2:
        page = "<div>" * 300_000 + news_text(rng) + "</div>" * 300_000
        yield Case(_write(folder, f"nested{n}.html", page), "html-elements", REJECT)
    else:
        page = "<html><body>" + "<b></b>" * 250_000 + f"<p>{news_text(rng)}</p></body></html>"
        yield Case(_write(folder, f"many{n}.html", page), "html-elements", REJECT)


@generator("html-odd")
def _odd_html(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    text = news_text(rng)
    pages = [
        f"<html><body><p>{text}",  # never closed
        f"<p>{text}</p><script>" + "x" * 50_000,
        f"<html><body><article><p>{text}</p></article>" + "<!--" * 1000,
        f"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a '{'A' * 1000}'>]><html><body><p>{text}</p>",
        f"<html><head><meta charset='utf-16'></head><body><p>{text}</p></body></html>",
    ]
    yield Case(_write(folder, f"odd{n}.html", pages[n % len(pages)]), "html-odd", EITHER)


# -- text built to stall the language stages ----------------------------------------


@generator("text-stall")
def _stall(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    shapes = [
        "« a-t-il déclaré » " * 20_000,
        "a b\n" * 100_000,
        ("Le président a dit : « " + "non, " * 2000 + "» ") * 20,
        ("« " + news_text(rng) + " » ") * 300,
        ("M. " * 50_000) + ".",
        ("(" * 5_000) + news_text(rng) + (")" * 5_000),
    ]
    text = shapes[n % len(shapes)]
    yield Case(_write(folder, f"stall{n}.txt", text), "text-stall", EITHER)


@generator("text-huge")
def _huge(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    # Over ingest.max_chars: refused before any analysis.
    chunk = news_text(rng, 30)
    text = (chunk + "\n\n") * (1_500_000 // len(chunk) + 1)
    yield Case(_write(folder, f"huge{n}.txt", text), "text-huge", REJECT)


@generator("text-tiny")
def _tiny(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    data = bytes(rng.randrange(32, 256) for _ in range(1 + n % 7))
    yield Case(_write(folder, f"tiny{n}.txt", data), "text-tiny", REJECT)


# -- containers with nothing, or garbage, inside -------------------------------------


@generator("container-empty")
def _empty(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    shapes: list[tuple[str, bytes]] = [
        ("empty.json", b"[]"),
        ("empty.warc", b"WARC/1.0\r\n" + bytes(rng.randrange(256) for _ in range(200))),
        ("random.warc", bytes(rng.randrange(256) for _ in range(500))),
        ("empty.jsonl", b"\n\n  \n"),
        ("empty.rss", b"<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
                      b"</channel></rss>"),
        ("empty.txt", b""),
        ("blank.html", b"<html><body>   </body></html>"),
    ]
    name, data = shapes[n % len(shapes)]
    yield Case(_write(folder, f"{n}-{name}", data), "container-empty", REJECT)


@generator("gzip")
def _gzip(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    if n % 3 == 0:  # a gzipped text file: read, not taken for a WARC
        data = gzip.compress(news_text(rng).encode())
        yield Case(_write(folder, f"article{n}.txt.gz", data), "gzip", STORE)
    elif n % 3 == 1:  # unpacks far past the size limit
        data = gzip.compress(b"a" * 60_000_000, compresslevel=9)
        yield Case(_write(folder, f"bomb{n}.gz", data), "gzip", REJECT)
    else:  # cut short
        data = gzip.compress(news_text(rng).encode())[:-12]
        yield Case(_write(folder, f"truncated{n}.gz", data), "gzip", REJECT)


# -- names and folders -------------------------------------------------------------


@generator("names")
def _names(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    # Not valid UTF-8, a terminal escape sequence, a newline: stored all the same.
    names = [b"caf\xe9-%d.txt", b"\x1b]0;PWNED\x07\x1b[2J-%d.txt", b"line\nbreak-%d.txt",
             b"\xff\xfe-%d.txt", "\u202eevil-%d.txt".encode()]
    raw = names[n % len(names)] % n
    path = os.path.join(os.fsencode(folder), raw)
    with open(path, "wb") as out:
        out.write(news_text(rng).encode())
    yield Case(Path(os.fsdecode(path)), "names", STORE)


@generator("folders")
def _folders(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    # Readable by root whatever their mode: only a non-root run can find them unreadable.
    sub = folder / f"locked{n}"
    sub.mkdir()
    _write(sub, "inside.txt", news_text(rng))
    sub.chmod(0)
    yield Case(sub, "folders", REJECT if os.geteuid() != 0 else STORE)


# -- random damage to good files -----------------------------------------------------


@generator("mutations")
def _mutations(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    text = news_text(rng)
    forms = [
        ("m.txt", text.encode()),
        ("m.json", json.dumps({"id": f"m{n}", "text": text}).encode()),
        ("m.html", f"<html><body><h1>Titre</h1><p>{text}</p></body></html>".encode()),
        ("m.jsonl", (json.dumps({"id": f"m{n}", "text": text}) + "\n").encode()),
    ]
    name, data = forms[n % len(forms)]
    mutated = bytearray(data)
    for _ in range(rng.randrange(1, 20)):
        at = rng.randrange(len(mutated))
        action = rng.randrange(3)
        if action == 0:
            mutated[at] = rng.randrange(256)
        elif action == 1:
            del mutated[at]
        else:
            mutated.insert(at, rng.randrange(256))
    yield Case(_write(folder, f"{n}-{name}", bytes(mutated)), "mutations", EITHER)


@generator("good")
def _good(folder: Path, rng: random.Random, n: int) -> Iterator[Case]:
    # Well-formed articles in every format, beside the hostile ones: all must be kept.
    text = news_text(rng)
    forms = [
        ("g.txt", text),
        ("g.json", json.dumps({"id": f"g{n}", "text": text, "published": "2021-06-01",
                               "language": "fr-FR", "url": f"https://news.example/{n}"})),
        ("g.html", f"<html><head><title>Titre {n}</title></head><body><article><h1>Titre {n}"
                   f"</h1><p>{text}</p></article></body></html>"),
        ("g.rss", "<?xml version='1.0'?><rss version='2.0'><channel><title>Fil</title><item>"
                  f"<title>Dépêche {n}</title><link>https://fil.example/{n}</link>"
                  f"<description>{text}</description></item></channel></rss>"),
    ]
    name, data = forms[n % len(forms)]
    yield Case(_write(folder, f"{n}-{name}", data), "good", STORE)
