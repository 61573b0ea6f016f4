"""What the user typed -> a Whoosh query, read sensibly, with notes on what was changed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import qparser
from whoosh import query as wq

from search_service.analysis.vocabulary import equivalents
from search_service.search.request import QueryError

MAX_QUERY_CHARS = 1000
# Fields a user may name in a query ("csp:bolton"), mapped to the searchable field behind them.
FIELD_ALIASES = {
    "csp_text": ["csp"],
    "addressee_text": ["addressee", "agency"],
    "sector_text": ["sector"],
    "title": ["title"],
    "text": ["text"],
}
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "’": "'"})
# Plain words are searched in these fields; BM25F field boosts (index/schema.py) favour the text.
DEFAULT_FIELDS = ("text", "title", "addressee_text", "csp_text")
OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"}
MAX_VOCAB_WORDS = 8
# Queries of plain words whose analysed terms one index version remembers (a few hundred
# bytes each), and the most words such a query has.
PLAIN_MEMO = 4096
MAX_PLAIN_WORDS = 8
# Bare words of a query, for vocabulary matching: letters, digits, inner ' ’ & - .
_PLAIN_WORD = re.compile(r"^[\w][\w'’&.-]*$")
LEXEME = re.compile(r'=?"[^"]*"|[()]|[^\s()"]+')
PHRASE_BOOST = 2.0


def _parser(schema) -> qparser.QueryParser:
    fields = [f for f in DEFAULT_FIELDS if f in schema]
    parser = qparser.MultifieldParser(fields, schema, group=qparser.AndGroup)
    # + and - count only at the start of a word: "multi-agency" is one word, not "multi NOT agency".
    parser.add_plugin(
        qparser.PlusMinusPlugin(
            plusexpr=r"(?:^|(?<=[\s(]))\+(?=\S)", minusexpr=r"(?:^|(?<=[\s(]))-(?=\S)"
        )
    )
    parser.add_plugin(qparser.FieldAliasPlugin(FIELD_ALIASES))
    return parser


def _quote(form: str) -> str:
    return form if re.fullmatch(r"\w+", form) else '"' + form.replace('"', " ") + '"'


def is_plain_word(lexeme: str) -> bool:
    """Whether a lexeme is a bare word: no operator, field name, quote or bracket."""
    return bool(_PLAIN_WORD.match(lexeme)) and lexeme not in OPERATORS and ":" not in lexeme


def expand_vocabulary(q: str) -> tuple[str, list[dict]]:
    """Rewrite acronyms and names from the vocabulary as (form OR "other form" ...).

    Returns the rewritten query and what was expanded. '=' before a word or phrase keeps it
    literal.
    """
    lexemes = LEXEME.findall(q)
    out: list[str] = []
    expansions: list[dict] = []
    i = 0
    while i < len(lexemes):
        lex = lexemes[i]
        if lex.endswith(":") and i + 1 < len(lexemes):
            out.append(lex + lexemes[i + 1])  # field:"a phrase" stays as typed
            i += 2
            continue
        if lex.startswith("="):
            out.append(lex[1:])  # literal: searched as typed
            i += 1
            continue
        if lex.startswith('"') and len(lex) > 2:
            forms = equivalents(lex[1:-1])
            if len(forms) > 1:
                out.append(_group(lex[1:-1], forms, expansions))
            else:
                out.append(lex)
            i += 1
            continue
        if not is_plain_word(lex):
            out.append(lex)
            i += 1
            continue
        run_end = i
        while (
            run_end < len(lexemes)
            and is_plain_word(lexemes[run_end])
            and run_end - i < MAX_VOCAB_WORDS
        ):
            run_end += 1
        for n in range(run_end - i, 0, -1):
            typed = " ".join(lexemes[i : i + n])
            forms = equivalents(typed)
            if len(forms) > 1:
                out.append(_group(typed, forms, expansions))
                i += n
                break
        else:
            out.append(lex)
            i += 1
    return " ".join(out), expansions


def _group(typed: str, forms: list[str], expansions: list[dict]) -> str:
    others = [f for f in forms if f.lower() != typed.lower()]
    expansions.append({"typed": typed, "also": others})
    return "(" + " OR ".join(_weighted_form(f) for f in [typed, *others]) + ")"


def _weighted_form(form: str) -> str:
    # A phrase scores the sum of its words, so "Multi-Agency Risk Assessment Conference" would
    # outscore "MARAC" five times over: each form counts about as much as one word.
    words = len(re.findall(r"\w+", form))
    return _quote(form) + (f"^{1 / words:.2f}" if words > 1 else "")


def _phrase_boost(schema, q: str, parsed: wq.Query) -> wq.Query:
    terms = _phrase_terms(schema, q)
    if terms is None:
        return parsed
    return wq.AndMaybe(parsed, wq.Phrase("text", terms, boost=PHRASE_BOOST))


def _phrase_terms(schema, q: str) -> list[str] | None:
    # Two to five plain words: documents holding them as a phrase rank above scattered ones.
    words = q.split()
    if not 2 <= len(words) <= 5 or not all(is_plain_word(w) for w in words):
        return None
    terms = [t.text for t in schema["text"].analyzer(q, mode="query")]
    return terms if len(terms) >= 2 else None


def normalise_query(q: str) -> tuple[str, list[str]]:
    """Straighten phone quotes and repair unbalanced quotes and brackets; note what changed."""
    notes: list[str] = []
    q = q.translate(_QUOTES).strip()
    if q.count('"') % 2:
        last = q.rfind('"')
        q = q[:last] + q[last + 1 :]
        notes.append("An unmatched quote mark was ignored.")
    if q.count("(") != q.count(")"):
        q = q.replace("(", " ").replace(")", " ")
        notes.append("Unbalanced brackets were ignored.")
    tidied = _drop_stacked_operators(q)
    if tidied != q:
        q = tidied
        notes.append("Operators with nothing to join were ignored.")
    return q, notes


def _drop_stacked_operators(q: str) -> str:
    # "NOT AND x", "x NOT OR y": an operator followed by another (or by nothing) joins nothing,
    # and Whoosh's parser fails on NOT before an operator. Quoted phrases are left alone.
    parts = re.split(r'("[^"]*")', q)
    words = [w for part in parts for w in ([part] if part.startswith('"') else part.split())]
    kept: list[str] = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else None
        if word in OPERATORS and (following is None or following in OPERATORS - {"NOT"}):
            continue
        if word in OPERATORS - {"NOT"} and not kept:
            continue  # nothing before it to join
        if word == "NOT" and following == "NOT":
            continue
        kept.append(word)
    return " ".join(kept) if kept != words else q


@dataclass
class ParsedQuery:
    """A parsed query with what the user should be told about how it was read."""

    query: wq.Query | None
    text: str = ""
    notes: list[str] = field(default_factory=list)
    expansions: list[dict] = field(default_factory=list)


_WORD = re.compile(r"\w+")


def _plain_words(schema, text: str, vocabulary: bool, memo: dict | None = None) -> wq.Query | None:
    """What the parser (and the phrase boost) make of one to MAX_PLAIN_WORDS plain words, each
    one term per searched field, without running it: the commonest queries, and the parser's
    plugins cost ~0.3 ms. None when the text needs the parser (an operator, a vocabulary name,
    a stop word, punctuation). With memo (a dict kept per index version), each text is
    analysed once."""
    found = memo.get((text, vocabulary)) if memo is not None else None
    if found is None:
        found = _plain_terms(schema, text, vocabulary)
        if memo is not None:
            if len(memo) >= PLAIN_MEMO:
                memo.clear()  # a crude bound: rebuilt from the words searched next
            memo[(text, vocabulary)] = found
    if not found:
        return None
    # New query objects each time: callers may rewrite the tree they get.
    per_word, phrase = found
    ors = [wq.Or([wq.Term(name, term) for name, term in terms]) for terms in per_word]
    ors = [o.subqueries[0] if len(o.subqueries) == 1 else o for o in ors]
    q = ors[0] if len(ors) == 1 else wq.And(ors)
    if phrase:
        q = wq.AndMaybe(q, wq.Phrase("text", list(phrase), boost=PHRASE_BOOST))
    return q


def _plain_terms(schema, text: str, vocabulary: bool) -> tuple:
    """(each word's (field, term) pairs, the phrase boost's terms or ()); () if not plain."""
    words = text.split()
    if not 1 <= len(words) <= MAX_PLAIN_WORDS:
        return ()
    if any(not _WORD.fullmatch(w) or w in OPERATORS for w in words):
        return ()
    if vocabulary and expand_vocabulary(text)[1]:
        return ()  # a vocabulary name: the parser searches its other forms too
    per_word = []
    for word in words:
        terms = []
        # The searched fields share one analyzer (schema.py): a word is analysed once.
        by_analyzer: dict[tuple, list[str]] = {}
        for name in DEFAULT_FIELDS:
            if name not in schema:
                continue
            field = schema[name]
            key = (type(field), id(field.analyzer))
            if key not in by_analyzer:
                by_analyzer[key] = list(field.process_text(word, mode="query"))
            analysed = by_analyzer[key]
            if len(analysed) != 1:
                return ()
            terms.append((name, analysed[0]))
        if not terms:
            return ()
        per_word.append(tuple(terms))
    if len(set(per_word)) < len(per_word):
        return ()  # the parser drops a repeated word: left to it
    return tuple(per_word), tuple(_phrase_terms(schema, text) or ())


def parse_query(schema, q: str, vocabulary: bool = True, memo: dict | None = None) -> ParsedQuery:
    """The Whoosh query for what the user typed (None for an empty query), with notes; memo
    is a dict the caller keeps per index version (see _plain_words)."""
    if len(q) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is too long ({len(q)} characters; at most {MAX_QUERY_CHARS}).")
    text, notes = normalise_query(q)
    if not text:
        return ParsedQuery(None, text, notes)
    one = _plain_words(schema, text, vocabulary, memo)
    if one is not None:
        return ParsedQuery(one, text, notes)
    expanded, expansions = expand_vocabulary(text) if vocabulary else (text.replace("=", ""), [])
    try:
        parsed = _parser(schema).parse(expanded)
    except Exception:  # noqa: BLE001 - a parser bug must not become a 500: search the words
        words = " ".join(re.findall(r"\w+", expanded))
        parsed = _parser(schema).parse(words) if words else wq.NullQuery
        notes.append("The query could not be read as written, so its words were searched for.")
    if isinstance(parsed, type(wq.NullQuery)):
        notes.append("The query has no searchable words, so nothing matched.")
        return ParsedQuery(parsed, text, notes, expansions)
    if not expansions:
        parsed = _phrase_boost(schema, text, parsed)
    return ParsedQuery(parsed, text, notes, expansions)
