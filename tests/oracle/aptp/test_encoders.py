"""The sentence-transformers prompt encoder against sentence-transformers itself: tiny BERT and MPNet
models with seeded random weights and a small WordPiece vocabulary are saved as sentence-transformers
folders (mean pooling + Normalize, and CLS pooling without it); the engine (encode-sentences.ts)
tokenizes and encodes the same captions. Token ids must equal the Hugging Face tokenizer's and
embeddings match SentenceTransformer.encode to 1e-4 (float32). Folders the engine cannot run are
refused naming what they are."""
import json
import shutil

import numpy as np
import pytest
import torch
from transformers import BertConfig, BertModel, BertTokenizerFast, MPNetConfig, MPNetModel, MPNetTokenizerFast
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

from conftest import CACHE, assert_close, run_ts

WORDS = ["a", "red", "fox", "in", "snow", "##s", "the", "cat", ",", ".", "!", "photo", "of", "##x", "dog", "cafe", "über",
         "two", "people", "sign", "says", "open", "painting", "##ing", "street", "night", "中", "文", "-", "'"]
CAPTIONS = [
    "A red fox in the snow!",
    "two people, a sign that says OPEN",
    "Painting of a café street at night",
    "the cats' photo",
    "über-dogs 中文 and words the vocabulary lacks",
    " ".join(["a red fox"] * 30),  # longer than the maximum length: truncated
    "dog",
]


def bert_folder(folder, pooling, normalize):
    vocab = {w: i for i, w in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + WORDS)}
    tok = BertTokenizerFast(vocab=vocab)
    torch.manual_seed(1)
    model = BertModel(BertConfig(vocab_size=len(vocab), hidden_size=24, num_hidden_layers=2, num_attention_heads=3,
                                 intermediate_size=40, max_position_embeddings=64, layer_norm_eps=1e-12))
    return save(folder, model, tok, pooling, normalize, 40)


def mpnet_folder(folder, pooling, normalize):
    vocab = {w: i for i, w in enumerate(["<s>", "<pad>", "</s>", "<unk>", "[UNK]", "<mask>"] + WORDS)}
    tok = MPNetTokenizerFast(vocab=vocab)
    torch.manual_seed(2)
    model = MPNetModel(MPNetConfig(vocab_size=len(vocab), hidden_size=24, num_hidden_layers=2, num_attention_heads=4,
                                   intermediate_size=40, max_position_embeddings=90))
    return save(folder, model, tok, pooling, normalize, 80)


def save(folder, model, tok, pooling, normalize, max_len):
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))  # LayerNorm biases and attention biases non-trivial
    hf = folder / "hf"
    model.save_pretrained(hf)
    tok.save_pretrained(hf)
    modules = [Transformer(str(hf), max_seq_length=max_len), Pooling(model.config.hidden_size, pooling)]
    if normalize:
        modules.append(Normalize())
    st = SentenceTransformer(modules=modules)
    st.save(str(folder / "model"))
    return st, tok


MODELS = {
    "bert_mean_norm": lambda f: bert_folder(f, "mean", True),
    "bert_cls": lambda f: bert_folder(f, "cls", False),
    "mpnet_mean_norm": lambda f: mpnet_folder(f, "mean", True),
}


@pytest.fixture(scope="module")
def encoded():
    root = CACHE / "aptp_encoders"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "captions.json").write_text(json.dumps(CAPTIONS))
    refs = {}
    for name, make in MODELS.items():
        st, tok = make(root / name)
        st.eval()
        refs[name] = (st.encode(CAPTIONS, convert_to_numpy=True, batch_size=3), tok, st.max_seq_length)
    # a plain transformers model (no modules.json) and a sentence model with a Dense head: refused
    shutil.copytree(root / "bert_cls" / "hf", root / "plain" / "model")
    shutil.copytree(root / "bert_cls" / "model", root / "dense" / "model")
    modules = json.loads((root / "dense" / "model" / "modules.json").read_text())
    modules.append({"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"})
    (root / "dense" / "model" / "modules.json").write_text(json.dumps(modules))
    (root / "models.json").write_text(json.dumps([*MODELS, "plain", "dense"]))
    run_ts("encode-sentences.ts", "--dir", root, folder="aptp")
    return root, refs


@pytest.mark.parametrize("name", list(MODELS))
def test_token_ids_match_hugging_face(encoded, name):
    root, refs = encoded
    engine = json.loads((root / name / "engine.json").read_text())
    assert "error" not in engine, engine.get("error")
    _, tok, max_len = refs[name]
    expected = tok(CAPTIONS, truncation=True, max_length=max_len)["input_ids"]
    assert engine["ids"] == expected
    assert engine["truncated"] == 1


@pytest.mark.parametrize("name", list(MODELS))
def test_embeddings_match_sentence_transformers(encoded, name):
    root, refs = encoded
    ours = np.load(root / name / "engine.npy")
    assert_close(ours, refs[name][0], 1e-4, f"{name}/embeddings")


def test_unusable_folders_are_refused_naming_what_they_are(encoded):
    root, _ = encoded
    plain = json.loads((root / "plain" / "engine.json").read_text())
    assert "plain transformers model" in plain["error"]
    dense = json.loads((root / "dense" / "engine.json").read_text())
    assert "Dense" in dense["error"]
