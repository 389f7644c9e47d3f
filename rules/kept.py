"""How much a process keeps between reviews. Drafts repeat their words, lines and sentences (a
template's copies, a draft reviewed again after an edit), so the engine keeps what it worked
out about each; a server that runs for months meets new names, numbers and links every day,
so every such cache is bounded, by these two sizes: a cache of words (a dictionary's answers,
a word's lemma, its forms) holds at most `WORDS_KEPT`, a cache of lines or sentences (their
phrase hits, unknown words, stop words) at most `LINES_KEPT`. Filled to the brim by 20,000
drafts of new lines and words, a process holding all three languages grows by ~100 MB
(README, "Speed"). The category model (models/, which imports nothing from here) keeps its
own: as many words, half as many lines (each holds two arrays)."""

WORDS_KEPT = 16_384
LINES_KEPT = 8_192
