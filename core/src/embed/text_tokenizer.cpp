// Tokenizing with a WordPiece tokenizer.json exactly as Hugging Face
// `tokenizers` does (normalizers/bert.rs, pre_tokenizers/bert.rs,
// models/wordpiece, added_vocabulary.rs), in one pass over code points with
// per-thread buffers. Unicode properties, NFD and case mapping come from
// ICU; where the reference defines a character class itself (BERT's
// whitespace, control, CJK and punctuation tests), the same definition is
// written out here.
#include <algorithm>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>
#include <xxhash.h>

#include "distill/error.h"
#include "embed/text_tokenizer_impl.h"

namespace distill {
namespace embed {

void PieceTable::insert(std::string_view piece, std::int32_t id) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    const std::uint64_t hash = XXH3_64bits(piece.data(), piece.size());
    Slot& slot = slots_[slot_of(piece, hash)];
    if (slot.id < 0) {
        slot.hash = hash;
        slot.offset = static_cast<std::uint32_t>(bytes_.size());
        slot.length = static_cast<std::uint32_t>(piece.size());
        bytes_.append(piece);
        ++size_;
        longest_ = std::max(longest_, piece.size());
    }
    slot.id = id;
}

std::int32_t PieceTable::find(std::string_view piece) const {
    if (slots_.empty()) return -1;
    return slots_[slot_of(piece, XXH3_64bits(piece.data(), piece.size()))].id;
}

// The slot holding `piece`, else the empty slot where it would go.
std::size_t PieceTable::slot_of(std::string_view piece, std::uint64_t hash) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        const Slot& slot = slots_[i];
        if (slot.id < 0 || (slot.hash == hash && std::string_view(bytes_).substr(slot.offset, slot.length) == piece))
            return i;
    }
}

void PieceTable::grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(std::max<std::size_t>(64, old.size() * 2), Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (const Slot& slot : old) {
        if (slot.id < 0) continue;
        std::size_t i = slot.hash & mask;
        while (slots_[i].id >= 0) i = (i + 1) & mask;
        slots_[i] = slot;
    }
}

void AddedTokenSet::add(AddedToken token) {
    if (token.content.empty()) return;  // the reference ignores empty added tokens too
    const char32_t first = token.content.front();
    if (first < 128)
        ascii_first[first] = true;
    else
        non_ascii_first = true;
    // Longest first, so the first pattern matching at a position is the
    // longest one there (leftmost-longest, as the reference's Aho-Corasick).
    const auto at = std::find_if(tokens.begin(), tokens.end(), [&](const AddedToken& t) {
        return t.content.size() < token.content.size();
    });
    tokens.insert(at, std::move(token));
}

namespace {

// Per-thread working memory: encode() allocates nothing once these have
// grown to the longest text seen.
struct Scratch {
    std::u32string text;        // the input as code points
    std::u32string normalized;  // one piece after the normalizer
    std::u32string lowered;     // sentence-transformers' do_lower_case, before the tokenizer
    std::u16string utf16;       // ICU's NFD works on UTF-16
    std::u16string decomposed;
    std::u16string lowered16;   // python_lower's ICU output
    std::string word;           // one pre-token as UTF-8, for vocabulary lookups
    std::vector<std::uint32_t> bounds;  // byte offset of each character of `word`, plus the end
    std::vector<std::int32_t> pieces;   // one word's WordPiece ids
};

Scratch& scratch() {
    thread_local Scratch s;
    return s;
}

}  // namespace

// An ill-formed sequence becomes U+FFFD, as Python's decoding with
// errors="replace" would give (and the normalizer drops it).
void decode_utf8(std::string_view in, std::u32string& out) {
    out.clear();
    const auto* s = reinterpret_cast<const std::uint8_t*>(in.data());
    const auto length = static_cast<std::int32_t>(in.size());
    std::int32_t i = 0;
    while (i < length) {
        if (s[i] < 0x80) {
            out.push_back(s[i++]);
            continue;
        }
        UChar32 c;
        U8_NEXT(s, i, length, c);
        out.push_back(c < 0 ? U'\uFFFD' : static_cast<char32_t>(c));
    }
}

namespace {

void append_utf8(char32_t c, std::string& out) {
    if (c < 0x80) {
        out.push_back(static_cast<char>(c));
        return;
    }
    char buffer[U8_MAX_LENGTH];
    std::int32_t n = 0;
    U8_APPEND_UNSAFE(buffer, n, c);
    out.append(buffer, static_cast<std::size_t>(n));
}

// Rust's char::is_whitespace: the Unicode White_Space property.
bool is_white_space(char32_t c) {
    if (c < 0x80) return c == ' ' || (c >= '\t' && c <= '\r');
    return u_isUWhiteSpace(static_cast<UChar32>(c));
}

// Python's str.isspace, for sentence-transformers' str.strip(): White_Space
// plus the four information separators U+001C..U+001F.
bool is_python_space(char32_t c) { return is_white_space(c) || (c >= 0x1C && c <= 0x1F); }

// BertNormalizer's is_whitespace: tab, newline, carriage return and White_Space.
bool is_bert_whitespace(char32_t c) { return is_white_space(c); }

// The general category the reference sees. Its control, mark and
// punctuation tests use the unicode_categories crate, whose tables are
// Unicode 8.0's: a character assigned since is unassigned (Cn) there, and
// six characters have changed category since. With these, every code point
// is classed as tokenizers 0.23.2 classes it (checked one by one against
// it for punctuation, control, whitespace and mark stripping).
std::uint32_t reference_category(char32_t c) {
    const auto u = static_cast<UChar32>(c);
    UVersionInfo age;
    u_charAge(u, age);
    if (age[0] > 8) return U_GC_CN_MASK;
    switch (c) {
        case 0x166D: return U_GC_PO_MASK;  // Canadian syllabics chi sign, So since Unicode 12
        case 0x111C9: return U_GC_PO_MASK;  // Sharada sandhi mark, Mn since 11
        case 0x1734: return U_GC_MN_MASK;  // Hanunoo sign pamudpod, Mc since 14
        case 0x1885:
        case 0x1886: return U_GC_LO_MASK;  // Mongolian Ali Gali baluda, Mn since 9
        case 0xA9BD: return U_GC_MC_MASK;  // Javanese consonant sign keret, Mn since 12
        default: return U_GET_GC_MASK(u);
    }
}

// BertNormalizer's is_control: categories Cc, Cf and Co, except the tab,
// newline and carriage return it counts as whitespace.
bool is_bert_control(char32_t c) {
    if (c == '\t' || c == '\n' || c == '\r') return false;
    if (c < 0x80) return c < 0x20 || c == 0x7F;
    return (reference_category(c) & (U_GC_CC_MASK | U_GC_CF_MASK | U_GC_CO_MASK)) != 0;
}

// What strip_accents drops after NFD.
bool is_nonspacing_mark(char32_t c) { return c >= 0x300 && (reference_category(c) & U_GC_MN_MASK) != 0; }

// BertNormalizer's is_chinese_char: the CJK ideograph blocks the reference
// lists (not Hangul, Hiragana or Katakana, which are written with spaces).
bool is_cjk_ideograph(char32_t c) {
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
           (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

// BertPreTokenizer's is_bert_punc: Rust's is_ascii_punctuation (which also
// counts symbols such as $ + < = > ^ ` | ~) or a Unicode P* category.
bool is_bert_punctuation(char32_t c) {
    if (c < 0x80)
        return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) || (c >= 0x5B && c <= 0x60) ||
               (c >= 0x7B && c <= 0x7E);
    return (reference_category(c) & U_GC_P_MASK) != 0;
}

// The regex \w of the reference's added-token single_word check.
bool is_word_character(char32_t c) {
    const auto u = static_cast<UChar32>(c);
    return u_hasBinaryProperty(u, UCHAR_ALPHABETIC) ||
           (U_GET_GC_MASK(u) & (U_GC_M_MASK | U_GC_ND_MASK | U_GC_PC_MASK)) != 0 ||
           u_hasBinaryProperty(u, UCHAR_JOIN_CONTROL);
}

// Full lowercase mapping of one character without context, like Rust's
// char::to_lowercase that the reference applies char by char (so U+0130
// becomes "i\u0307" and a final capital sigma still becomes U+03C3).
void append_lowercase_non_ascii(char32_t c, std::u32string& out);

inline void append_lowercase(char32_t c, std::u32string& out) {
    if (c < 0x80)
        out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    else
        append_lowercase_non_ascii(c, out);
}

void append_lowercase_non_ascii(char32_t c, std::u32string& out) {
    const auto u = static_cast<UChar32>(c);
    if (!u_hasBinaryProperty(u, UCHAR_CHANGES_WHEN_LOWERCASED)) {
        out.push_back(c);
        return;
    }
    UChar source[2];
    std::int32_t n = 0;
    U16_APPEND_UNSAFE(source, n, u);
    UChar lowered[8];
    UErrorCode status = U_ZERO_ERROR;
    const std::int32_t length = u_strToLower(lowered, 8, source, n, "", &status);
    if (U_FAILURE(status)) {
        out.push_back(static_cast<char32_t>(u_tolower(u)));
        return;
    }
    for (std::int32_t i = 0; i < length;) {
        UChar32 l;
        U16_NEXT(lowered, i, length, l);
        out.push_back(static_cast<char32_t>(l));
    }
}

// Python's str.lower(): the full lowercase mapping with context (a final
// capital sigma becomes U+03C2), which ICU's root locale applies as Python
// does, language rules aside.
void python_lower(std::u32string_view in, std::u32string& out) {
    out.clear();
    if (std::all_of(in.begin(), in.end(), [](char32_t c) { return c < 0x80; })) {
        for (const char32_t c : in) out.push_back(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
        return;
    }
    auto& s = scratch();
    s.utf16.clear();
    for (const char32_t c : in) {
        UChar units[2];
        std::int32_t n = 0;
        U16_APPEND_UNSAFE(units, n, static_cast<UChar32>(c));
        s.utf16.append(reinterpret_cast<const char16_t*>(units), static_cast<std::size_t>(n));
    }
    // Lowercasing can lengthen a text (U+0130 becomes two code points).
    s.lowered16.resize(s.utf16.size() * 3 + 8);
    UErrorCode status = U_ZERO_ERROR;
    const std::int32_t length =
        u_strToLower(reinterpret_cast<UChar*>(s.lowered16.data()), static_cast<std::int32_t>(s.lowered16.size()),
                     reinterpret_cast<const UChar*>(s.utf16.data()), static_cast<std::int32_t>(s.utf16.size()), "",
                     &status);
    if (U_FAILURE(status)) throw Error(std::string("lowercasing a text failed: ") + u_errorName(status));
    const auto* lowered = reinterpret_cast<const UChar*>(s.lowered16.data());
    for (std::int32_t i = 0; i < length;) {
        UChar32 c;
        U16_NEXT(lowered, i, length, c);
        out.push_back(static_cast<char32_t>(c));
    }
}

const UNormalizer2* nfd() {
    static const UNormalizer2* instance = [] {
        UErrorCode status = U_ZERO_ERROR;
        const UNormalizer2* n = unorm2_getNFDInstance(&status);
        if (U_FAILURE(status))
            throw Error(std::string("ICU cannot load its NFD data (") + u_errorName(status) +
                        "); reinstall libicu72");
        return n;
    }();
    return instance;
}

// The canonical decomposition of `in` (UTF-16), into `out`.
void decompose(const std::u16string& in, std::u16string& out) {
    out.resize(in.size() * 3 + 16);
    for (;;) {
        UErrorCode status = U_ZERO_ERROR;
        const std::int32_t n = unorm2_normalize(nfd(), in.data(), static_cast<std::int32_t>(in.size()), out.data(),
                                                static_cast<std::int32_t>(out.size()), &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            out.resize(static_cast<std::size_t>(n));
            continue;
        }
        if (U_FAILURE(status)) throw Error(std::string("ICU NFD failed: ") + u_errorName(status));
        out.resize(static_cast<std::size_t>(n));
        return;
    }
}

// Splits `text` around the added tokens of `set`: on_text(piece) for the
// text between them, on_token(id) for each token. The reference's
// find_matches: matches are found left to right without overlap (a match
// refused by single_word still consumes its characters), lstrip/rstrip
// swallow the whitespace beside a token.
template <class OnText, class OnToken>
void split_at_added_tokens(std::u32string_view text, const AddedTokenSet& set, OnText&& on_text,
                           OnToken&& on_token) {
    const std::size_t n = text.size();
    std::size_t piece_start = 0;  // the reference's start_offset
    std::size_t pos = 0;
    while (pos < n) {
        const AddedToken* match = nullptr;
        std::size_t start = pos;
        for (; start < n; ++start) {
            const char32_t c = text[start];
            if (c < 128 ? !set.ascii_first[c] : !set.non_ascii_first) continue;
            for (const auto& token : set.tokens)
                if (text.substr(start, token.content.size()) == token.content) {
                    match = &token;
                    break;
                }
            if (match) break;
        }
        if (!match) break;
        std::size_t stop = start + match->content.size();
        pos = stop;
        if (match->single_word) {
            const bool space_before = start == 0 || !is_word_character(text[start - 1]);
            const bool space_after = stop == n || !is_word_character(text[stop]);
            if (!space_before || !space_after) continue;
        }
        if (match->lstrip) {
            std::size_t s = start;
            while (s > 0 && is_white_space(text[s - 1])) --s;
            start = std::max(s, piece_start);
        }
        if (match->rstrip)
            while (stop < n && is_white_space(text[stop])) ++stop;
        start = std::max(start, piece_start);
        if (piece_start < start) on_text(text.substr(piece_start, start - piece_start));
        on_token(match->id);
        piece_start = stop;
    }
    if (piece_start < n) on_text(text.substr(piece_start));
}

}  // namespace
}  // namespace embed

void WordPieceTokenizer::Impl::normalize(std::u32string_view source, std::u32string& out) const {
    out.clear();
    if (!has_normalizer) {
        out.assign(source);
        return;
    }
    auto& s = embed::scratch();
    const auto& n = normalization;

    // strip_accents needs the NFD of the whole text (decomposition reorders
    // marks); ASCII is its own NFD and has no marks to drop.
    const bool decompose =
        n.strip_accents && std::any_of(source.begin(), source.end(), [](char32_t c) { return c >= 0x80; });
    s.utf16.clear();
    auto emit = [&](char32_t c) {
        if (decompose) {
            if (c < 0x10000) {
                s.utf16.push_back(static_cast<char16_t>(c));
            } else {
                s.utf16.push_back(static_cast<char16_t>(U16_LEAD(c)));
                s.utf16.push_back(static_cast<char16_t>(U16_TRAIL(c)));
            }
        } else if (n.lowercase) {
            embed::append_lowercase(c, out);
        } else {
            out.push_back(c);
        }
    };
    // clean_text, handle_chinese_chars, and lowercase when no NFD comes
    // between (lowercasing is per character, so it commutes with the rest).
    for (char32_t c : source) {
        if (n.clean_text) {
            if (c == 0 || c == 0xFFFD || embed::is_bert_control(c)) continue;
            if (embed::is_bert_whitespace(c)) c = ' ';
        }
        if (n.handle_chinese_chars && embed::is_cjk_ideograph(c)) {
            emit(' ');
            emit(c);
            emit(' ');
        } else {
            emit(c);
        }
    }
    if (!decompose) return;

    // strip_accents: NFD, then drop the non-spacing marks; then lowercase.
    embed::decompose(s.utf16, s.decomposed);
    const auto* d = s.decomposed.data();
    const auto length = static_cast<std::int32_t>(s.decomposed.size());
    for (std::int32_t i = 0; i < length;) {
        UChar32 c;
        U16_NEXT(d, i, length, c);
        if (embed::is_nonspacing_mark(static_cast<char32_t>(c))) continue;
        if (n.lowercase)
            embed::append_lowercase(static_cast<char32_t>(c), out);
        else
            out.push_back(static_cast<char32_t>(c));
    }
}

void WordPieceTokenizer::Impl::encode(std::string_view text, std::vector<std::int32_t>& ids) const {
    using namespace embed;
    ids.clear();
    ids.insert(ids.end(), prefix.begin(), prefix.end());
    // Truncation keeps the first tokens, so the work stops once they are there.
    const std::size_t end_of_text = static_cast<std::size_t>(max_length) - suffix.size();
    auto full = [&] { return ids.size() >= end_of_text; };
    Scratch& s = scratch();

    auto add_word = [&](std::u32string_view word) {
        if (word.size() > max_input_chars_per_word) {
            ids.push_back(unk_id);
            return;
        }
        s.word.clear();
        s.bounds.clear();
        for (const char32_t c : word) {
            s.bounds.push_back(static_cast<std::uint32_t>(s.word.size()));
            append_utf8(c, s.word);
        }
        s.bounds.push_back(static_cast<std::uint32_t>(s.word.size()));
        // Greedy longest match first; a word with an unmatchable rest is
        // one unknown token as a whole.
        s.pieces.clear();
        const std::size_t chars = word.size();
        for (std::size_t start = 0; start < chars;) {
            const PieceTable& pieces = start == 0 ? word_starts : continuations;
            std::size_t end = chars;
            while (end > start && s.bounds[end] - s.bounds[start] > pieces.longest()) --end;
            bool found = false;
            for (; end > start; --end) {
                const std::int32_t id =
                    pieces.find(std::string_view(s.word.data() + s.bounds[start], s.bounds[end] - s.bounds[start]));
                if (id >= 0) {
                    s.pieces.push_back(id);
                    found = true;
                    break;
                }
            }
            if (!found) {
                ids.push_back(unk_id);
                return;
            }
            start = end;
        }
        ids.insert(ids.end(), s.pieces.begin(), s.pieces.end());
    };

    // BertPreTokenizer: split on whitespace, isolate each punctuation mark.
    auto add_words = [&](std::u32string_view normalized) {
        const std::size_t n = normalized.size();
        for (std::size_t i = 0; i < n && !full();) {
            const char32_t c = normalized[i];
            if (is_white_space(c)) {
                ++i;
                continue;
            }
            std::size_t j = i + 1;
            if (!is_bert_punctuation(c))
                while (j < n && !is_white_space(normalized[j]) && !is_bert_punctuation(normalized[j])) ++j;
            add_word(normalized.substr(i, j - i));
            i = j;
        }
    };

    auto add_token = [&](std::int32_t id) {
        if (!full()) ids.push_back(id);
    };

    auto add_text = [&](std::u32string_view raw) {
        if (full()) return;
        normalize(raw, s.normalized);
        if (normalized_added.empty())
            add_words(s.normalized);
        else
            split_at_added_tokens(s.normalized, normalized_added, add_words, add_token);
    };

    decode_utf8(text, s.text);
    s.text.insert(0, prompt);
    // sentence-transformers strips each text (the prompt before it) before tokenizing.
    std::u32string_view stripped = s.text;
    while (!stripped.empty() && is_python_space(stripped.front())) stripped.remove_prefix(1);
    while (!stripped.empty() && is_python_space(stripped.back())) stripped.remove_suffix(1);

    if (lower_case_text) {
        embed::python_lower(stripped, s.lowered);
        stripped = s.lowered;
    }

    if (raw_added.empty())
        add_text(stripped);
    else
        split_at_added_tokens(stripped, raw_added, add_text, add_token);

    if (ids.size() > end_of_text) ids.resize(end_of_text);
    ids.insert(ids.end(), suffix.begin(), suffix.end());
}

WordPieceTokenizer::WordPieceTokenizer(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
WordPieceTokenizer::WordPieceTokenizer(WordPieceTokenizer&&) noexcept = default;
WordPieceTokenizer& WordPieceTokenizer::operator=(WordPieceTokenizer&&) noexcept = default;
WordPieceTokenizer::~WordPieceTokenizer() = default;

std::vector<std::int32_t> WordPieceTokenizer::encode(std::string_view text) const {
    std::vector<std::int32_t> ids;
    impl_->encode(text, ids);
    return ids;
}

void WordPieceTokenizer::encode(std::string_view text, std::vector<std::int32_t>& ids) const {
    impl_->encode(text, ids);
}

TokenBatch WordPieceTokenizer::encode_batch(std::span<const std::string> texts) const {
    std::vector<std::vector<std::int32_t>> rows(texts.size());
    std::size_t longest = 0;
    for (std::size_t i = 0; i < texts.size(); ++i) {
        impl_->encode(texts[i], rows[i]);
        longest = std::max(longest, rows[i].size());
    }
    TokenBatch batch;
    batch.rows = texts.size();
    batch.cols = longest;
    batch.input_ids.assign(batch.rows * batch.cols, impl_->pad_id);
    batch.attention_mask.assign(batch.rows * batch.cols, 0);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        std::copy(rows[i].begin(), rows[i].end(), batch.input_ids.begin() + std::ptrdiff_t(i * longest));
        std::fill_n(batch.attention_mask.begin() + std::ptrdiff_t(i * longest), rows[i].size(), 1);
    }
    return batch;
}

int WordPieceTokenizer::max_length() const { return impl_->max_length; }
std::size_t WordPieceTokenizer::prompt_tokens() const { return impl_->prompt_tokens; }
std::int32_t WordPieceTokenizer::pad_id() const { return impl_->pad_id; }
std::int32_t WordPieceTokenizer::unk_id() const { return impl_->unk_id; }
std::size_t WordPieceTokenizer::vocab_size() const { return impl_->word_starts.size(); }
const std::string& WordPieceTokenizer::path() const { return impl_->path; }

std::optional<std::int32_t> WordPieceTokenizer::token_id(std::string_view token) const {
    return impl_->id_of(token);
}

std::optional<std::int32_t> WordPieceTokenizer::Impl::id_of(std::string_view token) const {
    if (const auto it = added_ids.find(std::string(token)); it != added_ids.end()) return it->second;
    if (const std::int32_t id = word_starts.find(token); id >= 0) return id;
    return std::nullopt;
}

}  // namespace distill
