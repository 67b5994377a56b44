// Reading a WordPiece tokenizer.json, and the sentence-transformers files
// beside it that decide the maximum length and the pad id. Every section of
// tokenizer.json that changes the ids is checked; what this tokenizer does
// not implement is refused with the file, the JSON path and what is
// supported, because an approximate tokenization would silently give other
// embeddings than the reference's.
#include <algorithm>
#include <filesystem>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "distill/error.h"
#include "embed/json_file.h"
#include "embed/model_dir.h"
#include "embed/text_tokenizer_impl.h"

namespace distill {
namespace {

using nlohmann::json;
using embed::fail;
using embed::JsonFile;
using embed::shown;
namespace fs = std::filesystem;

constexpr const char* kSupported =
    "Distill Studio reads WordPiece tokenizers (BERT, MPNet, MiniLM, bge, e5, gte) with a BertNormalizer "
    "and a BertPreTokenizer";

std::u32string to_code_points(const std::string& utf8) {
    std::u32string out;
    embed::decode_utf8(utf8, out);
    return out;
}

void read_model(const JsonFile& file, WordPieceTokenizer::Impl& t) {
    const json& model = file.object_at(file.root(), "", "model");
    const std::string type = file.string_at(model, "model", "type", "");
    if (type != "WordPiece")
        fail(file.path(), "model.type",
             type.empty() ? std::string("is missing") : "is \"" + type + "\"",
             std::string(kSupported) + "; this model's tokenizer needs another implementation");
    const std::string prefix = file.string_at(model, "model", "continuing_subword_prefix", "##");
    t.max_input_chars_per_word = std::size_t(file.int_at(model, "model", "max_input_chars_per_word", 100));
    const json& vocab = file.object_at(model, "model", "vocab");
    for (const auto& [piece, value] : vocab.items()) {
        const std::int32_t id = file.id(value, "model.vocab[" + shown(json(piece)) + "]");
        t.word_starts.insert(piece, id);
        // "##ing" is looked up as "ing" among the continuations, so the inner
        // loop never builds a prefixed string.
        if (piece.size() > prefix.size() && piece.compare(0, prefix.size(), prefix) == 0) {
            t.continuations.insert(std::string_view(piece).substr(prefix.size()), id);
        }
    }
    const std::string unk = file.string_at(model, "model", "unk_token", "[UNK]");
    t.unk_id = t.word_starts.find(unk);
    if (t.unk_id < 0)
        fail(file.path(), "model.unk_token", "is \"" + unk + "\", which model.vocab does not hold",
             "the unknown token must be in the vocabulary; re-download the file");
}

void read_normalizer(const JsonFile& file, WordPieceTokenizer::Impl& t) {
    const json* normalizer = JsonFile::member(file.root(), "normalizer");
    if (!normalizer) return;  // null: the text goes to the pre-tokenizer as it is
    if (!normalizer->is_object())
        fail(file.path(), "normalizer", "is " + shown(*normalizer) + ", not an object", kSupported);
    const std::string type = file.string_at(*normalizer, "normalizer", "type", "");
    if (type != "BertNormalizer")
        fail(file.path(), "normalizer.type", "is \"" + type + "\"",
             std::string(kSupported) + " (or no normalizer)");
    auto& n = t.normalization;
    n.clean_text = file.bool_at(*normalizer, "normalizer", "clean_text", true);
    n.handle_chinese_chars = file.bool_at(*normalizer, "normalizer", "handle_chinese_chars", true);
    n.lowercase = file.bool_at(*normalizer, "normalizer", "lowercase", true);
    // null follows lowercase, as in the original BERT.
    n.strip_accents = file.bool_at(*normalizer, "normalizer", "strip_accents", n.lowercase);
    t.has_normalizer = true;
}

void read_pre_tokenizer(const JsonFile& file) {
    const json* pre = JsonFile::member(file.root(), "pre_tokenizer");
    if (!pre) fail(file.path(), "pre_tokenizer", "is null", kSupported);
    if (!pre->is_object()) fail(file.path(), "pre_tokenizer", "is " + shown(*pre) + ", not an object", kSupported);
    const std::string type = file.string_at(*pre, "pre_tokenizer", "type", "");
    if (type != "BertPreTokenizer") fail(file.path(), "pre_tokenizer.type", "is \"" + type + "\"", kSupported);
}

// Needs the normalizer: normalized added tokens are matched by their
// normalized form. Ids are given as the reference gives them, whatever the
// file's "id" says (it only warns about a mismatch): the vocabulary's id
// when the token is in it, else the next id after the vocabulary and the
// tokens added before.
void read_added_tokens(const JsonFile& file, WordPieceTokenizer::Impl& t) {
    const json* added = JsonFile::member(file.root(), "added_tokens");
    if (!added) return;
    if (!added->is_array()) fail(file.path(), "added_tokens", "is " + shown(*added) + ", not an array", kSupported);
    const auto vocab_size = static_cast<std::int32_t>(t.word_starts.size());
    std::optional<std::int32_t> highest;
    for (std::size_t i = 0; i < added->size(); ++i) {
        const json& entry = (*added)[i];
        const std::string where = "added_tokens[" + std::to_string(i) + "]";
        if (!entry.is_object()) fail(file.path(), where, "is " + shown(entry) + ", not an object", kSupported);
        const std::string content = file.string_at(entry, where, "content", "");
        if (content.empty() || t.added_ids.contains(content)) continue;
        embed::AddedToken token;
        if (const std::int32_t in_vocab = t.word_starts.find(content); in_vocab >= 0)
            token.id = in_vocab;
        else
            token.id = highest && (*highest >= vocab_size || vocab_size == 0) ? *highest + 1 : vocab_size;
        highest = std::max(highest.value_or(token.id), token.id);
        token.single_word = file.bool_at(entry, where, "single_word", false);
        token.lstrip = file.bool_at(entry, where, "lstrip", false);
        token.rstrip = file.bool_at(entry, where, "rstrip", false);
        t.added_ids.emplace(content, token.id);
        if (file.bool_at(entry, where, "normalized", true)) {
            t.normalize(to_code_points(content), token.content);
            t.normalized_added.add(std::move(token));
        } else {
            token.content = to_code_points(content);
            t.raw_added.add(std::move(token));
        }
    }
}

// "[CLS]:0 $A:0 [SEP]:0", the short form a template may be written in, as
// tokenizers reads it: "$", "$A" and "$a" are the first text, "$B" and "$b"
// the second, "$" with a number the first text with that type id; ":N"
// gives a piece type id N. A type id that is not a number is kept as text,
// for the check that refuses it.
json template_from_string(const std::string& text) {
    const auto is_number = [](const std::string& s) {  // and small enough for stoll
        return !s.empty() && s.size() <= 9 &&
               std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    json pieces = json::array();
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == ' ') {
            ++i;
            continue;
        }
        const std::size_t end = std::min(text.find(' ', i), text.size());
        std::string item = text.substr(i, end - i);
        i = end;
        json type_id = 0;
        if (const auto colon = item.rfind(':'); colon != std::string::npos && colon > 0) {
            const std::string suffix = item.substr(colon + 1);
            type_id = is_number(suffix) ? json(std::stoll(suffix)) : json(suffix);
            item.resize(colon);
        }
        const std::string rest = item.starts_with('$') ? item.substr(1) : std::string();
        if (is_number(rest)) type_id = std::stoll(rest);
        if (item == "$" || rest == "A" || rest == "a" || is_number(rest))
            pieces.push_back({{"Sequence", {{"id", "A"}, {"type_id", type_id}}}});
        else if (rest == "B" || rest == "b")
            pieces.push_back({{"Sequence", {{"id", "B"}, {"type_id", type_id}}}});
        else
            pieces.push_back({{"SpecialToken", {{"id", item}, {"type_id", type_id}}}});
    }
    return pieces;
}

// Our encoders feed every position token type 0 (BERT adds that row of
// token_type_embeddings), so a template that gives another would embed
// differently from the reference: refused rather than ignored.
void require_type_id_zero(const JsonFile& file, const json& piece, const std::string& where) {
    const json* type_id = JsonFile::member(piece, "type_id");
    if (type_id && !(type_id->is_number_integer() && type_id->get<long long>() == 0))
        fail(file.path(), where + ".type_id",
             "is " + shown(*type_id) + "; Distill Studio gives every token type id 0, as single-text templates do",
             "set it to 0, or re-download the file from the model's repository");
}

void read_post_processor(const JsonFile& file, WordPieceTokenizer::Impl& t) {
    const json* post = JsonFile::member(file.root(), "post_processor");
    if (!post) return;  // no special tokens around the text
    const std::string supported = "supported post-processors: TemplateProcessing, BertProcessing, RobertaProcessing";
    if (!post->is_object()) fail(file.path(), "post_processor", "is " + shown(*post) + ", not an object", supported);
    const std::string type = file.string_at(*post, "post_processor", "type", "");
    if (type == "BertProcessing" || type == "RobertaProcessing") {
        for (const char* key : {"cls", "sep"}) {
            const json* pair = JsonFile::member(*post, key);
            const std::string where = std::string("post_processor.") + key;
            if (!pair || !pair->is_array() || pair->size() != 2 || !(*pair)[0].is_string())
                fail(file.path(), where, pair ? "is " + shown(*pair) + ", not [token, id]" : "is missing",
                     "re-download the file");
            (std::string(key) == "cls" ? t.prefix : t.suffix).push_back(file.id((*pair)[1], where + "[1]"));
        }
        return;
    }
    if (type != "TemplateProcessing") fail(file.path(), "post_processor.type", "is \"" + type + "\"", supported);

    const json* single = JsonFile::member(*post, "single");
    if (!single) fail(file.path(), "post_processor.single", "is missing", "re-download the file");
    const json pieces = single->is_string() ? template_from_string(single->get<std::string>()) : *single;
    if (!pieces.is_array())
        fail(file.path(), "post_processor.single", "is " + shown(*single) + ", not a template", "re-download the file");
    const json* specials = JsonFile::member(*post, "special_tokens");
    int sequences = 0;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
        const json& piece = pieces[i];
        const std::string where = "post_processor.single[" + std::to_string(i) + "]";
        if (const json* sequence = piece.is_object() ? JsonFile::member(piece, "Sequence") : nullptr) {
            if (!sequence->is_object() || file.string_at(*sequence, where + ".Sequence", "id", "A") != "A")
                fail(file.path(), where, "is " + shown(piece) + ", not the sequence $A",
                     "a single-text template holds the text once, as $A");
            require_type_id_zero(file, *sequence, where + ".Sequence");
            ++sequences;
            continue;
        }
        const json* special = piece.is_object() ? JsonFile::member(piece, "SpecialToken") : nullptr;
        if (!special || !special->is_object())
            fail(file.path(), where, "is " + shown(piece) + ", neither a SpecialToken nor a Sequence",
                 "re-download the file");
        require_type_id_zero(file, *special, where + ".SpecialToken");
        const std::string name = file.string_at(*special, where + ".SpecialToken", "id", "");
        const json* entry = specials && specials->is_object() ? JsonFile::member(*specials, name.c_str()) : nullptr;
        const json* ids = entry && entry->is_object() ? JsonFile::member(*entry, "ids") : nullptr;
        if (!ids || !ids->is_array())
            fail(file.path(), "post_processor.special_tokens", "has no ids for \"" + name + "\"",
                 "every special token of the template needs its ids there; re-download the file");
        for (std::size_t k = 0; k < ids->size(); ++k)
            (sequences == 0 ? t.prefix : t.suffix)
                .push_back(file.id((*ids)[k], "post_processor.special_tokens." + name + ".ids"));
    }
    if (sequences != 1)
        fail(file.path(), "post_processor.single", "holds the text " + std::to_string(sequences) + " times",
             "a single-text template holds it once, as $A");
}

std::int32_t pad_from_padding_section(const JsonFile& file, std::int32_t fallback) {
    const json* padding = JsonFile::member(file.root(), "padding");
    if (!padding || !padding->is_object()) return fallback;
    return static_cast<std::int32_t>(file.int_at(*padding, "padding", "pad_id", fallback));
}

std::unique_ptr<WordPieceTokenizer::Impl> read_tokenizer_json(const std::string& path) {
    if (!fs::exists(path))
        throw Error(located_message(path, 0, "does not exist",
                                    "a model needs its fast tokenizer file tokenizer.json; re-download the model, "
                                    "or write one with transformers' AutoTokenizer.from_pretrained(DIR)"
                                    ".save_pretrained(DIR)"));
    const JsonFile file(path);
    auto t = std::make_unique<WordPieceTokenizer::Impl>();
    t->path = path;
    read_model(file, *t);
    read_normalizer(file, *t);
    read_pre_tokenizer(file);
    read_added_tokens(file, *t);
    read_post_processor(file, *t);
    std::int32_t pad = 0;
    for (const char* name : {"[PAD]", "<pad>"})
        if (const auto it = t->added_ids.find(name); it != t->added_ids.end()) {
            pad = it->second;
            break;
        }
    t->pad_id = pad_from_padding_section(file, pad);
    return t;
}

void set_max_length(WordPieceTokenizer::Impl& t, long long max_length, const std::string& source) {
    const std::size_t specials = t.prefix.size() + t.suffix.size();
    if (max_length < static_cast<long long>(specials) || max_length > std::numeric_limits<int>::max())
        throw Error(located_message(source, 0,
                                    "the maximum length " + std::to_string(max_length) +
                                        " cannot hold the " + std::to_string(specials) + " special tokens",
                                    "give a maximum sequence length of at least " + std::to_string(specials + 1)));
    t.max_length = static_cast<int>(max_length);
}

std::string in_dir(const std::string& dir, const char* name) { return (fs::path(dir) / name).string(); }

}  // namespace

WordPieceTokenizer WordPieceTokenizer::from_file(const std::string& tokenizer_json, int max_length) {
    auto t = read_tokenizer_json(tokenizer_json);
    set_max_length(*t, max_length, tokenizer_json);
    return WordPieceTokenizer(std::move(t));
}

WordPieceTokenizer WordPieceTokenizer::from_model_dir(const std::string& model_dir) {
    if (!fs::is_directory(model_dir))
        throw Error(located_message(model_dir, 0, "is not a directory",
                                    "give a sentence-transformers model directory (tokenizer.json, config.json, "
                                    "modules.json, ...) as downloaded from the Hugging Face hub"));
    const std::string dir = embed::transformer_folder(model_dir);
    auto t = read_tokenizer_json(in_dir(dir, "tokenizer.json"));

    // sentence-transformers: max_seq_length from sentence_bert_config.json
    // (older models) becomes the tokenizer's model_max_length; without it,
    // tokenizer_config.json's model_max_length capped at the model's
    // max_position_embeddings. A processing_kwargs max_length wins over both.
    const std::string st_config = in_dir(dir, "sentence_bert_config.json");
    const std::string tok_config = in_dir(dir, "tokenizer_config.json");
    const std::string model_config = in_dir(dir, "config.json");
    std::optional<long long> max_length;
    std::string max_length_source;
    if (fs::exists(st_config)) {
        const JsonFile st(st_config);
        if (JsonFile::member(st.root(), "max_seq_length")) {
            max_length = st.int_at(st.root(), "", "max_seq_length", 0, 1);
            max_length_source = st_config;
        }
        // Also over a lowercasing normalizer: str.lower() comes before the
        // special tokens are found ("[CLS]" in a text is then plain text)
        // and knows a final sigma, which char-wise lowercasing does not.
        t->lower_case_text = st.bool_at(st.root(), "", "do_lower_case", false);
        if (const json* kwargs = JsonFile::member(st.root(), "processing_kwargs"); kwargs && kwargs->is_object())
            for (const char* group : {"common", "text"}) {
                const json* g = JsonFile::member(*kwargs, group);
                if (!g || !g->is_object()) continue;
                const std::string where = std::string("processing_kwargs.") + group;
                if (JsonFile::member(*g, "max_length")) {
                    max_length = st.int_at(*g, where, "max_length", 0, 1);
                    max_length_source = st_config;
                }
                // Never silently other ids than the reference's: true or a
                // strategy that truncates a single text at its end.
                if (const json* truncation = JsonFile::member(*g, "truncation");
                    truncation && *truncation != true && *truncation != "longest_first" &&
                    *truncation != "only_first" && *truncation != "only_second")
                    embed::fail(st_config, where + ".truncation",
                                "is " + embed::shown(*truncation) + ", which Distill Studio does not support",
                                "texts are truncated to the maximum length; remove the setting");
            }
    }
    std::optional<JsonFile> tok;
    if (fs::exists(tok_config)) tok.emplace(tok_config);
    if (tok && tok->string_at(tok->root(), "", "truncation_side", "right") != "right")
        embed::fail(tok_config, "truncation_side", "is not \"right\", which Distill Studio does not support",
                    "texts are truncated at their end, as sentence-transformers models are trained; remove the "
                    "setting");
    if (!max_length) {
        std::optional<long long> limit;
        if (tok) {
            // transformers writes "no limit" as a huge float (1e30).
            if (const json* v = JsonFile::member(tok->root(), "model_max_length"); v && v->is_number()) {
                if (v->get<double>() < 1e9) limit = v->get<long long>();
                max_length_source = tok_config;
            }
        }
        if (fs::exists(model_config)) {
            const JsonFile config(model_config);
            if (const json* v = JsonFile::member(config.root(), "max_position_embeddings");
                v && v->is_number_integer() && v->get<long long>() != -1 && (!limit || v->get<long long>() < *limit)) {
                limit = v->get<long long>();
                max_length_source = model_config;
            }
        }
        if (!limit)
            throw Error(located_message(dir, 0, "does not say the model's maximum sequence length",
                                        "add \"max_seq_length\": N to sentence_bert_config.json"));
        max_length = limit;
    }
    set_max_length(*t, *max_length, max_length_source);

    // The pad id the model was trained with: tokenizer_config.json's
    // pad_token (MPNet's position ids depend on it), else what
    // tokenizer.json says.
    if (tok) {
        const json* pad = JsonFile::member(tok->root(), "pad_token");
        if (pad && pad->is_object()) pad = JsonFile::member(*pad, "content");
        if (pad && pad->is_string())
            if (const auto id = t->id_of(pad->get<std::string>())) t->pad_id = *id;
    }

    // sentence-transformers' prompt_length: the prompt tokenized alone,
    // less the special token after it. ST 6 subtracts it when the last id
    // is special, ST 5 always: the same for a post-processor that adds one.
    if (const std::string prompt = embed::default_prompt(model_dir); !prompt.empty()) {
        std::vector<std::int32_t> ids;
        t->encode(prompt, ids);
        t->prompt_tokens = ids.size() - (t->suffix.empty() ? 0 : 1);
        embed::decode_utf8(prompt, t->prompt);
    }
    return WordPieceTokenizer(std::move(t));
}

}  // namespace distill
