// The sentence-transformers embedder against the reference: the fixture
// models' vectors for tests/data/models/sentences.jsonl must match
// sentence-transformers' own (golden_embeddings.npy) with cosine >= 0.9999
// per row, whatever the batching; and every malformed or unsupported model
// directory (edited copies in a temporary folder) is refused with an error
// naming the file at fault.
#include <QtTest>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distill/compute_info.h"
#include "distill/embedder.h"
#include "distill/error.h"
#include "distill/npy.h"
#include "distill/safetensors.h"
#include "distill/text_tokenizer.h"
#include "support/test_support.h"

using namespace distill::test;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<std::string> sentences() {
    std::vector<std::string> texts;
    for (const auto& row : read_jsonl<json>(fixture_models() + "/sentences.jsonl"))
        texts.push_back(row["text"].get<std::string>());
    return texts;
}

// The lowest per-row cosine to the golden vectors, and that row.
std::pair<double, std::size_t> worst_row(const distill::Matrix& got, const distill::Matrix& golden) {
    std::pair<double, std::size_t> worst{2.0, 0};
    for (std::size_t i = 0; i < golden.rows; ++i) worst = std::min(worst, {cosine(got.row(i), golden.row(i)), i});
    return worst;
}

#define VERIFY_MESSAGE(call, ...)                                                                     \
    do {                                                                                              \
        const std::string m_ = error_of([&] { call; });                                               \
        for (const char* part : {__VA_ARGS__})                                                        \
            QVERIFY2(m_.find(part) != std::string::npos, (m_ + "  [expected: " + part + "]").c_str()); \
    } while (false)

// A copy of a fixture model to edit, in a folder of its own.
std::string copy_model(const QTemporaryDir& tmp, const std::string& name) {
    static int copies = 0;
    const std::string dir = (tmp.path() + QString("/%1-").arg(++copies) + QString::fromStdString(name)).toStdString();
    fs::copy(fixture_models() + "/" + name, dir, fs::copy_options::recursive);
    return dir;
}

void edit_json(const std::string& path, const std::function<void(json&)>& edit) {
    json value = read_json<json>(path);
    edit(value);
    std::ofstream out(path, std::ios::trunc);
    out << value.dump(2);
}

void overwrite(const std::string& path, std::size_t offset, const std::string& bytes) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(std::streamoff(offset));
    f.write(bytes.data(), std::streamsize(bytes.size()));
}

}  // namespace

class TestEmbedModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void matchesSentenceTransformers_data() {
        QTest::addColumn<QString>("model");
        QTest::addColumn<int>("batch_size");
        for (const char* model : {"tiny-bert-cls", "tiny-mpnet-mean"})
            for (int batch : {0, 7, 1000})
                QTest::newRow(qPrintable(QString("%1 batch %2").arg(model).arg(batch))) << QString(model) << batch;
    }

    void matchesSentenceTransformers() {
        QFETCH(QString, model);
        QFETCH(int, batch_size);
        const std::string dir = fixture_models() + "/" + model.toStdString();
        distill::EmbedOptions options;
        options.device = "cpu";
        options.batch_size = batch_size;
        const auto golden = distill::read_npy(dir + "/golden_embeddings.npy");
        const auto got = distill::make_embedder(dir, options)->embed(sentences());
        QCOMPARE(got.rows, golden.rows);
        QCOMPARE(got.cols, golden.cols);
        const auto [worst, row] = worst_row(got, golden);
        QVERIFY2(worst >= 0.9999, qPrintable(QString("row %1: cosine %2").arg(row).arg(worst, 0, 'f', 7)));
        // 2_Normalize is in both fixtures: unit rows.
        for (std::size_t i = 0; i < got.rows; ++i) QVERIFY(std::abs(cosine(got.row(i), got.row(i)) - 1) < 1e-6);
        double norm = 0;
        for (float v : got.row(0)) norm += double(v) * v;
        QVERIFY(std::abs(norm - 1) < 1e-5);
    }

    void embedsNothingAndOneText() {
        const auto embedder = distill::make_embedder(fixture_models() + "/tiny-mpnet-mean");
        QCOMPARE(embedder->embed({}).rows, std::size_t(0));
        const auto texts = sentences();
        const auto one = embedder->embed({texts[3]});
        const auto golden = distill::read_npy(fixture_models() + "/tiny-mpnet-mean/golden_embeddings.npy");
        QVERIFY(cosine(one.row(0), golden.row(3)) >= 0.9999);
    }

    void stopsBetweenBatchesWhenCancelled() {
        // Cancels once the first batch is reported done.
        struct CancelAfterFirstBatch : distill::ProgressSink {
            std::uint64_t embedded = 0;
            void update(std::string_view stage, std::uint64_t done, std::uint64_t) override {
                if (stage == "embedding") embedded = done;
            }
            bool cancel_requested() const override { return embedded > 0; }
        } progress;
        distill::EmbedOptions options;
        options.batch_size = 10;
        const auto embedder = distill::make_embedder(fixture_models() + "/tiny-mpnet-mean", options);
        QVERIFY_THROWS_EXCEPTION(distill::Cancelled, embedder->embed(sentences(), &progress));
        QCOMPARE(progress.embedded, std::uint64_t(10));
    }

    void identityFollowsFileContents() {
        QTemporaryDir tmp;
        const std::string dir = copy_model(tmp, "tiny-bert-cls");
        const std::string before = distill::make_embedder(dir)->identity();
        QCOMPARE(distill::make_embedder(dir)->identity(), before);
        // Versions saved with the model do not change its vectors: the
        // embedding cache stays valid.
        edit_json(dir + "/config_sentence_transformers.json",
                  [](json& c) { c["__version__"]["sentence_transformers"] = "6.1.0"; });
        QCOMPARE(distill::make_embedder(dir)->identity(), before);
        QVERIFY(before != distill::make_embedder(fixture_models() + "/tiny-mpnet-mean")->identity());
        // Same names, same sizes, one weight byte changed: another model.
        overwrite(dir + "/model.safetensors", fs::file_size(dir + "/model.safetensors") - 3, "\x01");
        QVERIFY(distill::make_embedder(dir)->identity() != before);
    }

    // Checkpoints saved in half precision, and with the "bert." prefix a
    // pre-trained BertModel's state dict has: rewritten by numpy from the
    // fixture's float32 weights.
    void readsHalfPrecisionAndPrefixedCheckpoints_data() {
        QTest::addColumn<QString>("dtype");
        QTest::newRow("F16") << "F16";
        QTest::newRow("BF16") << "BF16";
    }

    void readsHalfPrecisionAndPrefixedCheckpoints() {
        QFETCH(QString, dtype);
        QTemporaryDir tmp;
        const std::string dir = copy_model(tmp, "tiny-bert-cls");
        const std::string weights = dir + "/model.safetensors";
        const char* script = R"PY(
import json, struct, sys
import numpy as np
path, dtype = sys.argv[1], sys.argv[2]
raw = open(path, "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
out, data, offset = {}, [], 0
for name, t in header.items():
    if name == "__metadata__":
        continue
    b, e = t["data_offsets"]
    x = np.frombuffer(raw[8 + n + b:8 + n + e], dtype=np.float32)
    if dtype == "F16":
        blob = x.astype(np.float16).tobytes()
    else:  # bfloat16: the high half of float32, rounded to nearest even
        bits = x.view(np.uint32).astype(np.uint64)
        blob = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16).tobytes()
    out["bert." + name] = {"dtype": dtype, "shape": t["shape"], "data_offsets": [offset, offset + len(blob)]}
    data.append(blob)
    offset += len(blob)
text = json.dumps(out).encode()
open(path, "wb").write(struct.pack("<Q", len(text)) + text + b"".join(data))
)PY";
        const std::string command = std::string(DISTILL_PYTHON) + " -c '" + script + "' " + weights + " " +
                                    dtype.toStdString();
        QCOMPARE(std::system(command.c_str()), 0);
        QCOMPARE(distill::SafetensorsFile(weights).find("bert.embeddings.word_embeddings.weight")->dtype,
                 dtype == "F16" ? distill::TensorDtype::F16 : distill::TensorDtype::BF16);
        const auto golden = distill::read_npy(dir + "/golden_embeddings.npy");
        const auto [worst, row] = worst_row(distill::make_embedder(dir)->embed(sentences()), golden);
        // Rounding the weights costs a little: bf16 keeps 8 bits of mantissa.
        QVERIFY2(worst >= (dtype == "F16" ? 0.9999 : 0.999),
                 qPrintable(QString("row %1: cosine %2").arg(row).arg(worst, 0, 'f', 7)));
    }

    void refusesIncompleteDirectories() {
        QTemporaryDir tmp;
        const std::string dir = copy_model(tmp, "tiny-bert-cls");
        fs::remove(dir + "/modules.json");
        VERIFY_MESSAGE(distill::make_embedder(dir), "modules.json", "is missing",
                       "sentence-transformers model directory");
        const std::string no_weights = copy_model(tmp, "tiny-mpnet-mean");
        fs::remove(no_weights + "/model.safetensors");
        VERIFY_MESSAGE(distill::make_embedder(no_weights), "model.safetensors", "is missing");
        const std::string no_pooling = copy_model(tmp, "tiny-mpnet-mean");
        edit_json(no_pooling + "/modules.json", [](json& m) { m.erase(1); });
        VERIFY_MESSAGE(distill::make_embedder(no_pooling), "modules.json", "no Pooling module");
    }

    void refusesUnsupportedModels() {
        QTemporaryDir tmp;
        const std::string roberta = copy_model(tmp, "tiny-bert-cls");
        edit_json(roberta + "/config.json", [](json& c) { c["model_type"] = "roberta"; });
        VERIFY_MESSAGE(distill::make_embedder(roberta), "config.json", "model_type", "roberta", "not supported");

        const std::string weighted = copy_model(tmp, "tiny-mpnet-mean");
        edit_json(weighted + "/1_Pooling/config.json", [](json& c) { c["pooling_mode"] = "weightedmean"; });
        VERIFY_MESSAGE(distill::make_embedder(weighted), "1_Pooling/config.json", "pooling_mode", "weightedmean");

        // The older format, one boolean per mode: two on at once is refused.
        const std::string two = copy_model(tmp, "tiny-mpnet-mean");
        edit_json(two + "/1_Pooling/config.json", [](json& c) {
            c.erase("pooling_mode");
            c["pooling_mode_mean_tokens"] = true;
            c["pooling_mode_max_tokens"] = true;
        });
        VERIFY_MESSAGE(distill::make_embedder(two), "1_Pooling/config.json", "several modes");

        const std::string dense = copy_model(tmp, "tiny-mpnet-mean");
        edit_json(dense + "/modules.json", [](json& m) {
            m.push_back(
                {{"idx", 3}, {"name", "3"}, {"path", "3_Dense"}, {"type", "sentence_transformers.models.Dense"}});
        });
        VERIFY_MESSAGE(distill::make_embedder(dense), "modules.json", "Dense", "does not run");

        const std::string act = copy_model(tmp, "tiny-bert-cls");
        edit_json(act + "/config.json", [](json& c) { c["hidden_act"] = "swiglu"; });
        VERIFY_MESSAGE(distill::make_embedder(act), "config.json", "hidden_act", "swiglu");
    }

    // Tokenizer settings that would make sentence-transformers feed other
    // ids than ours are refused, never followed halfway.
    void refusesTruncationWeDoNotDo() {
        QTemporaryDir tmp;
        const std::string left = copy_model(tmp, "tiny-bert-cls");
        edit_json(left + "/tokenizer_config.json", [](json& c) { c["truncation_side"] = "left"; });
        VERIFY_MESSAGE(distill::make_embedder(left), "tokenizer_config.json", "truncation_side");
        const std::string none = copy_model(tmp, "tiny-bert-cls");
        edit_json(none + "/sentence_bert_config.json",
                  [](json& c) { c["processing_kwargs"] = {{"text", {{"truncation", false}}}}; });
        VERIFY_MESSAGE(distill::make_embedder(none), "sentence_bert_config.json", "processing_kwargs.text.truncation");
        edit_json(none + "/sentence_bert_config.json",
                  [](json& c) { c["processing_kwargs"] = {{"text", {{"truncation", "longest_first"}}}}; });
        QVERIFY(distill::make_embedder(none)->embed({"a text"}).rows == 1);  // a strategy that truncates is fine
    }

    void oldPoolingFormatStillWorks() {
        QTemporaryDir tmp;
        const std::string dir = copy_model(tmp, "tiny-bert-cls");
        edit_json(dir + "/1_Pooling/config.json", [](json& c) {
            c.erase("pooling_mode");
            c["pooling_mode_cls_token"] = true;
            c["pooling_mode_mean_tokens"] = false;
        });
        edit_json(dir + "/modules.json", [](json& m) {  // sentence-transformers 2.x type names
            m[0]["type"] = "sentence_transformers.models.Transformer";
            m[1]["type"] = "sentence_transformers.models.Pooling";
            m[2]["type"] = "sentence_transformers.models.Normalize";
        });
        const auto golden = distill::read_npy(dir + "/golden_embeddings.npy");
        QVERIFY(worst_row(distill::make_embedder(dir)->embed(sentences()), golden).first >= 0.9999);
    }

    // The layout of older sentence-transformers versions: the Transformer
    // module's files in 0_Transformer/, which modules.json names.
    void readsTheTransformerFolderModulesJsonNames() {
        QTemporaryDir tmp;
        const std::string dir = copy_model(tmp, "tiny-bert-cls");
        fs::create_directory(dir + "/0_Transformer");
        for (const char* file : {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
                                 "sentence_bert_config.json"})
            fs::rename(dir + "/" + file, dir + "/0_Transformer/" + file);
        edit_json(dir + "/modules.json", [](json& m) { m[0]["path"] = "0_Transformer"; });
        const auto tokenizer = distill::WordPieceTokenizer::from_model_dir(dir);
        const auto golden_ids = read_jsonl<json>(dir + "/golden_tokens.jsonl");
        for (std::size_t i = 0; i < golden_ids.size(); ++i)
            QCOMPARE(tokenizer.encode(sentences()[i]), golden_ids[i]["input_ids"].get<std::vector<std::int32_t>>());
        const auto golden = distill::read_npy(dir + "/golden_embeddings.npy");
        QVERIFY(worst_row(distill::make_embedder(dir)->embed(sentences()), golden).first >= 0.9999);
    }

    // sentence-transformers 6 reads a Pooling config with no mode on, or
    // none named, as mean: tiny-mpnet-mean's golden vectors still come out.
    void poolingWithoutAModeIsMean() {
        QTemporaryDir tmp;
        const auto golden = distill::read_npy(fixture_models() + "/tiny-mpnet-mean/golden_embeddings.npy");
        const std::string all_off = copy_model(tmp, "tiny-mpnet-mean");
        edit_json(all_off + "/1_Pooling/config.json", [](json& c) {
            c = {{"word_embedding_dimension", 64}, {"pooling_mode_cls_token", false},
                 {"pooling_mode_mean_tokens", false}, {"pooling_mode_max_tokens", false}};
        });
        QVERIFY(worst_row(distill::make_embedder(all_off)->embed(sentences()), golden).first >= 0.9999);
        const std::string unnamed = copy_model(tmp, "tiny-mpnet-mean");
        edit_json(unnamed + "/1_Pooling/config.json", [](json& c) { c = {{"word_embedding_dimension", 64}}; });
        QVERIFY(worst_row(distill::make_embedder(unnamed)->embed(sentences()), golden).first >= 0.9999);
    }

    // A default prompt (config_sentence_transformers.json) goes before every
    // text, as SentenceTransformer.encode() puts it: the ids and vectors are
    // those of the prefixed texts in the model without one.
    void defaultPromptGoesBeforeEveryText() {
        QTemporaryDir tmp;
        const std::string base = fixture_models() + "/tiny-bert-cls";
        const std::string prompted = copy_model(tmp, "tiny-bert-cls");
        edit_json(prompted + "/config_sentence_transformers.json", [](json& c) {
            c["prompts"] = {{"query", "query: "}, {"document", ""}};
            c["default_prompt_name"] = "query";
        });
        std::vector<std::string> prefixed;
        for (const auto& text : sentences()) prefixed.push_back("query: " + text);
        const auto with_prompt = distill::WordPieceTokenizer::from_model_dir(prompted);
        const auto without = distill::WordPieceTokenizer::from_model_dir(base);
        for (std::size_t i = 0; i < prefixed.size(); ++i)
            QCOMPARE(with_prompt.encode(sentences()[i]), without.encode(prefixed[i]));
        QCOMPARE(with_prompt.prompt_tokens(), std::size_t(4));  // [CLS] q ##uery : (the fixture's tiny vocabulary)
        QCOMPARE(without.prompt_tokens(), std::size_t(0));

        const auto embedder = distill::make_embedder(prompted);
        QVERIFY(embedder->identity() != distill::make_embedder(base)->identity());
        const auto expected = distill::make_embedder(base)->embed(prefixed);
        QVERIFY(worst_row(embedder->embed(sentences()), expected).first >= 0.99999);

        // include_prompt false (INSTRUCTOR-style): the same ids, attended
        // to, but the prompt's tokens are not pooled, so other vectors.
        edit_json(prompted + "/1_Pooling/config.json", [](json& c) { c["pooling_mode"] = "mean"; });
        const auto pooled = distill::make_embedder(prompted)->embed(sentences());
        edit_json(prompted + "/1_Pooling/config.json", [](json& c) { c["include_prompt"] = false; });
        const auto unpooled_embedder = distill::make_embedder(prompted);
        const auto unpooled = unpooled_embedder->embed(sentences());
        QVERIFY(unpooled_embedder->identity() != distill::make_embedder(base)->identity());
        QVERIFY(worst_row(unpooled, pooled).first < 0.999);

        edit_json(prompted + "/config_sentence_transformers.json",
                  [](json& c) { c["default_prompt_name"] = "passage"; });
        VERIFY_MESSAGE(distill::make_embedder(prompted), "config_sentence_transformers.json", "\"passage\"",
                       "default_prompt_name");
    }

    void refusesWeightsThatDoNotFitTheConfig() {
        QTemporaryDir tmp;
        const std::string deeper = copy_model(tmp, "tiny-bert-cls");
        edit_json(deeper + "/config.json", [](json& c) { c["num_hidden_layers"] = 3; });
        VERIFY_MESSAGE(distill::make_embedder(deeper)->embed(sentences()), "model.safetensors", "has no weight",
                       "encoder.layer.2.attention.self.query.weight");
        const std::string wider = copy_model(tmp, "tiny-mpnet-mean");
        edit_json(wider + "/config.json", [](json& c) { c["intermediate_size"] = 256; });
        VERIFY_MESSAGE(distill::make_embedder(wider)->embed(sentences()), "model.safetensors",
                       "intermediate.dense.weight", "has shape [128, 64]", "[256, 64]");
    }

    void refusesCorruptSafetensors() {
        QTemporaryDir tmp;
        const std::string dir = copy_model(tmp, "tiny-bert-cls");
        const std::string path = dir + "/model.safetensors";
        const auto size = fs::file_size(path);
        QVERIFY(distill::SafetensorsFile(path).tensors().size() > 10);

        // A truncated download: the last tensors' ranges run past the end.
        fs::resize_file(path, size / 2);
        VERIFY_MESSAGE(distill::SafetensorsFile{path}, "model.safetensors", "outside the", "truncated");
        // The weights are read at the first embed: the identity, all that a
        // run with cached vectors needs, comes from the files' contents.
        const auto embedder = distill::make_embedder(dir);
        QVERIFY(embedder->identity() != distill::make_embedder(fixture_models() + "/tiny-bert-cls")->identity());
        VERIFY_MESSAGE(embedder->embed(sentences()), "model.safetensors", "outside the");

        // A header length larger than the file.
        fs::remove(path);
        fs::copy_file(fixture_models() + "/tiny-bert-cls/model.safetensors", path);
        overwrite(path, 0, std::string("\xff\xff\xff\x00\x00\x00\x00\x00", 8));
        VERIFY_MESSAGE(distill::SafetensorsFile{path}, "model.safetensors", "header");

        // A header that is not JSON.
        fs::remove(path);
        fs::copy_file(fixture_models() + "/tiny-bert-cls/model.safetensors", path);
        overwrite(path, 8, "#");
        VERIFY_MESSAGE(distill::SafetensorsFile{path}, "model.safetensors", "not valid JSON");

        // Fewer bytes than even the header length.
        fs::resize_file(path, 5);
        VERIFY_MESSAGE(distill::SafetensorsFile{path}, "model.safetensors", "fewer than");
        VERIFY_MESSAGE(distill::SafetensorsFile{dir + "/absent.safetensors"}, "absent.safetensors", "cannot open");
    }

    void checksEveryTensorsByteRange() {
        QTemporaryDir tmp;
        const auto write = [&](const std::string& header, std::size_t data_bytes) {
            const std::string path = (tmp.path() + "/t.safetensors").toStdString();
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            const std::uint64_t n = header.size();
            out.write(reinterpret_cast<const char*>(&n), 8);
            out << header << std::string(data_bytes, '\0');
            return path;
        };
        const auto ok = distill::SafetensorsFile(write(
            R"({"__metadata__":{"format":"pt"},"a":{"dtype":"F16","shape":[2,3],"data_offsets":[0,12]},)"
            R"("b":{"dtype":"I64","shape":[1],"data_offsets":[12,20]}})", 20));
        QCOMPARE(ok.find("a")->shape, (std::vector<std::int64_t>{2, 3}));
        QCOMPARE(ok.find("a")->dtype, distill::TensorDtype::F16);
        QCOMPARE(ok.find("b")->bytes.size(), std::size_t(8));
        VERIFY_MESSAGE(distill::SafetensorsFile{write(R"({"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,12]}})", 12)},
                       "tensor \"a\" has 12 bytes but its shape and dtype need 24");
        VERIFY_MESSAGE(distill::SafetensorsFile{write(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                                                      R"("b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}})", 6)},
                       "overlapping");
        VERIFY_MESSAGE(distill::SafetensorsFile{write(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}})", 9)},
                       "5 bytes after the last tensor");
        VERIFY_MESSAGE(distill::SafetensorsFile{write(R"({"a":{"dtype":"Q4","shape":[1],"data_offsets":[0,4]}})", 4)},
                       "unknown dtype \"Q4\"");
        VERIFY_MESSAGE(distill::SafetensorsFile{write(R"({"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", 4)},
                       "not a non-negative integer");
        VERIFY_MESSAGE(distill::SafetensorsFile{write(R"([1, 2])", 0)}, "not a JSON object");
    }

    void refusesDevicesThatAreNotThere() {
        distill::EmbedOptions half;
        half.device = "cpu";
        half.dtype = "fp16";
        VERIFY_MESSAGE(distill::make_embedder(fixture_models() + "/tiny-bert-cls", half), "--dtype fp16", "CUDA");
        if (distill::compute_info().cuda_devices > 0) QSKIP("this machine has a CUDA device");
        distill::EmbedOptions cuda;
        cuda.device = "cuda";
        VERIFY_MESSAGE(distill::make_embedder(fixture_models() + "/tiny-bert-cls", cuda), "--device cuda",
                       "no CUDA device", "--device cpu");
    }

    void refusesImportedVectorsOfAnotherShape() {
        QTemporaryDir tmp;
        // A 1-D float32 array, as np.save writes it: a vector, not one row per question.
        const std::string path = (tmp.path() + "/flat.npy").toStdString();
        const std::string command = std::string(DISTILL_PYTHON) +
                                    " -c 'import sys, numpy as np; np.save(sys.argv[1], np.zeros(4, np.float32))' " + path;
        QCOMPARE(std::system(command.c_str()), 0);
        VERIFY_MESSAGE(distill::make_embedder("npy:" + path)->embed({"a", "b", "c", "d"}), "flat.npy", "2-D");
    }
};

QTEST_GUILESS_MAIN(TestEmbedModel)
#include "test_embed_model.moc"
