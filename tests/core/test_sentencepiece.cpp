// The LLM tokenizer through the sentencepiece isolation module, in a process
// that has libtorch loaded too: the combination that crashes at start-up
// when sentencepiece is linked the ordinary way (ARCHITECTURE.md rule 2).
#include <QtTest>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "distill/compute_info.h"
#include "distill/error.h"
#include "distill/llm_tokenizer.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

bool process_has_mapped(const std::string& library) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line))
        if (line.find(library) != std::string::npos) return true;
    return false;
}

std::vector<std::int32_t> ids_of(const nlohmann::json& array) {
    return array.get<std::vector<std::int32_t>>();
}

}  // namespace

class TestSentencePiece : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() {
        QVERIFY2(QFile::exists(QString::fromStdString(llama_tokenizer_path())),
                 "the Llama-2 tokenizer is missing: run installer/fetch-tokenizer.sh "
                 "(CTest passes its path in DISTILL_LLAMA_TOKENIZER)");
    }

    void encodesWithLibtorchLoaded() {
        // Run libtorch first, so its protobuf is initialised before the module loads.
        const auto info = distill::compute_info();
        QVERIFY(!info.torch_version.empty());
        QVERIFY(process_has_mapped("libtorch"));

        distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        QVERIFY(process_has_mapped("libdistill_spm.so"));
        QVERIFY(process_has_mapped("libsentencepiece"));
        const std::vector<std::int32_t> expected{15043, 3186, 29892, 920, 526, 366, 29973};
        QCOMPARE(tokenizer.encode("Hello world, how are you?"), expected);
    }

    void matchesReferenceIdsWithAndWithoutEos() {
        std::ifstream in(DISTILL_TEST_DATA "/llama/llama_tokens.json");
        const auto cases = nlohmann::json::parse(in);
        QVERIFY(cases.size() >= 5);
        distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        for (const auto& c : cases) {
            const std::string text = c["text"];
            QCOMPARE(tokenizer.bos_id(), c["bos_id"].get<int>());
            QCOMPARE(tokenizer.eos_id(), c["eos_id"].get<int>());
            QCOMPARE(tokenizer.encode(text), ids_of(c["ids"]));
            QCOMPARE(tokenizer.encode(text, /*bos=*/false, /*eos=*/true), ids_of(c["ids_eos"]));
        }
    }

    void litGptSemantics() {
        distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        const auto plain = tokenizer.encode("Hello world, how are you?");
        auto with_bos_eos = tokenizer.encode("Hello world, how are you?", true, true);
        QCOMPARE(with_bos_eos.front(), tokenizer.bos_id());
        QCOMPARE(with_bos_eos.back(), tokenizer.eos_id());
        QCOMPARE(with_bos_eos.size(), plain.size() + 2);
        // Truncation comes after EOS is appended, so it can cut the EOS (as lit-gpt's does).
        const auto cut = tokenizer.encode("Hello world, how are you?", false, true, 3);
        QCOMPARE(cut, std::vector<std::int32_t>(plain.begin(), plain.begin() + 3));
        QCOMPARE(tokenizer.encode("Hello", false, true, 0), tokenizer.encode("Hello", false, true));
    }

    void decodesAndLooksUpPieces() {
        distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        QCOMPARE(tokenizer.vocab_size(), 32000);
        const std::string text = "Hello world, how are you?";
        QCOMPARE(tokenizer.decode(tokenizer.encode(text)), text);
        QCOMPARE(tokenizer.id_to_piece(15043), std::string("\xE2\x96\x81Hello"));
        QCOMPARE(tokenizer.piece_to_id("\xE2\x96\x81Hello"), 15043);
        QVERIFY_THROWS_EXCEPTION(distill::Error, tokenizer.id_to_piece(32000));
    }

    void longTextGrowsTheBuffer() {
        distill::SentencePieceTokenizer tokenizer(llama_tokenizer_path());
        // Llama-2 splits digits one id each: more ids than the first buffer guess.
        std::string text = "12345";
        for (int i = 0; i < 2000; ++i) text += " 12345";
        const auto ids = tokenizer.encode(text);
        QVERIFY(ids.size() > text.size() / 2 + 8);
        QCOMPARE(tokenizer.decode(ids), text);
    }

    // Any sentencepiece model, not only Llama-2's (Mistral's is another):
    // a small BPE model trained here by Debian's python3-sentencepiece, with
    // BOS and EOS at other ids than Llama's, gives Python's ids exactly.
    void matchesPythonOnAnotherModel() {
        QTemporaryDir dir;
        const QString model = dir.path() + "/other.model";
        const std::vector<std::string> texts = {"the cat sat", "", " leading space", "café 数学 😀 unseen ✓",
                                                "numbers 12345\nand\ttabs", "the mat while seven dogs ran"};
        const auto trained = run_python(R"PY(
import io, json, sys, sentencepiece as spm
lines = ["the cat sat on the mat while seven dogs ran quickly %d" % i for i in range(200)]
lines += ["café 数学 Ελληνικά numbers 12345 and more words here"] * 20
model = io.BytesIO()
spm.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=model, vocab_size=400,
                               model_type="bpe", byte_fallback=True, unk_id=0, bos_id=2, eos_id=1,
                               pad_id=-1, minloglevel=2)
open(sys.argv[1], "wb").write(model.getvalue())
sp = spm.SentencePieceProcessor(model_file=sys.argv[1])
print(json.dumps({"bos": sp.bos_id(), "eos": sp.eos_id(), "vocab": sp.vocab_size(),
                  "ids": [sp.encode(t) for t in json.loads(sys.argv[2])],
                  "decoded": [sp.decode(sp.encode(t)) for t in json.loads(sys.argv[2])]}))
)PY", {model, QString::fromStdString(nlohmann::json(texts).dump())});
        QVERIFY(trained);
        const auto expected = nlohmann::json::parse(trained->toStdString());

        distill::SentencePieceTokenizer tokenizer(model.toStdString());
        QCOMPARE(tokenizer.bos_id(), expected["bos"].get<int>());
        QCOMPARE(tokenizer.eos_id(), expected["eos"].get<int>());
        QCOMPARE(tokenizer.vocab_size(), expected["vocab"].get<int>());
        for (std::size_t i = 0; i < texts.size(); ++i) {
            auto ids = ids_of(expected["ids"][i]);
            QCOMPARE(tokenizer.encode(texts[i]), ids);
            auto with_bos_eos = ids;
            with_bos_eos.insert(with_bos_eos.begin(), 2);
            with_bos_eos.push_back(1);
            QCOMPARE(tokenizer.encode(texts[i], true, true), with_bos_eos);
            with_bos_eos.resize(std::min<std::size_t>(with_bos_eos.size(), 3));
            QCOMPARE(tokenizer.encode(texts[i], true, true, 3), with_bos_eos);
            // The trainer's default NFKC normalisation changes some text: decode as Python does.
            QCOMPARE(tokenizer.decode(ids), expected["decoded"][i].get<std::string>());
        }
    }

    void rejectsWhatIsNotATokenizer() {
        QTemporaryDir dir;
        const std::string json = (dir.path() + "/tokenizer.json").toStdString();
        std::ofstream(json) << "{\"model\": {\"type\": \"BPE\"}}";
        try {
            distill::SentencePieceTokenizer t(json);
            QFAIL("a JSON file was accepted as a sentencepiece model");
        } catch (const distill::Error& e) {
            const std::string msg = e.what();
            QVERIFY2(msg.find(json) != std::string::npos, msg.c_str());
            QVERIFY2(msg.find("not a sentencepiece model") != std::string::npos, msg.c_str());
        }
        const std::string missing = (dir.path() + "/nope.model").toStdString();
        try {
            distill::SentencePieceTokenizer t(missing);
            QFAIL("a missing file was accepted");
        } catch (const distill::Error& e) {
            QVERIFY2(std::string(e.what()).find(missing) != std::string::npos, e.what());
        }
    }
};

QTEST_GUILESS_MAIN(TestSentencePiece)
#include "test_sentencepiece.moc"
