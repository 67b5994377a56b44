#pragma once
// What a WordPieceTokenizer holds once tokenizer.json has been read: plain,
// immutable data, so one tokenizer serves any number of threads. Reading and
// checking the files is text_tokenizer_files.cpp; tokenizing is
// text_tokenizer.cpp.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "distill/text_tokenizer.h"

namespace distill::embed {

// WordPiece vocabulary lookups, the inner loop of tokenizing (several per
// word): an open-addressing table over one block of bytes, so a lookup
// touches one slot and one key instead of chasing a node-based map.
class PieceTable {
public:
    void insert(std::string_view piece, std::int32_t id);  // a piece inserted again takes the new id
    std::int32_t find(std::string_view piece) const;       // -1 when absent
    std::size_t size() const { return size_; }
    std::size_t longest() const { return longest_; }       // bytes: no longer string can be found

private:
    struct Slot {
        std::uint64_t hash = 0;
        std::uint32_t offset = 0;  // into bytes_
        std::uint32_t length = 0;
        std::int32_t id = -1;      // -1: empty
    };
    std::size_t slot_of(std::string_view piece, std::uint64_t hash) const;
    void grow();

    std::vector<Slot> slots_;  // a power of two, at most half full
    std::string bytes_;        // every piece, back to back
    std::size_t size_ = 0;
    std::size_t longest_ = 0;
};

// tokenizer.json's BertNormalizer, with strip_accents resolved (null means
// "as lowercase", like the reference).
struct BertNormalization {
    bool clean_text = true;
    bool handle_chinese_chars = true;
    bool strip_accents = true;
    bool lowercase = true;
};

// An entry of tokenizer.json's added_tokens, matched in the text before
// normalization (normalized == false: the special tokens) or in each
// normalized piece (normalized == true), leftmost-longest like the
// reference's Aho-Corasick.
struct AddedToken {
    std::u32string content;  // for normalized tokens: the normalized content
    std::int32_t id = 0;
    bool single_word = false;
    bool lstrip = false;
    bool rstrip = false;
};

struct AddedTokenSet {
    std::vector<AddedToken> tokens;  // longest first: the first match at a position is the longest
    // First characters of the patterns, to skip positions cheaply.
    std::vector<bool> ascii_first = std::vector<bool>(128, false);
    bool non_ascii_first = false;
    bool empty() const { return tokens.empty(); }
    void add(AddedToken token);
};

// UTF-8 to code points; an ill-formed sequence becomes U+FFFD.
void decode_utf8(std::string_view in, std::u32string& out);

}  // namespace distill::embed

namespace distill {

struct WordPieceTokenizer::Impl {
    std::string path;  // tokenizer.json

    bool has_normalizer = false;    // false: tokenizer.json's normalizer is null
    embed::BertNormalization normalization;
    bool lower_case_text = false;   // sentence-transformers' do_lower_case: str.lower() of the whole text

    embed::PieceTable word_starts;    // vocabulary entries, by their text
    embed::PieceTable continuations;  // entries that start with the prefix, by the text after it
    std::int32_t unk_id = 0;
    std::size_t max_input_chars_per_word = 100;

    embed::AddedTokenSet raw_added;         // matched before normalization
    embed::AddedTokenSet normalized_added;  // matched after it
    std::unordered_map<std::string, std::int32_t> added_ids;  // content -> id, for token_id()

    std::vector<std::int32_t> prefix;  // the post-processor's specials before the text
    std::vector<std::int32_t> suffix;  // and after it
    int max_length = 0;
    std::int32_t pad_id = 0;

    // sentence-transformers' default prompt, put before every text (then
    // the whole is stripped and tokenized), and its prompt_length.
    std::u32string prompt;
    std::size_t prompt_tokens = 0;

    // The normalizer alone, on code points (used for normalized added tokens too).
    void normalize(std::u32string_view source, std::u32string& out) const;
    void encode(std::string_view text, std::vector<std::int32_t>& ids) const;
    // An added token's or vocabulary entry's id.
    std::optional<std::int32_t> id_of(std::string_view token) const;
};

}  // namespace distill
