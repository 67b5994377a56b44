// The embedding model's WordPiece tokenizer on tokenizer.json settings the
// two fixture models do not have, against an independent reference:
// tests/support/reference_wordpiece.py, a from-scratch Python (standard
// library only) rendering of Hugging Face tokenizers' BertNormalizer,
// BertPreTokenizer, WordPiece, added-token matching, post-processors and
// truncation, and of sentence-transformers' strip and do_lower_case. The
// reference first proves itself on the fixtures' golden ids (what
// sentence-transformers really fed the models); then every variant below, an
// edited copy of a fixture's tokenizer.json, must give the same ids as the
// reference for every text: the fixture sentences, hand-written texts aimed
// at each rule (accents composed and decomposed, case mappings, CJK ranges,
// Unicode punctuation and spaces, control characters, emoji, long words,
// special tokens written in the text) and seeded random mixtures of them.
// One Python run computes every variant.
//
// The reference classes characters with Python 3.11's Unicode 14 data; the
// reference library's tables are older (Unicode 8), so the texts avoid
// characters assigned or re-categorised since then among punctuation,
// control/format/private-use characters and non-spacing marks (our
// tokenizer's handling of those is covered by test_text_tokenizer).
#include <QtTest>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/error.h"
#include "distill/text_tokenizer.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

using Ids = std::vector<std::int32_t>;
using nlohmann::json;

const char* const kReference = DISTILL_SOURCE_DIR "/tests/support/reference_wordpiece.py";
constexpr const char* kBert = "tiny-bert-cls";
constexpr const char* kMpnet = "tiny-mpnet-mean";

// Texts aimed at each rule of the pipeline, as a JSON array (so that
// invisible characters are written as JSON escapes).
const char* const kHandTexts = R"json([
  "",
  "   ",
  "\t\n\r\n \u00a0\u3000 ",
  "\u001c\u001dseparators at both ends\u001e\u001f",
  "\u0085next line at both ends\u0085",
  "\u2028line separators at both ends\u2029",

  "Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e \u00e0 la fran\u00e7aise",
  "Cafe\u0301 cre\u0300me bru\u0302le\u0301e a\u0300 la franc\u0327aise",
  "CAF\u00c9 \u00c9CLAIR \u00c9lan HABITU\u00c9 Faberg\u00e9 \u00e9clair habitu\u00e9 mat\u00ednee",
  "na\u00efve co\u00f6perate Zo\u00eb No\u00ebl Bo\u00f6tes DVOR\u00c1K dvor\u00e1k",
  "\u00c5ngstr\u00f6m \u212bngstr\u00f6m A\u030angstro\u0308m \u00d8resund \u0141\u00f3d\u017a Dvo\u0159\u00e1k",
  "a\u0323\u0301 a\u0301\u0323 \u1ea1\u0301 \u1ec7 e\u0323\u0302 \u01c5ungla \u01c4 \u01c6",
  "\u212a Kelvin \u2126 Ohm \u00b5 micro \u03bc mu",
  "Stra\u00dfe STRASSE stra\u00dfe Ma\u00df Fu\u00dfball \u1e9e GRO\u1e9e",
  "\u0130stanbul ISTANBUL \u0131stanbul istanbul D\u0130YARBAKIR I\u0131 \u0130i i\u0307",
  "\u039f\u0394\u039f\u03a3 \u03bf\u03b4\u03bf\u03c2 \u1f41\u03b4\u03cc\u03c2",
  "\u03a3\u03af\u03c3\u03c5\u03c6\u03bf\u03c2 \u03a3\u038a\u03a3\u03a5\u03a6\u039f\u03a3 \u1fbc \u1fb3 \u0390",
  "\ufb01nance \ufb02ow \ufb00 \ufb03 \u0152uvre \u00e6ther \u00c6THER \u0133",
  "\uff21\uff22\uff23 \uff41\uff42\uff43 \uff11\uff12\uff13 \uff28\uff45\uff4c\uff4c\uff4f\uff01 \uff08\uff58\uff09",
  "\u0663\u0664 \u096a 12,345.67 \u00bd \u00b2 \u2153 \u2460 \u216b",
  "\u00abBonjour\u00bb \u00bfQu\u00e9? \u00a1Hola! a\u2014b c\u2013d wait\u2026",
  "\u201cquoted\u201d \u2018single\u2019 \u3001\u3002\u300c\u300d\u300e\u300f \u2039x\u203a \u2022 \u00b7",
  "a+b=c \u2260 \u2264 \u2211x \u221a2 \u222bf \u00b1 \u00d7 \u00f7 \u20ac5 \u00a35",
  "\u00a5 \u20b9 $5 \u00a2 \u00b0 \u00a7 \u00b6 \u00a9 \u00ae \u2122 ~ ` | ^ < > @ # % &",
  "\u6570\u5b66\u662f\u4e00\u4e2a\u95ee\u9898 \u6c49\u5b57test\u4e2d\u6587\uff0c\u6807\u70b9\uff1a\uff1f",
  "\u3400\u3401x \ud840\udc00y \uf900\uf901 \ud87e\udc00 \ud86e\udc20z \u2e80 \u3005 \u3007 \ud880\udc00",
  "\u3072\u3089\u304c\u306a \u30ab\u30bf\u30ab\u30ca",
  "\uff76\uff80\uff76\uff85 \uff83\uff9e\uff7d\uff84 \u304c \u304b\u3099",
  "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8 \u1112\u1161\u11ab\u1100\u116e\u11a8",
  "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645\u060c \u0643\u064a\u0641",
  "\u062d\u0627\u0644\u0643\u061f \u0627\u0644\u0639\u064e\u0631\u064e\u0628\u0650\u064a\u064e\u0651\u0629",
  "\u0939\u093f\u0928\u094d\u0926\u0940",
  "\u0928\u092e\u0938\u094d\u0924\u0947 \u0958\u093f \u0915\u093c\u093f \u0964 \u0966\u0967",
  "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22",
  "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a \u0e2f \u0e4f",
  "\ud83d\udc4d\ud83c\udffd \ud83d\ude00",
  "\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc66 \u2764\ufe0f",
  "\ud83c\uddeb\ud83c\uddf7 \ud83e\uddd1\u200d\ud83d\udcbb \u263a",
  "thumbs\ud83d\udc4dup smile\ud83d\ude00d \ud83d\udc4d\ud83c\udffd\ud83d\udc4d",
  "a\u00a0b\u2002c\u2003d\u2009e\u202ff\u205fg\u3000h\u1680i\u200aj",
  "zero\u200bwidth soft\u00adhyphen word\u2060joiner \ufeffbom mongolian\u180evowel",
  "line\u2028separator paragraph\u2029separator",
  "windows\r\nline\rendings\nand\ttabs\tand\u000bvertical\u000cfeed",
  "bell\u0007 esc\u001b del\u007f nel\u0085 c1\u0090 unit\u001fsep",
  "private\ue000use\uf8ff \udb80\udc00 plane",
  "\ufffd replacement \ufffd char\ufffdin",
  "nul\u0000inside \u0000 and \u0000",
  "Hello, World! It's 3:45pm. don't won't can't O'Neil",
  "e-mail: someone@example.com, url https://x.y/z?q=1&r=2#frag [x](y) {a} a_b_c",
  "C++ and C# (and F#) ##ing ## #",
  "CamelCaseWord HTTPServer iPhone McDonald SOLD Sold sold",
  "abcdefgh abcdefghi \u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9",
  "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9 e\u0301e\u0301e\u0301e\u0301e\u0301",
  "\u6570\u5b66\u6570\u5b66\u6570\u5b66\u6570\u5b66\u6570",
  "[CLS] hello [SEP]",
  "a[MASK]b a [MASK] b [MASK][MASK] [[MASK]] [MASK [mask] [Mask]",
  "  [MASK]   x   [SEP]  y  [CLS]  z [UNK] [PAD] ",
  "<mask> and <s> and </s> x<mask>y <s>start end</s> <MASK> <pad>",
  "  <mask>   spaced   <mask>  ",
  "[CLS]",
  "ZZ zz Zz azz zza zz! (zz) zz\u0301 zz_ x_zz ZZ\u00e9 1zz zz2 zz\u00a0zz",
  "New York new york NEW  YORK NewYork in New Yorkers New\u00a0York",
  "C++ c++ C++11 (C++) xC++ C++\u0301 C++C++",
  "sold sold! unsold solder SOLD, sold.",
  "Caf\u00e9 cafe CAF\u00c9 Cafe\u0301 caf\u00e9ine",
  "a <eos>   b <eos><eos>  <eos>\u3000c"
])json";

// Vocabulary entries added for the cased variants (and the grid), so that
// casing and accents change the ids: accented and cased forms, the
// decompositions they normalize to, and pieces for the other scripts.
const char* const kExtraVocab = R"json([
  "Caf\u00e9", "caf\u00e9", "cafe", "Cafe", "CAF\u00c9", "CAFE", "Cafe\u0301", "cafe\u0301", "e\u0301", "##e\u0301",
  "##\u0301", "Cr\u00e8me", "cr\u00e8me", "creme", "Stra\u00dfe", "stra\u00dfe", "STRASSE", "strasse", "Ma\u00df",
  "##\u00df", "\u0130stanbul", "i\u0307stanbul", "istanbul", "\u0131stanbul", "Istanbul", "ISTANBUL", "i\u0307",
  "##\u0307", "\u0307", "\u0130", "\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2", "\u03bf\u03b4\u03bf\u03c3",
  "\u1f41\u03b4\u03cc\u03c2", "\u00c5ngstr\u00f6m",
  "\u00e5ngstr\u00f6m", "angstrom", "Angstrom", "A\u030angstro\u0308m", "a\u030angstro\u0308m", "na\u00efve", "naive",
  "Zo\u00eb", "zoe", "Zoe", "No\u00ebl", "noel", "Noel", "\u00c9clair", "\u00c9CLAIR", "ECLAIR", "Eclair", "eclair",
  "\ufb01nance", "finance", "\uff28\uff45\uff4c\uff4c\uff4f", "\uff48\uff45\uff4c\uff4c\uff4f", "Hello", "hello",
  "World", "world", "k", "K", "\u212a", "\u03a9", "\u03c9", "\u2126", "\u00b5", "\u03bc", "\u304b", "\u304c",
  "##\u304b", "##\u304c", "##\u3099", "\u3072\u3089\u304c\u306a", "\u30ab\u30bf\u30ab\u30ca", "\ud55c\uad6d\uc5b4",
  "\u1112\u1161\u11ab\u1100\u116e\u11a8\u110b\u1165", "##\u1161", "\u1112", "\u0939\u093f\u0928\u094d\u0926\u0940",
  "\u0939\u093f\u0928\u0926\u0940", "\u0e20\u0e32\u0e29\u0e32\u0e44\u0e17\u0e22", "\u0645\u0631\u062d\u0628\u0627",
  "\u3400", "##\u3400", "\u3401", "\uf900", "\u8c48", "\u4e3d", "\ud87e\udc00", "\ud840\udc00", "\u00d8", "\u00f8",
  "\u0141\u00f3d\u017a", "\u0142\u00f3d\u017a", "\u0141odz", "\u0142odz", "\ud83d\ude00", "\ud83d\udc4d", "\u2764",
  "\u2764\ufe0f", "##\ufe0f", "\u263a", "##\u200d", "\u00e9\u00e9", "##\u00e9\u00e9", "McDonald", "iPhone",
  "HTTPServer", "CamelCaseWord", "O", "Neil", "SOLD", "Sold"
])json";

std::string escaped(const std::string& text, std::size_t limit = 240) {
    const QString s = QString::fromStdString(text);
    std::string out;
    for (const char32_t c : s.toUcs4()) {
        if (c >= 0x20 && c < 0x7F && c != '\\') {
            out += char(c);
        } else {
            char buffer[16];
            std::snprintf(buffer, sizeof buffer, "\\u{%X}", unsigned(c));
            out += buffer;
        }
        if (out.size() > limit) return out + "...";
    }
    return out;
}

std::string show(const Ids& ids) {
    std::string s = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + std::to_string(ids[i]);
    return s + "]";
}

// The maximum length sentence-transformers gives a fixture model:
// sentence_bert_config.json's max_seq_length, else tokenizer_config.json's
// model_max_length capped at config.json's max_position_embeddings.
int fixture_max_length(const char* fixture) {
    const std::string dir = fixture_models() + "/" + fixture;
    const json st = read_json<json>(dir + "/sentence_bert_config.json");
    if (st.contains("max_seq_length")) return st["max_seq_length"].get<int>();
    const double model_max = read_json<json>(dir + "/tokenizer_config.json")["model_max_length"].get<double>();
    const int positions = read_json<json>(dir + "/config.json")["max_position_embeddings"].get<int>();
    return model_max < positions ? int(model_max) : positions;
}

std::int32_t next_id(const json& vocab) {
    std::int32_t next = 0;
    for (const auto& [piece, id] : vocab.items()) next = std::max(next, id.get<std::int32_t>() + 1);
    return next;
}

void add_vocab(json& t, const std::vector<std::string>& words) {
    json& vocab = t["model"]["vocab"];
    std::int32_t id = next_id(vocab);
    for (const auto& w : words)
        if (!vocab.contains(w)) vocab[w] = id++;
}

json bert_normalizer(bool clean_text, bool chinese, const json& strip_accents, bool lowercase) {
    return {{"type", "BertNormalizer"},
            {"clean_text", clean_text},
            {"handle_chinese_chars", chinese},
            {"strip_accents", strip_accents},
            {"lowercase", lowercase}};
}

json added_token(const std::string& content, std::int32_t id, bool normalized, bool special, bool single_word = false,
                 bool lstrip = false, bool rstrip = false) {
    return {{"id", id},         {"content", content}, {"single_word", single_word}, {"lstrip", lstrip},
            {"rstrip", rstrip}, {"normalized", normalized}, {"special", special}};
}

// Added tokens of every kind, appended with the ids the reference gives them
// (so the file's ids and the reference's agree): normalized ones matched
// after the normalizer (one with a space, one in the vocabulary, one whose
// normalized form drops its accent), raw ones with single_word and
// lstrip/rstrip, and the fixture's specials given lstrip/rstrip.
void add_tokens_of_every_kind(json& t) {
    auto& added = t["added_tokens"];
    const std::int32_t n = std::int32_t(t["model"]["vocab"].size());
    for (auto& a : added) {
        const auto content = a["content"].get<std::string>();
        if (content == "[CLS]" || content == "<s>") a["lstrip"] = true;
        if (content == "[SEP]" || content == "</s>") a["rstrip"] = true;
        if (content == "[MASK]" || content == "<mask>") a["lstrip"] = a["rstrip"] = true;
    }
    added.push_back(added_token("ZZ", n, true, false, /*single_word=*/true));
    added.push_back(added_token("New York", n + 1, true, false));
    added.push_back(added_token("C++", n + 2, false, false, /*single_word=*/true));
    added.push_back(added_token("sold", t["model"]["vocab"]["sold"].get<std::int32_t>(), true, false, true));
    added.push_back(added_token("Caf\u00e9", n + 3, true, false));
    added.push_back(added_token("<eos>", n + 4, false, true, false, /*lstrip=*/true, /*rstrip=*/true));
}

// Seeded random texts mixing the characters of the hand-written texts and
// the added tokens' contents, for the interactions no hand-written text
// thought of (a mark after a CJK ideograph or a special token, a sigma
// before punctuation, ...). std::mt19937's sequence is fixed by the
// standard, so every platform draws the same texts.
std::vector<std::string> random_texts(const std::vector<std::string>& hand, std::size_t count) {
    std::vector<std::u32string> atoms;
    std::set<std::u32string> seen;
    for (const auto& text : hand)
        for (const char32_t c : QString::fromStdString(text).toUcs4())
            if (seen.insert(std::u32string(1, c)).second) atoms.push_back(std::u32string(1, c));
    for (const char* token : {"[MASK]", "[CLS]", "[SEP]", "<mask>", "<s>", "</s>", "ZZ", "zz", "New York", "C++",
                              "sold", "Caf\u00e9", "<eos>", "##", "  ", "\u03a3", "\u0130"})
        atoms.push_back(QString::fromUtf8(token).toStdU32String());
    std::mt19937 random(20240607);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < count; ++i) {
        std::u32string text;
        const std::size_t length = random() % 40;
        for (std::size_t k = 0; k < length; ++k) {
            const std::uint32_t r = random();
            if (r % 3 == 0)
                text += char32_t((r >> 8) % 2 ? 'a' + (r >> 9) % 26 : 'A' + (r >> 9) % 26);  // ASCII letters
            else if (r % 7 == 1)
                text += U' ';
            else
                text += atoms[(r >> 4) % atoms.size()];
        }
        out.push_back(QString::fromStdU32String(text).toStdString());
    }
    return out;
}

struct Variant {
    std::string name;
    std::string fixture;
    std::function<void(json&)> edit;  // empty: the fixture's own tokenizer.json, read with from_model_dir
    int max_length;
    // For the normalizer grid: clean_text, handle_chinese_chars, the
    // strip_accents in effect, lowercase; empty for the other variants.
    std::string settings;
    // Read with from_model_dir from a directory holding the edited
    // tokenizer.json and a sentence_bert_config.json with this do_lower_case
    // and max_seq_length = max_length.
    bool do_lower_case = false;
    std::string path;  // the edited copy
};

}  // namespace

class TestTokenizerSettings : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    std::vector<std::string> texts_;
    std::vector<std::string> extra_vocab_;  // kExtraVocab and cased forms of the sentences' words
    std::vector<Variant> variants_;
    std::map<std::string, std::vector<Ids>> reference_;  // variant name -> ids of every text
    std::size_t sentences_ = 0;
    std::size_t long_text_ = 0;  // the index of the text over 300 tokens

    // A fixture's tokenizer with the extra vocabulary and `normalizer`.
    std::function<void(json&)> with_normalizer(json normalizer) {
        return [this, normalizer](json& t) {
            add_vocab(t, extra_vocab_);
            t["normalizer"] = normalizer;
        };
    }

    void define_variants() {
        auto add = [&](std::string name, const char* fixture, std::function<void(json&)> edit, int max_length,
                       std::string settings = {}) {
            variants_.push_back(
                {std::move(name), fixture, std::move(edit), max_length, std::move(settings), false, {}});
        };
        auto add_lowering = [&](std::string name, const char* fixture, std::function<void(json&)> edit) {
            variants_.push_back({std::move(name), fixture, std::move(edit), 512, {}, true, {}});
        };
        for (const char* f : {kBert, kMpnet}) {
            const std::string m = std::string_view(f) == kBert ? "bert" : "mpnet";
            // The fixture as downloaded, through from_model_dir.
            add(m + " as downloaded", f, {}, fixture_max_length(f));
            // Every normalizer setting (both fixtures share the rules, so
            // MPNet gets the case and accent settings only).
            for (const bool clean : {true, false})
                for (const bool chinese : {true, false})
                    for (const json& strip : {json(nullptr), json(true), json(false)})
                        for (const bool lower : {true, false}) {
                            if (std::string_view(f) == kMpnet && (!clean || !chinese)) continue;
                            const std::string name = m + " clean_text=" + (clean ? "1" : "0") + " chinese=" +
                                                     (chinese ? "1" : "0") + " strip_accents=" + strip.dump() +
                                                     " lowercase=" + (lower ? "1" : "0");
                            const bool stripping = strip.is_null() ? lower : strip.get<bool>();
                            add(name, f, with_normalizer(bert_normalizer(clean, chinese, strip, lower)), 512,
                                m + std::to_string(clean) + std::to_string(chinese) + std::to_string(stripping) +
                                    std::to_string(lower));
                        }
            // No normalizer at all.
            add(m + " normalizer=null", f,
                [this](json& t) {
                    add_vocab(t, extra_vocab_);
                    t["normalizer"] = nullptr;
                },
                512);
            // Truncation, the specials kept.
            for (const int length : {3, 8, 16, 300})
                add(m + " max_length=" + std::to_string(length), f, [](json&) {}, length);
            // Words longer than max_input_chars_per_word are one unknown token.
            add(m + " max_input_chars_per_word=8", f, [](json& t) { t["model"]["max_input_chars_per_word"] = 8; }, 512);
            // Another unknown token (bert: a new entry; mpnet: its <unk> rather than [UNK]).
            add(m + " unk_token=<unk>", f,
                [](json& t) {
                    add_vocab(t, {"<unk>"});
                    t["model"]["unk_token"] = "<unk>";
                },
                512);
            // Another continuing-subword prefix, the vocabulary renamed to it.
            add(m + " continuing_subword_prefix=@@", f,
                [](json& t) {
                    json renamed = json::object();
                    for (const auto& [piece, id] : t["model"]["vocab"].items())
                        renamed[piece.rfind("##", 0) == 0 ? "@@" + piece.substr(2) : piece] = id;
                    t["model"]["vocab"] = renamed;
                    t["model"]["continuing_subword_prefix"] = "@@";
                },
                512);
            // Added tokens of every kind, lowercasing and cased.
            add(m + " added tokens", f, [](json& t) { add_tokens_of_every_kind(t); }, 512);
            add(m + " added tokens, cased", f,
                [this](json& t) {
                    add_vocab(t, extra_vocab_);
                    t["normalizer"] = bert_normalizer(true, true, nullptr, false);
                    add_tokens_of_every_kind(t);
                },
                512);
            add(m + " added tokens, lowercase without strip_accents", f,
                [this](json& t) {
                    add_vocab(t, extra_vocab_);
                    t["normalizer"] = bert_normalizer(true, true, false, true);
                    add_tokens_of_every_kind(t);
                },
                512);
        }
        // The fixtures' special tokens with other flags: MPNet's <mask> with
        // lstrip (as the real MPNet and RoBERTa tokenizers have it), BERT's
        // [MASK] matched after normalization (so "[mask]" is it too).
        add("mpnet <mask> lstrip", kMpnet,
            [](json& t) {
                for (auto& a : t["added_tokens"])
                    if (a["content"] == "<mask>") a["lstrip"] = true;
            },
            512);
        add("bert [MASK] normalized", kBert,
            [](json& t) {
                for (auto& a : t["added_tokens"])
                    if (a["content"] == "[MASK]") a["normalized"] = true;
            },
            512);
        // Post-processors.
        add("bert BertProcessing", kBert,
            [](json& t) {
                t["post_processor"] = {{"type", "BertProcessing"}, {"sep", {"[SEP]", 3}}, {"cls", {"[CLS]", 2}}};
            },
            48);
        add("mpnet RobertaProcessing", kMpnet,
            [](json& t) {
                t["post_processor"] = {{"type", "RobertaProcessing"}, {"sep", {"</s>", 2}}, {"cls", {"<s>", 0}},
                                       {"trim_offsets", true},     {"add_prefix_space", false}};
            },
            48);
        for (const int length : {8, 48}) {
            add("bert template of several specials, max_length=" + std::to_string(length), kBert,
                [](json& t) {
                    auto& post = t["post_processor"];
                    post["single"] = json::array({{{"SpecialToken", {{"id", "[CLS2]"}, {"type_id", 0}}}},
                                                  {{"SpecialToken", {{"id", "[MASK]"}, {"type_id", 0}}}},
                                                  {{"Sequence", {{"id", "A"}, {"type_id", 0}}}},
                                                  {{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}},
                                                  {{"SpecialToken", {{"id", "[SEP]"}, {"type_id", 0}}}}});
                    post["special_tokens"]["[CLS2]"] = {
                        {"id", "[CLS2]"}, {"ids", {2, 4}}, {"tokens", {"[CLS]", "[MASK]"}}};
                    post["special_tokens"]["[MASK]"] = {{"id", "[MASK]"}, {"ids", {4}}, {"tokens", {"[MASK]"}}};
                },
                length);
        }
        add("bert template as a string", kBert,
            [](json& t) { t["post_processor"]["single"] = "[CLS]:0 $A:0 [SEP]:0"; }, 48);
        // "$0" is the first text with type id 0, "$a" the first text too.
        add("bert template as a string, $0", kBert,
            [](json& t) { t["post_processor"]["single"] = "[CLS] $0 [SEP]:0"; }, 48);
        add("bert template as a string, $a", kBert,
            [](json& t) { t["post_processor"]["single"] = "[SEP]:0 $a [CLS]"; }, 48);
        add("bert no post-processor", kBert, [](json& t) { t["post_processor"] = nullptr; }, 48);
        // sentence-transformers' do_lower_case (sentence_bert_config.json):
        // Python's str.lower() of the whole text before the tokenizer, with
        // a cased normalizer and with the fixtures' lowercasing one.
        for (const char* f : {kBert, kMpnet}) {
            const std::string m = std::string_view(f) == kBert ? "bert" : "mpnet";
            add_lowering(m + " do_lower_case, cased normalizer", f,
                         with_normalizer(bert_normalizer(true, true, nullptr, false)));
            add_lowering(m + " do_lower_case, lowercasing normalizer", f,
                         with_normalizer(bert_normalizer(true, true, nullptr, true)));
        }
    }

    std::vector<Ids> ours(const Variant& v) const {
        const auto tokenizer =
            v.do_lower_case ? distill::WordPieceTokenizer::from_model_dir(std::filesystem::path(v.path).parent_path())
            : v.edit        ? distill::WordPieceTokenizer::from_file(v.path, v.max_length)
                            : distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/" + v.fixture);
        if (tokenizer.max_length() != v.max_length)
            throw distill::Error("max_length " + std::to_string(tokenizer.max_length()) + ", expected " +
                                 std::to_string(v.max_length));
        std::vector<Ids> out(texts_.size());
        for (std::size_t i = 0; i < texts_.size(); ++i) tokenizer.encode(texts_[i], out[i]);
        return out;
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(dir_.isValid());
        const std::string dir = dir_.path().toStdString();

        // The texts: the fixture sentences, the hand-written ones, and the
        // first 40 sentences joined into one long text (over 300 tokens).
        std::string all;
        for (const auto& row : read_jsonl<json>(fixture_models() + "/sentences.jsonl")) {
            texts_.push_back(row["text"].get<std::string>());
            if (texts_.size() <= 40) all += (all.empty() ? "" : " ") + texts_.back();
        }
        sentences_ = texts_.size();
        QCOMPARE(sentences_, std::size_t(283));
        for (const auto& text : json::parse(kHandTexts)) texts_.push_back(text.get<std::string>());
        // Words at and over max_input_chars_per_word (100), in characters
        // (50 two-byte characters are 100 bytes, and still one word).
        texts_.push_back(std::string(100, 'a') + " " + std::string(101, 'a') + " " + std::string(99, 'b') + "c");
        std::string e50;
        for (int i = 0; i < 50; ++i) e50 += "\u00e9";
        texts_.push_back(e50 + " " + e50 + e50 + "e fifty");
        std::string super;
        for (int i = 0; i < 3; ++i) super += "supercalifragilisticexpialidocious";
        texts_.push_back(super + " " + super.substr(0, 100) + " " + super.substr(0, 101));
        long_text_ = texts_.size();
        texts_.push_back(all);
        // Random texts: a few here; set DISTILL_TOKENIZER_RANDOM_TEXTS=N
        // to look for discrepancies in more.
        const std::size_t hand_begin = sentences_;
        const std::vector<std::string> hand(texts_.begin() + std::ptrdiff_t(hand_begin), texts_.end());
        const QByteArray random_count = qgetenv("DISTILL_TOKENIZER_RANDOM_TEXTS");
        for (auto& text : random_texts(hand, random_count.isEmpty() ? 100 : random_count.toULongLong()))
            texts_.push_back(std::move(text));
        {
            std::ofstream out(dir + "/texts.jsonl");
            for (const auto& text : texts_) out << json({{"text", text}}).dump() << "\n";
        }

        // The extra vocabulary: kExtraVocab, the Capitalised and UPPER forms
        // of the sentences' ASCII words, and every character of the
        // hand-written texts with its decomposition and lowercase, alone and
        // as a continuation, so that a word of them is spelt out character
        // by character rather than lost as one unknown token.
        extra_vocab_ = json::parse(kExtraVocab).get<std::vector<std::string>>();
        std::set<std::string> seen(extra_vocab_.begin(), extra_vocab_.end());
        auto add_piece = [&](const std::string& piece) {
            if (seen.insert(piece).second) extra_vocab_.push_back(piece);
        };
        for (std::size_t i = sentences_; i < texts_.size(); ++i)
            for (const char32_t c : QString::fromStdString(texts_[i]).toUcs4()) {
                const QString one = QString::fromUcs4(&c, 1);
                for (const QString& form : {one, one.normalized(QString::NormalizationForm_D), one.toLower(),
                                            one.normalized(QString::NormalizationForm_D).toLower()})
                    for (const char32_t d : form.toUcs4()) {
                        if (d == ' ' || d == '#') continue;
                        const std::string piece = QString::fromUcs4(&d, 1).toStdString();
                        add_piece(piece);
                        add_piece("##" + piece);
                    }
            }
        for (std::size_t i = 0; i < sentences_; ++i) {
            std::string word;
            for (const char c : texts_[i] + " ") {
                if (std::isalpha(static_cast<unsigned char>(c))) {
                    word += char(std::tolower(static_cast<unsigned char>(c)));
                    continue;
                }
                if (word.size() > 1) {
                    std::string capital = word, upper = word;
                    capital[0] = char(std::toupper(static_cast<unsigned char>(capital[0])));
                    for (char& u : upper) u = char(std::toupper(static_cast<unsigned char>(u)));
                    add_piece(capital);
                    add_piece(upper);
                }
                word.clear();
            }
        }

        define_variants();
        QStringList args;
        for (std::size_t i = 0; i < variants_.size(); ++i) {
            Variant& v = variants_[i];
            const std::string source = fixture_models() + "/" + v.fixture + "/tokenizer.json";
            if (v.do_lower_case) {
                const std::string model = dir + "/model-" + std::to_string(i);
                std::filesystem::create_directories(model);
                std::ofstream(model + "/sentence_bert_config.json")
                    << json({{"max_seq_length", v.max_length}, {"do_lower_case", true}}).dump();
                v.path = model + "/tokenizer.json";
            } else if (v.edit) {
                v.path = dir + "/tokenizer-" + std::to_string(i) + ".json";
            } else {
                v.path = source;
            }
            if (v.edit) {
                json t = read_json<json>(source);
                v.edit(t);
                std::ofstream(v.path) << t.dump();
            }
            if (v.do_lower_case) args << "--do-lower-case";
            args << QString::fromStdString(v.path) << QString::number(v.max_length)
                 << QString::fromStdString(dir + "/texts.jsonl")
                 << QString::fromStdString(dir + "/reference-" + std::to_string(i) + ".json");
        }
        QElapsedTimer timer;
        timer.start();
        QVERIFY2(run_python_script(kReference, args, 120000), "reference_wordpiece.py failed");
        qInfo("reference_wordpiece.py: %lld ms", timer.elapsed());
        for (std::size_t i = 0; i < variants_.size(); ++i) {
            reference_[variants_[i].name] =
                read_json<json>(dir + "/reference-" + std::to_string(i) + ".json").get<std::vector<Ids>>();
            QCOMPARE(reference_[variants_[i].name].size(), texts_.size());
        }
        qInfo("%zu variants, %zu texts each (%zu fixture sentences)", variants_.size(), texts_.size(), sentences_);
    }

    // The reference's proof of fidelity: the ids sentence-transformers fed
    // the fixture models, at the maximum length their files give.
    void referenceReproducesTheGoldenIds_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow(kBert) << kBert;
        QTest::newRow(kMpnet) << kMpnet;
    }
    void referenceReproducesTheGoldenIds() {
        QFETCH(QString, model);
        const std::string fixture = model.toStdString();
        QCOMPARE(fixture_max_length(fixture.c_str()), 48);
        const auto golden = read_jsonl<json>(fixture_models() + "/" + fixture + "/golden_tokens.jsonl");
        QCOMPARE(golden.size(), sentences_);
        const auto& reference = reference_.at((fixture == kBert ? "bert" : "mpnet") + std::string(" as downloaded"));
        for (std::size_t i = 0; i < sentences_; ++i) {
            QVERIFY(golden[i]["text"].get<std::string>() == texts_[i]);
            const auto expected = golden[i]["input_ids"].get<Ids>();
            QVERIFY2(reference[i] == expected, ("sentence " + std::to_string(i + 1) + " \"" + escaped(texts_[i]) +
                                                "\": reference " + show(reference[i]) + ", golden " + show(expected))
                                                   .c_str());
        }
    }

    // Our tokenizer against the reference, variant by variant, text by text.
    void matchesTheReference_data() {
        QTest::addColumn<int>("variant");
        for (std::size_t i = 0; i < variants_.size(); ++i) QTest::newRow(variants_[i].name.c_str()) << int(i);
    }
    void matchesTheReference() {
        QFETCH(int, variant);
        const Variant& v = variants_[std::size_t(variant)];
        const auto& expected = reference_.at(v.name);
        std::vector<Ids> got;
        const std::string error = error_of([&] { got = ours(v); });
        QVERIFY2(error.empty(), error.c_str());
        std::size_t compared = 0, differ = 0;
        std::string first;
        for (std::size_t i = 0; i < texts_.size(); ++i) {
            ++compared;
            if (got[i] == expected[i]) continue;
            ++differ;
            const std::string line = "text " + std::to_string(i + 1) + " \"" + escaped(texts_[i]) + "\": ours " +
                                     show(got[i]) + ", reference " + show(expected[i]);
            if (first.empty()) first = line;
            if (differ <= 5) qWarning("%s", line.c_str());
        }
        qInfo("%s: %zu/%zu texts identical", v.name.c_str(), compared - differ, compared);
        QVERIFY2(differ == 0,
                 (std::to_string(differ) + " of " + std::to_string(compared) + " texts differ; first: " + first)
                     .c_str());
    }

    // The truncation variants really truncate: the long text fills them.
    void truncationVariantsAreFull() {
        for (const auto& v : variants_)
            if (v.name.find("max_length=") != std::string::npos)
                QVERIFY2(reference_.at(v.name)[long_text_].size() == std::size_t(v.max_length), v.name.c_str());
    }

    // Each setting of the normalizer grid changes the reference's ids on
    // these texts (so the texts exercise it), except strip_accents null,
    // which follows lowercase.
    void everyNormalizerSettingChangesTheIds() {
        for (const auto& a : variants_)
            for (const auto& b : variants_) {
                if (a.settings.empty() || b.settings.empty() || &a >= &b || a.fixture != b.fixture) continue;
                const bool same = reference_.at(a.name) == reference_.at(b.name);
                QVERIFY2(same == (a.settings == b.settings),
                         (a.name + " and " + b.name + (same ? " give the same ids" : " differ")).c_str());
            }
    }
};

QTEST_GUILESS_MAIN(TestTokenizerSettings)
#include "test_tokenizer_settings.moc"
