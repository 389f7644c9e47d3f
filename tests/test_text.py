"""Slack markup / HTML to plain text, with offsets that still point at what the user wrote."""
from hypothesis import given, strategies as st

from rules.text import has_letters, to_plain


def source_of(plain, word):
    i = plain.text.index(word)
    start, end = plain.source_span((i, i + len(word)))
    return plain.source[start:end]


def test_slack_markup_becomes_plain_text_and_maps_back():
    p = to_plain("Hi <@U123ABC>, see <https://example.com/jobs|our open roles> &amp; *apply* :wave:")
    assert p.text == "Hi @user, see our open roles & apply "
    assert source_of(p, "our open roles") == "our open roles"
    assert source_of(p, "@user") == "<@U123ABC>"
    assert source_of(p, "&") == "&amp;"
    assert source_of(p, "apply") == "apply"


def test_special_mentions_and_labelled_links():
    p = to_plain("<!channel> <!subteam^S1|@recruiters> <mailto:kari@example.com|kari@example.com> <#C1|jobs>")
    assert p.text == "@channel @recruiters kari@example.com jobs"


def test_html_is_stripped_and_scripts_dropped_but_placeholders_survive():
    p = to_plain("<p>Hello <b>Kari</b></p><script>alert('x')</script><style>p{}</style>Call <NAME> at <FIRST_NAME>")
    assert "alert" not in p.text and "p{}" not in p.text
    assert "Hello Kari" in p.text
    assert "<NAME>" in p.text and "<FIRST_NAME>" in p.text


def test_invisible_and_bidi_characters_removed_even_inside_placeholders():
    p = to_plain("Hi {{first\u200b_name}}\u202e, \ufeffwelcome\u00a0back\x07")
    assert p.text == "Hi {{first_name}}, welcome back"


def test_formatting_marks_only_around_words():
    assert to_plain("a *bold* and _it_ ~gone~").text == "a bold and it gone"
    assert to_plain("snake_case and 5 * 3 and {{first_name}}").text == "snake_case and 5 * 3 and {{first_name}}"


def test_line_and_column_are_in_the_source():
    p = to_plain("Hi *Kari*,\r\nline two <@U1> here")
    assert p.line_col(p.text.index("here")) == (2, 16)
    assert p.line_col(p.text.index("Kari")) == (1, 5)


def test_letters_in_any_script():
    assert has_letters("Ciao") and has_letters("مرحبا")
    assert not has_letters("🚀🔥 123 !!")


@given(st.text(max_size=300))
def test_any_text_converts_and_maps_within_bounds(source):
    p = to_plain(source)
    assert len(p.starts) == len(p.text) + 1 and len(p.ends) == len(p.text)
    for i in range(len(p.text)):
        start, end = p.source_span((i, i + 1))
        assert 0 <= start < end <= len(source)


# --- caseless phrase search: the same answers as the patterns it replaces -------------------
_LETTERS = st.sampled_from(list("aAbBkKsSiIøØåÅéÉ _-.<>\n\t") + ["ſ", "ı", "İ", "K", "ß", "ẞ", "Kari", "kari", "ASA"])
_TEXTS = st.lists(_LETTERS, max_size=40).map("".join)


@given(_TEXTS, st.lists(_TEXTS, min_size=1, max_size=4))
def test_caseless_search_finds_what_the_patterns_find(text, phrases):
    import re
    from rules.analysis import _whole_word, find_word
    from rules.similarity import _masked, _personal_pattern

    phrases = sorted({p.strip() for p in phrases if p.strip()}, key=len, reverse=True)
    for phrase in phrases:
        m = _whole_word(phrase, re.IGNORECASE).search(text)
        assert find_word(text, phrase) == (m.span() if m else None)
    if phrases:
        assert _masked(text, tuple(phrases)) == _personal_pattern(tuple(phrases)).sub("<personal>", text)


def test_caseless_search_leaves_letters_re_equates_to_re():
    from rules.analysis import find_word
    from rules.caseless import lowered

    assert lowered("Kari Nordmann") == "kari nordmann"
    assert lowered("ſtrasse") is None and lowered("İstanbul") is None  # "ſ" is "s", "İ" lowers to two
    assert find_word("Welcome to ſtrasse 5", "STRASSE") == (11, 18)  # as re.IGNORECASE says
    assert find_word("Hi Kari, and Karine", "kari") == (3, 7)
    assert find_word("Karine", "kari") is None


_MARKUP = st.lists(st.sampled_from(
    ["a", "Kari", " ", "\n", "\r\n", "<", ">", "</p>", "<b>", "<script>x</script>", "<!-- c -->", "<@U1|kari>",
     "<https://x.no|link>", "&amp;", "&#65;", ":wave:", ":", "*", "_", "~", "`", "```", "\u00a0", "\u200b", "’",
     "\x07", "é", "SCRIPT", "<SCRIPT>"]), max_size=30).map("".join)


@given(_MARKUP)
def test_the_markup_scan_jumps_to_candidates_and_finds_what_the_full_scan_finds(source):
    from rules.text import _SCANNER, _markup

    assert [(m.span(), m.lastgroup) for m in _markup(source)] == [(m.span(), m.lastgroup) for m in _SCANNER.finditer(source)]


@given(st.lists(st.sampled_from(["lead", "Leader", "leadership", "kind", "kindly", "self-confident", "co-operate",
                                 "un-kind", "lead_er", " ", ", ", "\n", "-", "KIND", "é", "sicuro di sé", "sicuro"]),
                max_size=25).map("".join))
def test_gender_coded_words_by_runs_are_what_the_pattern_finds(text):
    from rules.checks.wording import _stems, coded

    for stems in (("lead*", "kind", "self-confiden*", "co-operat*"), ("sicuro di sé", "lead*")):
        assert coded(stems, text) == [m.group().lower() for m in _stems(stems).finditer(text)]
