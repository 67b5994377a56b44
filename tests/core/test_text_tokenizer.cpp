// The embedding model's tokenizer against the reference: the exact input ids
// sentence-transformers fed the fixture models (tests/data/models, copied
// from shared/fixtures), plus each rule of the BERT pipeline on variants of
// tokenizer.json edited in a temporary folder, and the errors for what is
// not supported.
#include <QtTest>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/error.h"
#include "distill/text_tokenizer.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

using Ids = std::vector<std::int32_t>;
using nlohmann::json;

void write_json(const std::string& path, const json& value) {
    std::ofstream out(path);
    out << value.dump();
}

QByteArray show(const Ids& ids) {
    QByteArray s = "[";
    for (std::size_t i = 0; i < ids.size(); ++i) s += (i ? ", " : "") + QByteArray::number(ids[i]);
    return s + "]";
}

#define COMPARE_IDS(actual, expected)                                                                 \
    do {                                                                                              \
        const Ids a_ = (actual), e_ = (expected);                                                     \
        QVERIFY2(a_ == e_, QByteArray("got " + show(a_) + ", expected " + show(e_)).constData());     \
    } while (false)

}  // namespace

class TestTextTokenizer : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;
    int copies_ = 0;

    // A copy of a fixture's tokenizer.json, edited: the fixtures stay untouched.
    std::string edited(const char* model, const std::function<void(json&)>& edit) {
        json t = read_json<json>(fixture_models() + "/" + model + "/tokenizer.json");
        edit(t);
        const std::string path = (dir_.path() + "/tokenizer-" + QString::number(++copies_) + ".json").toStdString();
        write_json(path, t);
        return path;
    }

    // A copy of a fixture's model directory (its small files only).
    std::string model_copy(const char* model) {
        const std::string to = (dir_.path() + "/model-" + QString::number(++copies_)).toStdString();
        std::filesystem::create_directories(to);
        for (const char* name : {"tokenizer.json", "tokenizer_config.json", "sentence_bert_config.json", "config.json"})
            std::filesystem::copy_file(fixture_models() + "/" + model + "/" + name, to + "/" + name);
        return to;
    }

    // The bert fixture's tokenizer with a different normalizer and extra vocabulary entries.
    distill::WordPieceTokenizer bert_with(const json& normalizer, const std::vector<std::string>& words = {},
                                          int max_length = 48) {
        return distill::WordPieceTokenizer::from_file(edited("tiny-bert-cls",
                                                             [&](json& t) {
                                                                 t["normalizer"] = normalizer;
                                                                 int id = 20000;
                                                                 for (const auto& w : words) t["model"]["vocab"][w] = id++;
                                                             }),
                                                      max_length);
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(dir_.isValid()); }

    void matchesTheReferenceOnEverySentence_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("tiny-bert-cls") << "tiny-bert-cls";
        QTest::newRow("tiny-mpnet-mean") << "tiny-mpnet-mean";
    }
    void matchesTheReferenceOnEverySentence() {
        QFETCH(QString, model);
        const std::string dir = fixture_models() + "/" + model.toStdString();
        const auto tokenizer = distill::WordPieceTokenizer::from_model_dir(dir);
        const auto sentences = read_jsonl<json>(fixture_models() + "/sentences.jsonl");
        const auto golden = read_jsonl<json>(dir + "/golden_tokens.jsonl");
        QCOMPARE(golden.size(), sentences.size());
        QCOMPARE(sentences.size(), std::size_t(283));
        Ids ids;
        int same = 0;
        QByteArray first_difference;
        for (std::size_t i = 0; i < sentences.size(); ++i) {
            tokenizer.encode(sentences[i]["text"].get<std::string>(), ids);
            const auto expected = golden[i]["input_ids"].get<Ids>();
            if (ids == expected)
                ++same;
            else if (first_difference.isEmpty())
                first_difference = "line " + QByteArray::number(qulonglong(i + 1)) + ": got " + show(ids) +
                                   ", expected " + show(expected);
        }
        QVERIFY2(same == int(sentences.size()),
                 QByteArray(QByteArray::number(same) + "/283 exact; " + first_difference).constData());
    }

    void readsLengthPadAndSpecialsFromTheModelDirectory() {
        const auto bert = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-bert-cls");
        QCOMPARE(bert.max_length(), 48);
        QCOMPARE(bert.pad_id(), 0);
        QCOMPARE(bert.unk_id(), 1);
        QCOMPARE(bert.token_id("[CLS]").value_or(-1), 2);
        QCOMPARE(bert.vocab_size(), std::size_t(11354));
        QVERIFY(bert.path().ends_with("tiny-bert-cls/tokenizer.json"));
        COMPARE_IDS(bert.encode(""), Ids({2, 3}));

        const auto mpnet = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-mpnet-mean");
        QCOMPARE(mpnet.max_length(), 48);
        QCOMPARE(mpnet.pad_id(), 1);  // <pad>: MPNet's position ids depend on it
        QCOMPARE(mpnet.unk_id(), 4);
        COMPARE_IDS(mpnet.encode(""), Ids({0, 2}));
    }

    void maxLengthFollowsSentenceTransformers() {
        // sentence_bert_config.json's max_seq_length wins, uncapped.
        std::string dir = model_copy("tiny-bert-cls");
        write_json(dir + "/sentence_bert_config.json", {{"max_seq_length", 256}, {"do_lower_case", false}});
        QCOMPARE(distill::WordPieceTokenizer::from_model_dir(dir).max_length(), 256);

        // Without it: tokenizer_config.json's model_max_length ("no limit" is
        // 1e30) capped at config.json's max_position_embeddings.
        dir = model_copy("tiny-bert-cls");
        json tc = read_json<json>(dir + "/tokenizer_config.json");
        tc["model_max_length"] = 1e30;
        write_json(dir + "/tokenizer_config.json", tc);
        const int positions = read_json<json>(dir + "/config.json")["max_position_embeddings"].get<int>();
        QCOMPARE(distill::WordPieceTokenizer::from_model_dir(dir).max_length(), positions);

        // Nothing at all says it: an error naming the directory.
        std::filesystem::remove(dir + "/tokenizer_config.json");
        std::filesystem::remove(dir + "/config.json");
        const auto message = error_of([&] { distill::WordPieceTokenizer::from_model_dir(dir); });
        QVERIFY2(message.find(dir) != std::string::npos && message.find("max_seq_length") != std::string::npos,
                 message.c_str());
    }

    void doLowerCaseLowercasesBeforeACasedNormalizer() {
        const std::string dir = model_copy("tiny-bert-cls");
        json t = read_json<json>(dir + "/tokenizer.json");
        t["normalizer"]["lowercase"] = false;
        write_json(dir + "/tokenizer.json", t);
        const auto cased = distill::WordPieceTokenizer::from_model_dir(dir);
        write_json(dir + "/sentence_bert_config.json", {{"max_seq_length", 48}, {"do_lower_case", true}});
        const auto lowered = distill::WordPieceTokenizer::from_model_dir(dir);
        QVERIFY(cased.encode("Natalia SOLD clips") != cased.encode("natalia sold clips"));
        COMPARE_IDS(lowered.encode("Natalia SOLD clips"), cased.encode("natalia sold clips"));
    }

    void accentsAndCase() {
        const std::vector<std::string> words = {"Café", "café", "cafe", "Cafe"};
        const auto id = [&](const char* w) { return std::int32_t(20000 + (std::find(words.begin(), words.end(), w) - words.begin())); };
        // Cased, accents kept (strip_accents null follows lowercase = false).
        auto t = bert_with({{"type", "BertNormalizer"}, {"clean_text", true}, {"handle_chinese_chars", true},
                            {"strip_accents", nullptr}, {"lowercase", false}},
                           words);
        COMPARE_IDS(t.encode("Café"), Ids({2, id("Café"), 3}));
        // The same text decomposed (e + U+0301) is not the same word here:
        // without strip_accents nothing composes or drops the accent.
        QVERIFY(t.encode("Cafe\u0301") != t.encode("Café"));
        // Lowercased, accents kept.
        t = bert_with({{"type", "BertNormalizer"}, {"strip_accents", false}, {"lowercase", true}}, words);
        COMPARE_IDS(t.encode("CAFÉ"), Ids({2, id("café"), 3}));
        // Accents stripped without lowercasing: composed and decomposed agree.
        t = bert_with({{"type", "BertNormalizer"}, {"strip_accents", true}, {"lowercase", false}}, words);
        COMPARE_IDS(t.encode("Café"), Ids({2, id("Cafe"), 3}));
        COMPARE_IDS(t.encode("Cafe\u0301"), Ids({2, id("Cafe"), 3}));
        // The fixture's own normalizer: lowercase and strip.
        t = bert_with({{"type", "BertNormalizer"}, {"strip_accents", nullptr}, {"lowercase", true}}, words);
        COMPARE_IDS(t.encode("CAFÉ"), Ids({2, id("cafe"), 3}));
        // Per-character full lowercase, as the reference: U+0130 becomes
        // "i" + U+0307, which strip_accents=false keeps.
        t = bert_with({{"type", "BertNormalizer"}, {"strip_accents", false}, {"lowercase", true}}, {"i\u0307"});
        COMPARE_IDS(t.encode("\u0130"), Ids({2, 20000, 3}));
    }

    void chineseCharactersAreSeparateWords() {
        const auto t = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-bert-cls");
        const auto shu = t.token_id("数").value(), xue = t.token_id("学").value();
        const Ids ids = t.encode("数学a");
        QVERIFY2(ids.size() >= 5 && ids[1] == shu && ids[2] == xue, show(ids).constData());
        COMPARE_IDS(t.encode("数学a"), t.encode("数 学 a"));
        // Off: the ideographs and the letter are one word, cut by WordPiece.
        const auto off = bert_with({{"type", "BertNormalizer"}, {"handle_chinese_chars", false}});
        COMPARE_IDS(off.encode("数学a"), Ids({2, shu, t.token_id("##学").value(), t.token_id("##a").value(), 3}));
        // Hiragana is not in the CJK ideograph ranges.
        COMPARE_IDS(t.encode("数あ"), Ids({2, shu, 1, 3}));
    }

    void punctuationWhitespaceAndControlCharacters() {
        const auto t = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-bert-cls");
        COMPARE_IDS(t.encode("a+b"), t.encode("a + b"));            // ASCII symbol counts as punctuation
        COMPARE_IDS(t.encode("a\u2014b"), t.encode("a \u2014 b"));  // em dash: Unicode Pd
        COMPARE_IDS(t.encode("a\u200bb"), t.encode("ab"));          // zero-width space: Cf, dropped
        COMPARE_IDS(t.encode(std::string("a\0b", 3)), t.encode("ab"));  // NUL dropped
        COMPARE_IDS(t.encode("a\u00a0b\u3000c\td"), t.encode("a b c d"));  // any whitespace splits
        COMPARE_IDS(t.encode("  \t\n "), Ids({2, 3}));
        COMPARE_IDS(t.encode("\x07\x1f"), Ids({2, 3}));
        COMPARE_IDS(t.encode("\xff\xfe"), Ids({2, 3}));  // invalid UTF-8 reads as U+FFFD, which is dropped
    }

    void charactersAreClassedLikeTheReference() {
        // The reference's categories are Unicode 8.0's (verified code point by
        // code point against tokenizers 0.23.2): later characters are
        // unassigned to it, and a few have changed category since.
        const auto t = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-bert-cls");
        const Ids unknown_word = {2, 1, 3};
        COMPARE_IDS(t.encode("a\u061Db"), unknown_word);  // Arabic end of text mark: Po, but only since Unicode 14
        COMPARE_IDS(t.encode("a\u0890b"), unknown_word);  // Arabic pound mark above: Cf since 14, kept
        COMPARE_IDS(t.encode("a\u166Db"), t.encode("a \u166D b"));  // Canadian chi sign: Po in 8.0, So now
        COMPARE_IDS(t.encode("a\u1734"), t.encode("a"));  // Hanunoo pamudpod: Mn in 8.0, Mc now
        COMPARE_IDS(t.encode("a\u0301"), t.encode("a"));  // an 8.0 mark is stripped
        COMPARE_IDS(t.encode("a\u00BFb"), t.encode("a \u00BF b"));  // inverted question mark: Po
        COMPARE_IDS(t.encode("a\u00ADb"), t.encode("ab"));  // soft hyphen: Cf, dropped
    }

    void wordsLongerThanTheLimitAreUnknown() {
        const auto t = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-bert-cls");
        const Ids hundred = t.encode(std::string(100, 'a'));
        QVERIFY2(hundred.size() > 3 && hundred[1] != t.unk_id(), show(hundred).constData());
        COMPARE_IDS(t.encode(std::string(101, 'a')), Ids({2, 1, 3}));
        // The limit counts characters, not bytes.
        const auto five = distill::WordPieceTokenizer::from_file(
            edited("tiny-bert-cls", [](json& j) { j["model"]["max_input_chars_per_word"] = 5; }), 48);
        COMPARE_IDS(five.encode("ééééé"), t.encode("ééééé"));
        COMPARE_IDS(five.encode("éééééé"), Ids({2, 1, 3}));
        COMPARE_IDS(five.encode("aaaaaa"), Ids({2, 1, 3}));
    }

    void truncationKeepsTheSpecialTokens() {
        const std::string path = fixture_models() + "/tiny-bert-cls/tokenizer.json";
        const std::string text = "Natalia sold clips to 169 of her friends in April, and then she sold half.";
        const auto full = distill::WordPieceTokenizer::from_file(path, 512).encode(text);
        QVERIFY(full.size() > 8);
        const auto five = distill::WordPieceTokenizer::from_file(path, 5).encode(text);
        COMPARE_IDS(five, Ids({full[0], full[1], full[2], full[3], full.back()}));
        COMPARE_IDS(distill::WordPieceTokenizer::from_file(path, 2).encode(text), Ids({2, 3}));
        const auto message = error_of([&] { distill::WordPieceTokenizer::from_file(path, 1); });
        QVERIFY2(message.find("tokenizer.json") != std::string::npos, message.c_str());
    }

    void specialTokensWrittenInTheTextAreMatched() {
        const auto t = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-bert-cls");
        const Ids a = t.encode("a"), b = t.encode("b");
        Ids expected = {2, a[1], 4, b[1], 3};
        COMPARE_IDS(t.encode("a [MASK] b"), expected);
        COMPARE_IDS(t.encode("a[MASK]b"), expected);
        QVERIFY(t.encode("a [mask] b") != expected);  // matched before normalization: case matters
        // lstrip/rstrip and single_word options of an added token.
        const auto strip = distill::WordPieceTokenizer::from_file(
            edited("tiny-bert-cls",
                   [](json& j) {
                       j["added_tokens"][4]["lstrip"] = true;
                       j["added_tokens"].push_back({{"id", 30000}, {"content", "zz"}, {"single_word", true},
                                                    {"lstrip", false}, {"rstrip", false}, {"normalized", true},
                                                    {"special", false}});
                   }),
            48);
        COMPARE_IDS(strip.encode("a   [MASK] b"), expected);
        // Like the reference, a token outside the vocabulary gets the next id
        // after it, whatever the file says.
        const std::int32_t zz = std::int32_t(strip.vocab_size());
        QCOMPARE(strip.token_id("zz").value_or(-1), zz);
        COMPARE_IDS(strip.encode("a ZZ b"), Ids({2, a[1], zz, b[1], 3}));  // normalized: matched after lowercasing
        QVERIFY(strip.encode("a zzz b") != Ids({2, a[1], zz, b[1], 3}));
        const Ids inside_a_word = strip.encode("azz b");
        QVERIFY(std::find(inside_a_word.begin(), inside_a_word.end(), zz) == inside_a_word.end());
    }

    void acceptsBertAndRobertaPostProcessors() {
        const auto sentences = read_jsonl<json>(fixture_models() + "/sentences.jsonl");
        const auto golden = read_jsonl<json>(fixture_models() + "/tiny-mpnet-mean/golden_tokens.jsonl");
        const auto roberta = distill::WordPieceTokenizer::from_file(
            edited("tiny-mpnet-mean",
                   [](json& j) {
                       j["post_processor"] = {{"type", "RobertaProcessing"}, {"sep", {"</s>", 2}}, {"cls", {"<s>", 0}},
                                              {"trim_offsets", true}, {"add_prefix_space", false}};
                   }),
            48);
        const auto bert = distill::WordPieceTokenizer::from_file(
            edited("tiny-bert-cls",
                   [](json& j) {
                       j["post_processor"] = {{"type", "BertProcessing"}, {"sep", {"[SEP]", 3}}, {"cls", {"[CLS]", 2}}};
                   }),
            48);
        const auto bert_golden = read_jsonl<json>(fixture_models() + "/tiny-bert-cls/golden_tokens.jsonl");
        for (std::size_t i = 0; i < 20; ++i) {
            const auto text = sentences[i]["text"].get<std::string>();
            COMPARE_IDS(roberta.encode(text), golden[i]["input_ids"].get<Ids>());
            COMPARE_IDS(bert.encode(text), bert_golden[i]["input_ids"].get<Ids>());
        }
        // The short string form of a template.
        const auto short_form = distill::WordPieceTokenizer::from_file(
            edited("tiny-bert-cls", [](json& j) { j["post_processor"]["single"] = "[CLS]:0 $A:0 [SEP]:0"; }), 48);
        COMPARE_IDS(short_form.encode(sentences[0]["text"].get<std::string>()), bert_golden[0]["input_ids"].get<Ids>());
        // No post-processor: no special tokens.
        const auto bare = distill::WordPieceTokenizer::from_file(
            edited("tiny-bert-cls", [](json& j) { j["post_processor"] = nullptr; }), 48);
        COMPARE_IDS(bare.encode(""), Ids{});
    }

    void batchesArePaddedWithThePadId() {
        const auto t = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-mpnet-mean");
        const std::vector<std::string> texts = {"How many clips?", "", "Natalia sold clips to 169 of her friends"};
        const auto batch = t.encode_batch(texts);
        QCOMPARE(batch.rows, std::size_t(3));
        std::size_t longest = 0;
        for (const auto& text : texts) longest = std::max(longest, t.encode(text).size());
        QCOMPARE(batch.cols, longest);
        for (std::size_t r = 0; r < 3; ++r) {
            const auto ids = t.encode(texts[r]);
            for (std::size_t c = 0; c < batch.cols; ++c) {
                const bool token = c < ids.size();
                QCOMPARE(batch.attention_mask[r * batch.cols + c], std::int64_t(token));
                QCOMPARE(batch.input_ids[r * batch.cols + c], std::int64_t(token ? ids[c] : t.pad_id()));
            }
        }
        QCOMPARE(t.encode_batch(std::vector<std::string>{}).rows, std::size_t(0));
    }

    void refusesWhatItDoesNotSupport() {
        struct Case {
            const char* name;
            std::function<void(json&)> edit;
            const char* says;
        };
        const Case cases[] = {
            {"BPE", [](json& j) { j["model"]["type"] = "BPE"; }, "model.type is \"BPE\""},
            {"Unigram", [](json& j) { j["model"]["type"] = "Unigram"; }, "WordPiece"},
            {"normalizer", [](json& j) { j["normalizer"] = {{"type", "NFKC"}}; }, "normalizer.type is \"NFKC\""},
            {"pre-tokenizer", [](json& j) { j["pre_tokenizer"] = {{"type", "ByteLevel"}}; }, "pre_tokenizer.type"},
            {"post-processor", [](json& j) { j["post_processor"] = {{"type", "ByteLevel"}}; }, "post_processor.type"},
            {"unk not in vocab", [](json& j) { j["model"]["unk_token"] = "<nope>"; }, "model.unk_token"},
            {"bad flag", [](json& j) { j["normalizer"]["lowercase"] = "yes"; }, "normalizer.lowercase"},
            {"bad id", [](json& j) { j["model"]["vocab"]["hello"] = "x"; }, "model.vocab[\"hello\"]"},
            // tokenizers would give these tokens type id 1, and BERT would
            // add another row of token_type_embeddings than ours does.
            {"type id 1", [](json& j) { j["post_processor"]["single"][2]["SpecialToken"]["type_id"] = 1; },
             "post_processor.single[2].SpecialToken.type_id"},
            {"type id 1, as a string", [](json& j) { j["post_processor"]["single"] = "[CLS] $1 [SEP]"; },
             "post_processor.single[1].Sequence.type_id"},
            {"type id x, as a string", [](json& j) { j["post_processor"]["single"] = "[CLS] $A:x [SEP]"; },
             "is \"x\""},
            {"type id past int64, as a string",
             [](json& j) { j["post_processor"]["single"] = "[CLS] $A:99999999999999999999 [SEP]"; },
             "post_processor.single[1].Sequence.type_id"},
        };
        for (const auto& c : cases) {
            const std::string path = edited("tiny-bert-cls", c.edit);
            const auto message = error_of([&] { distill::WordPieceTokenizer::from_file(path, 48); });
            QVERIFY2(message.find(path) != std::string::npos && message.find(c.says) != std::string::npos,
                     (std::string(c.name) + ": " + message).c_str());
        }

        const std::string empty = (dir_.path() + "/empty-model").toStdString();
        std::filesystem::create_directories(empty);
        auto message = error_of([&] { distill::WordPieceTokenizer::from_model_dir(empty); });
        QVERIFY2(message.find(empty + "/tokenizer.json") != std::string::npos, message.c_str());

        message = error_of([&] { distill::WordPieceTokenizer::from_model_dir(empty + "/nope"); });
        QVERIFY2(message.find("nope") != std::string::npos && message.find("not a directory") != std::string::npos,
                 message.c_str());

        const std::string broken = (dir_.path() + "/broken.json").toStdString();
        std::ofstream(broken) << "{\"model\": ";
        message = error_of([&] { distill::WordPieceTokenizer::from_file(broken, 48); });
        QVERIFY2(message.find(broken) != std::string::npos && message.find("not valid JSON") != std::string::npos,
                 message.c_str());
    }

    void isFastEnoughForTheCorpus() {
        // 700k questions must tokenize in seconds, not minutes.
        const auto t = distill::WordPieceTokenizer::from_model_dir(fixture_models() + "/tiny-bert-cls");
        const auto sentences = read_jsonl<json>(fixture_models() + "/sentences.jsonl");
        std::vector<std::string> texts;
        for (const auto& s : sentences) texts.push_back(s["text"].get<std::string>());
        Ids ids;
        std::size_t tokens = 0;
        QElapsedTimer timer;
        timer.start();
        for (int round = 0; round < 100; ++round)
            for (const auto& text : texts) {
                t.encode(text, ids);
                tokens += ids.size();
            }
        const double us = double(timer.nsecsElapsed()) / 1e3 / (100.0 * double(texts.size()));
        qInfo("%.2f us per text, %zu tokens", us, tokens);
        QVERIFY2(us < 100, qPrintable(QString::number(us) + " us per text"));
    }
};

QTEST_GUILESS_MAIN(TestTextTokenizer)
#include "test_text_tokenizer.moc"
