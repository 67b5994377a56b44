#pragma once
// The embedding model's text tokenizer (SPEC §2): a Hugging Face
// tokenizer.json with a WordPiece model (BERT, MPNet, MiniLM, bge, e5, gte),
// reproducing what sentence-transformers feeds the model, id for id:
//   strip surrounding whitespace (Python's str.strip)
//   -> split out the added/special tokens written literally in the text
//   -> BertNormalizer (clean text, pad CJK ideographs, NFD + drop accents,
//      lowercase) -> BertPreTokenizer (whitespace, isolated punctuation)
//   -> WordPiece (greedy longest match, "##" continuations, unknown words
//      become one unk token)
//   -> truncation to max_length tokens, the special tokens included
//   -> the post-processor's specials around the text ([CLS] ... [SEP],
//      <s> ... </s>).
// Anything else in tokenizer.json (a BPE or Unigram model, another
// normalizer or pre-tokenizer) is refused with a distill::Error naming the
// file, the JSON path and what is supported, never tokenized approximately.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace distill {

// A batch of token ids padded to its longest row, row-major: what a BERT or
// MPNet forward pass takes (int64, as embedding lookups want).
struct TokenBatch {
    std::size_t rows = 0;
    std::size_t cols = 0;                       // the longest row's length
    std::vector<std::int64_t> input_ids;        // rows * cols, padded with pad_id()
    std::vector<std::int64_t> attention_mask;   // rows * cols: 1 for a token, 0 for padding
};

class WordPieceTokenizer {
public:
    // A sentence-transformers model directory. Reads tokenizer.json (in the
    // Transformer module's folder that modules.json names), and the maximum
    // length the way sentence-transformers does: max_seq_length from
    // sentence_bert_config.json when it is there (older models), else
    // tokenizer_config.json's model_max_length capped at config.json's
    // max_position_embeddings. Also honours sentence_bert_config.json's
    // do_lower_case, takes the pad id from tokenizer_config.json's
    // pad_token, and puts the default prompt of
    // config_sentence_transformers.json (e5's "query: ") before every text,
    // as encode() does without a prompt argument. Throws distill::Error
    // naming the file at fault.
    static WordPieceTokenizer from_model_dir(const std::string& dir);

    // A tokenizer.json alone, truncating to `max_length` tokens (special
    // tokens included). The pad id comes from the file's padding section,
    // else from a [PAD] or <pad> token, else 0.
    static WordPieceTokenizer from_file(const std::string& tokenizer_json, int max_length);

    WordPieceTokenizer(WordPieceTokenizer&&) noexcept;
    WordPieceTokenizer& operator=(WordPieceTokenizer&&) noexcept;
    ~WordPieceTokenizer();

    // The input ids of one text, specials included, at most max_length().
    // Invalid UTF-8 is read as U+FFFD (which the normalizer drops). Safe to
    // call from several threads at once.
    std::vector<std::int32_t> encode(std::string_view text) const;
    // The same into `ids` (cleared first), reusing its storage: the form to
    // use in a loop over many texts.
    void encode(std::string_view text, std::vector<std::int32_t>& ids) const;
    // Every text of the batch, padded to the longest.
    TokenBatch encode_batch(std::span<const std::string> texts) const;

    int max_length() const;             // tokens per text, specials included
    // sentence-transformers' prompt_length: the default prompt's ids, the
    // specials before it included and the one after it not; 0 without one.
    std::size_t prompt_tokens() const;
    std::int32_t pad_id() const;
    std::int32_t unk_id() const;
    // The id of a vocabulary entry or added token, e.g. "[CLS]" or "##ing".
    std::optional<std::int32_t> token_id(std::string_view token) const;
    std::size_t vocab_size() const;     // the WordPiece vocabulary's entries
    const std::string& path() const;    // the tokenizer.json read

    struct Impl;  // internal

private:
    explicit WordPieceTokenizer(std::unique_ptr<const Impl> impl);
    std::unique_ptr<const Impl> impl_;
};

}  // namespace distill
