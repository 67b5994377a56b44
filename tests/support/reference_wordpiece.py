#!/usr/bin/python3
"""An independent reference for the embedding model's WordPiece tokenizer.

Reads a Hugging Face tokenizer.json and gives the input ids that
sentence-transformers would feed the model, written from scratch from the
semantics of the `tokenizers` Rust crate for exactly this pipeline:

  str.strip() of the text                  (sentence-transformers' Transformer,
     then str.lower() of the whole text when its do_lower_case is set)
  -> added tokens split out                (added_vocabulary.rs: first the
     tokens with normalized=false in the raw text, then the normalized ones
     in each normalized piece; leftmost-longest, single_word / lstrip /
     rstrip as find_matches does)
  -> BertNormalizer                        (normalizers/bert.rs)
  -> BertPreTokenizer                      (pre_tokenizers/bert.rs)
  -> WordPiece                             (models/wordpiece/mod.rs)
  -> truncation to MAX_LENGTH, specials included, then the post-processor's
     special tokens (TemplateProcessing, BertProcessing, RobertaProcessing)

Only the standard library (Debian's /usr/bin/python3: unicodedata is Unicode
14.0). The Rust crate classes punctuation, control characters and
non-spacing marks with the unicode_categories crate, whose tables are far
older (Unicode 8.0 or 9.0): characters assigned or re-categorised since then
in the P*, Cc/Cf/Co or Mn categories may be classed differently here, so the
texts checked against this file avoid them. Case mapping and NFD are
Python's, which agree with Rust's and the crate's for older characters.

  reference_wordpiece.py [--do-lower-case] TOKENIZER_JSON MAX_LENGTH TEXTS_JSONL OUT_JSON [...]

TEXTS_JSONL holds {"text": ...} lines; OUT_JSON gets a JSON array with the id
list of each text. Several groups of four arguments may follow one another,
so that many tokenizer variants are checked with one Python start; a group
preceded by --do-lower-case is tokenized as sentence-transformers does with
sentence_bert_config.json's "do_lower_case": true.
"""
import json
import sys
import unicodedata

# Rust's char::is_whitespace: the White_Space property (stable since Unicode
# 6.3, when U+180E left it).
_RUST_WHITESPACE = frozenset(
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680]
    + list(range(0x2000, 0x200B))
    + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
)


def is_rust_whitespace(c):
    return ord(c) in _RUST_WHITESPACE


# normalizers/bert.rs is_whitespace: '\t' | '\n' | '\r' or char::is_whitespace.
def is_bert_whitespace(c):
    return c in "\t\n\r" or is_rust_whitespace(c)


# normalizers/bert.rs is_control: not '\t' '\n' '\r', and unicode_categories'
# is_other(), which is Cc, Cf or Co (neither Cn nor Cs).
def is_bert_control(c):
    if " " <= c <= "~":
        return False
    if c in "\t\n\r":
        return False
    return unicodedata.category(c) in ("Cc", "Cf", "Co")


# normalizers/bert.rs is_chinese_char.
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B920, 0x2CEAF),
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def is_chinese_char(c):
    o = ord(c)
    return o >= 0x3400 and any(lo <= o <= hi for lo, hi in _CJK_RANGES)


# pre_tokenizers/bert.rs is_bert_punc: char::is_ascii_punctuation (which
# includes the ASCII symbols $ + < = > ^ ` | ~) or a Unicode P* category.
def is_bert_punc(c):
    o = ord(c)
    if o < 0x80:
        return 0x21 <= o <= 0x2F or 0x3A <= o <= 0x40 or 0x5B <= o <= 0x60 or 0x7B <= o <= 0x7E
    return unicodedata.category(c).startswith("P")


# The regex crate's Unicode \w (used by single_word): Alphabetic, marks,
# decimal digits, connector punctuation, Join_Control. Alphabetic is the
# letters, Nl, and Other_Alphabetic (marks, covered by M, and the circled /
# squared Latin letters, which are So).
_OTHER_ALPHABETIC_SYMBOLS = ((0x24B6, 0x24E9), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189))


def is_regex_word(c):
    cat = unicodedata.category(c)
    if cat[0] in "LM" or cat in ("Nd", "Nl", "Pc"):
        return True
    o = ord(c)
    if o in (0x200C, 0x200D):
        return True
    return any(lo <= o <= hi for lo, hi in _OTHER_ALPHABETIC_SYMBOLS)


class BertNormalizer:
    def __init__(self, spec):
        # serde defaults of BertNormalizer: everything on, strip_accents None.
        self.clean_text = bool(spec.get("clean_text", True))
        self.handle_chinese_chars = bool(spec.get("handle_chinese_chars", True))
        self.lowercase = bool(spec.get("lowercase", True))
        strip = spec.get("strip_accents", None)
        # strip_accents: None follows lowercase (BertNormalizer::normalize).
        self.strip_accents = self.lowercase if strip is None else bool(strip)

    def __call__(self, s):
        if self.clean_text:
            out = []
            for c in s:
                # filter first, then map: the whitespace that is Cc (\x0b,
                # \x0c, \x85) is dropped, not turned into a space.
                if c == "\0" or c == "\ufffd" or is_bert_control(c):
                    continue
                out.append(" " if is_bert_whitespace(c) else c)
            s = "".join(out)
        if self.handle_chinese_chars:
            s = "".join(" " + c + " " if is_chinese_char(c) else c for c in s)
        if self.strip_accents:
            # NormalizedString::nfd() then filter(!is_mark_nonspacing).
            s = "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")
        if self.lowercase:
            # NormalizedString::lowercase: char::to_lowercase of each char on
            # its own (no Final_Sigma context; U+0130 -> "i\u0307").
            s = "".join(c.lower() for c in s)
        return s


def identity(s):
    return s


def pre_tokenize(s):
    """BertPreTokenizer: split on char::is_whitespace (removed), then isolate
    each punctuation character."""
    words = []
    current = []
    for c in s:
        if is_rust_whitespace(c):
            if current:
                words.append("".join(current))
                current = []
        elif is_bert_punc(c):
            if current:
                words.append("".join(current))
                current = []
            words.append(c)
        else:
            current.append(c)
    if current:
        words.append("".join(current))
    return words


class WordPiece:
    def __init__(self, model):
        if model.get("type") != "WordPiece":
            raise SystemExit("model.type is %r, not WordPiece" % model.get("type"))
        self.vocab = dict(model["vocab"])
        self.prefix = model.get("continuing_subword_prefix", "##")
        self.max_chars = int(model.get("max_input_chars_per_word", 100))
        self.unk_token = model.get("unk_token", "[UNK]")
        if self.unk_token not in self.vocab:
            raise SystemExit("unk_token %r is not in the vocabulary" % self.unk_token)
        self.unk_id = self.vocab[self.unk_token]
        self.longest = max((len(k) for k in self.vocab), default=0)

    def tokenize(self, word):
        # models/wordpiece/mod.rs tokenize: the length limit counts chars.
        if len(word) > self.max_chars:
            return [self.unk_id]
        ids = []
        start = 0
        n = len(word)
        while start < n:
            end = n
            found = None
            while start < end:
                piece = word[start:end]
                if start > 0:
                    piece = self.prefix + piece
                # (a piece longer than every entry cannot match; skipping
                # the lookup changes nothing)
                if len(piece) <= self.longest and piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk_id]
            ids.append(found)
            start = end
        return ids


class AddedToken:
    def __init__(self, entry, token_id):
        self.content = entry["content"]
        self.id = token_id
        self.single_word = bool(entry.get("single_word", False))
        self.lstrip = bool(entry.get("lstrip", False))
        self.rstrip = bool(entry.get("rstrip", False))
        special = bool(entry.get("special", False))
        self.normalized = bool(entry.get("normalized", not special))
        self.pattern = self.content  # what is matched; normalized later for normalized tokens


def leftmost_longest(text, patterns):
    """The non-overlapping leftmost-longest matches of Aho-Corasick's
    find_iter: (start, end, token). Each search resumes at the previous
    match's end."""
    matches = []
    n = len(text)
    pos = 0
    firsts = {p.pattern[0] for p in patterns if p.pattern}
    while pos < n:
        best = None
        start = pos
        while start < n:
            if text[start] in firsts:
                for p in patterns:
                    pat = p.pattern
                    if pat and text.startswith(pat, start) and (best is None or len(pat) > len(best.pattern)):
                        best = p
                if best is not None:
                    break
            start += 1
        if best is None:
            break
        matches.append((start, start + len(best.pattern), best))
        pos = start + len(best.pattern)
    return matches


def find_matches(sentence, patterns):
    """added_vocabulary.rs find_matches: the pieces of `sentence`, each
    (token_id or None, text)."""
    if not sentence:
        return [(None, "")]
    start_offset = 0
    splits = []
    for start, stop, token in leftmost_longest(sentence, patterns):
        if token.single_word:
            start_space = start == 0 or not is_regex_word(sentence[start - 1])
            stop_space = stop == len(sentence) or not is_regex_word(sentence[stop])
            if not stop_space or not start_space:
                continue
        if token.lstrip:
            newstart = start
            while newstart > 0 and is_rust_whitespace(sentence[newstart - 1]):
                newstart -= 1
            start = max(newstart, start_offset)
        if token.rstrip:
            while stop < len(sentence) and is_rust_whitespace(sentence[stop]):
                stop += 1
        if start_offset < start:
            splits.append((None, sentence[start_offset:start]))
        splits.append((token.id, None))
        start_offset = stop
    if start_offset != len(sentence):
        splits.append((None, sentence[start_offset:]))
    return splits


def parse_template_string(text):
    """processors/template.rs Piece::try_from(&str), for a template given as
    a string: "[CLS]:0 $A:0 [SEP]:0"."""
    pieces = []
    for item in text.split():
        parts = item.split(":")
        if len(parts) > 2:
            raise SystemExit("bad template piece %r" % item)
        name = parts[0]
        if name.startswith("$"):
            rest = name[1:]
            if rest in ("", "A", "a"):
                pieces.append({"Sequence": {"id": "A"}})
            elif rest in ("B", "b"):
                pieces.append({"Sequence": {"id": "B"}})
            elif rest.isdigit():
                pieces.append({"Sequence": {"id": "A"}})  # "$1": sequence A with type id 1
            else:
                raise SystemExit("bad template piece %r" % item)
        else:
            pieces.append({"SpecialToken": {"id": name}})
    return pieces


class Tokenizer:
    def __init__(self, path, max_length, do_lower_case=False):
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        self.max_length = max_length
        self.do_lower_case = do_lower_case
        self.model = WordPiece(spec["model"])

        normalizer = spec.get("normalizer")
        if normalizer is None:
            self.normalize = identity
        elif normalizer.get("type") == "BertNormalizer":
            self.normalize = BertNormalizer(normalizer)
        else:
            raise SystemExit("normalizer %r is not supported" % normalizer.get("type"))
        pre = spec.get("pre_tokenizer")
        if not pre or pre.get("type") != "BertPreTokenizer":
            raise SystemExit("pre_tokenizer must be a BertPreTokenizer")

        self._read_added_tokens(spec.get("added_tokens") or [])
        self._read_post_processor(spec.get("post_processor"))

    def _read_added_tokens(self, entries):
        # AddedVocabulary::add_tokens: a token in the model's vocabulary keeps
        # its id there; any other gets the next id after the vocabulary and
        # the added tokens so far (the file's "id" is not used).
        vocab = self.model.vocab
        vocab_size = len(vocab)
        ids = {}  # content -> id
        tokens = []
        for entry in entries:
            content = entry.get("content", "")
            if not content or content in ids:
                continue
            if content in vocab:
                token_id = vocab[content]
            elif ids:
                highest = max(ids.values())
                token_id = highest + 1 if (highest >= vocab_size or vocab_size == 0) else vocab_size
            else:
                token_id = vocab_size
            ids[content] = token_id
            tokens.append(AddedToken(entry, token_id))
        self.raw_added = [t for t in tokens if not t.normalized]
        self.normalized_added = [t for t in tokens if t.normalized]
        for t in self.normalized_added:
            t.pattern = self.normalize(t.content)
        self.added_ids = ids

    def _read_post_processor(self, post):
        self.prefix, self.suffix = [], []
        if post is None:
            return
        kind = post.get("type")
        if kind in ("BertProcessing", "RobertaProcessing"):
            self.prefix = [int(post["cls"][1])]
            self.suffix = [int(post["sep"][1])]
            return
        if kind != "TemplateProcessing":
            raise SystemExit("post_processor %r is not supported" % kind)
        single = post["single"]
        if isinstance(single, str):
            single = parse_template_string(single)
        specials = post.get("special_tokens", {})
        seen_sequence = False
        for piece in single:
            if "Sequence" in piece:
                if piece["Sequence"].get("id", "A") != "A":
                    raise SystemExit("single template holds sequence B")
                seen_sequence = True
                continue
            name = piece["SpecialToken"]["id"]
            (self.suffix if seen_sequence else self.prefix).extend(int(i) for i in specials[name]["ids"])
        if not seen_sequence:
            raise SystemExit("single template has no sequence")

    def _encode_piece(self, text, ids):
        """A piece of the raw text between non-normalized added tokens."""
        normalized = self.normalize(text)
        pieces = find_matches(normalized, self.normalized_added) if self.normalized_added else [(None, normalized)]
        for token_id, part in pieces:
            if token_id is not None:
                ids.append(token_id)
                continue
            for word in pre_tokenize(part):
                ids.extend(self.model.tokenize(word))

    def encode(self, text):
        text = text.strip()  # sentence-transformers: str(s).strip()
        if self.do_lower_case:
            # sentence-transformers' do_lower_case: Python's str.lower() of the
            # whole text, before the tokenizer sees it (so with Final_Sigma,
            # and before special tokens are looked for).
            text = text.lower()
        content = []
        pieces = find_matches(text, self.raw_added) if self.raw_added else [(None, text)]
        for token_id, part in pieces:
            if token_id is not None:
                content.append(token_id)
            elif part:
                self._encode_piece(part, content)
        # TruncationParams with max_length less the specials the
        # post-processor adds, then the specials around what is left.
        keep = self.max_length - len(self.prefix) - len(self.suffix)
        return self.prefix + content[: max(keep, 0)] + self.suffix


def main(argv):
    groups = []
    i = 0
    while i < len(argv):
        lower = argv[i] == "--do-lower-case"
        if lower:
            i += 1
        if len(argv) - i < 4:
            raise SystemExit(__doc__)
        groups.append((lower, argv[i : i + 4]))
        i += 4
    if not groups:
        raise SystemExit(__doc__)
    for lower, (tokenizer_json, max_length, texts_jsonl, out_json) in groups:
        tokenizer = Tokenizer(tokenizer_json, int(max_length), lower)
        with open(texts_jsonl, encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f if line.strip()]
        with open(out_json, "w", encoding="utf-8") as f:
            json.dump([tokenizer.encode(t) for t in texts], f)


if __name__ == "__main__":
    main(sys.argv[1:])
