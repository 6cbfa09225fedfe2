"""CLIP tokenizer oracle: transformers' CLIPTokenizer and the engine's tokenizer load the same
vocab.json + merges.txt (a byte-level BPE learned here on a small corpus, as CLIP's is) and must give
identical padded ids on prompts with punctuation, unicode, emoji, numbers and over-long text, for the
SD 1.x (pad <|endoftext|>) and SD 2.x (pad '!') tokenizer configs; special tokens declared
`normalized: true` (in tokenizer_config.json, or in tokenizer.json's added_tokens as transformers 5
saves them) match in any case, as transformers 5 matches them, and plain ones only as written."""
import collections
import json
import os
import random
import subprocess
from pathlib import Path

import pytest
from transformers import CLIPTokenizer

REPO = Path(__file__).resolve().parents[3]

TRAIN = """a photograph of an astronaut riding a horse on the moon, highly detailed, 8k
portrait of a woman with red hair, oil painting by greg rutkowski, trending on artstation
the quick brown fox jumps over the lazy dog; it's a beautiful day in the neighborhood!
cyberpunk city at night with neon lights and rain, cinematic lighting, 35mm film
café crème brûlée, naïve façade, über straße, 東京の夜景, 猫と犬, 🐱 cat emoji 🚀 rocket
""" * 3

CORPUS = [
    "a photograph of an astronaut riding a horse",
    "A PHOTOGRAPH Of An Astronaut, Riding A Horse!!!",
    "",
    "   leading and trailing spaces   ",
    "tabs\tand\nnew\r\nlines  and   runs",
    "it's, they're, we've, I'm, you'll, he'd, DON'T, can’t",
    "numbers 1234567890 and 3.14159 and 1,000,000 and 8k 4K 35mm",
    "punctuation: !!! ??? ... --- ;;; (brackets) [square] {curly} <angle> @#$%^&*",
    "café crème brûlée naïve façade über straße",
    "cafe\u0301 decomposed e\u0301 accents",
    "東京の夜景 猫と犬 中文提示词 한국어 プロンプト",
    "emoji 🐱🚀👍🏽 👨‍👩‍👧 flags 🇫🇷 and ❤️",
    "greek αβγ ΑΒΓ cyrillic Привет мир arabic مرحبا",
    "special <|startoftext|> inside <|endoftext|> text",
    "x<|endoftext|>y and <|ENDOFTEXT|> and <|endoftext|  and !!<|endoftext|>!!",
    "zero\u200bwidth and non\u00a0breaking and ideographic\u3000space",
    "control\x07chars\x00and\ufffdreplacement",
    "İstanbul ǅemal ß ẞ ﬁ ligature ΟΔΟΣ",
    "zwj a\u200db, line\u2028separator, vertical\x0btab, nel\x85, unit\x1fsep",
    "Ａ full-width ＡＢＣ１２３ 東京タワー and 北京",
    " ".join(["a long prompt that goes on and on"] * 20),
    "x" * 300,
    "1" * 120,
]


def pairs(word):
    return [(word[i], word[i + 1]) for i in range(len(word) - 1)]


def byte_alphabet():
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table, n = {}, 0
    for b in range(256):
        if b in printable:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + n)
            n += 1
    return table


def train_bpe(text, num_merges):
    """A plain BPE learner over CLIP-style words (byte-level chars, `</w>` on the last symbol)."""
    import regex

    alphabet = byte_alphabet()
    pattern = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+""", regex.IGNORECASE)
    words = collections.Counter()
    for piece in pattern.findall(text.lower()):
        chars = [alphabet[b] for b in piece.encode("utf-8")]
        words[tuple(chars[:-1] + [chars[-1] + "</w>"])] += 1
    merges = []
    for _ in range(num_merges):
        counts = collections.Counter()
        for word, freq in words.items():
            for p in pairs(word):
                counts[p] += freq
        if not counts:
            break
        best = max(sorted(counts), key=lambda p: counts[p])
        merges.append(best)
        merged = collections.Counter()
        for word, freq in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(word[i] + word[i + 1])
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            merged[tuple(out)] += freq
        words = merged
    alphabet_chars = list(alphabet.values())
    tokens = alphabet_chars + [c + "</w>" for c in alphabet_chars] + [a + b for a, b in merges]
    vocab = {}
    for t in tokens:
        vocab.setdefault(t, len(vocab))
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    return vocab, merges


def write_tokenizer(folder, vocab, merges, pad):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False))
    lines = ["#version: 0.2"] + [f"{a} {b}" for a, b in merges]
    (folder / "merges.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    special = {"content": "<|endoftext|>", "lstrip": False, "normalized": True, "rstrip": False, "single_word": False}
    config = {"model_max_length": 77, "bos_token": {**special, "content": "<|startoftext|>"}, "eos_token": special, "unk_token": special, "pad_token": special if pad == "<|endoftext|>" else pad, "do_lower_case": True, "tokenizer_class": "CLIPTokenizer"}
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    (folder / "special_tokens_map.json").write_text(json.dumps({"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>", "unk_token": "<|endoftext|>", "pad_token": pad}))


def engine_ids(folder, corpus_file):
    tsx = REPO / "node_modules" / ".bin" / ("tsx.cmd" if os.name == "nt" else "tsx")
    done = subprocess.run([str(tsx), "tests/oracle/sd_tokenizer/encode.ts", str(folder), str(corpus_file)], cwd=REPO, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"encode.ts failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


@pytest.mark.parametrize("pad", ["<|endoftext|>", "!"])
def test_clip_tokenizer_ids_match_transformers(tmp_path, pad):
    vocab, merges = train_bpe(TRAIN, 400)
    folder = tmp_path / "tokenizer"
    write_tokenizer(folder, vocab, merges, pad)
    corpus_file = tmp_path / "corpus.json"
    corpus_file.write_text(json.dumps(CORPUS, ensure_ascii=False))
    tokenizer = CLIPTokenizer.from_pretrained(str(folder))
    reference = tokenizer(CORPUS, padding="max_length", max_length=77, truncation=True).input_ids
    engine = engine_ids(folder, corpus_file)
    ours = [e["ids"] for e in engine]
    assert len(merges) > 150
    for text, want, got in zip(CORPUS, reference, ours):
        assert got == want, f"prompt {text[:60]!r}: engine {got[:20]}... != transformers {want[:20]}..."
    for want, got in zip(reference, engine):
        assert got["text"] == tokenizer.decode(want, skip_special_tokens=True)
    pad_id = vocab[pad]
    assert reference[0][-1] == pad_id


FUZZ_POOL = list(" \t\n\r\x0b\x0c\x85\xa0\u2000\u3000\u200b\u200d\ufeff\u2028") + list("abcXYZ'!?.,-_<|>0123456789") + ["'s", "'T", "<|endoftext|>", "<|startoftext|>", "!"] + [chr(c) for c in [
    0x00, 0x07, 0x1F, 0x7F, 0xAD, 0x300, 0x301, 0x345, 0x130, 0x131, 0x1C5, 0x3A3, 0xDF, 0x1E9E, 0xFB01, 0x2126, 0x212A, 0x4E00, 0x3042, 0xAC00,
    0x1F600, 0x1F3FD, 0xFE0F, 0x10400, 0xFFFD, 0x2160, 0xBD, 0x2460, 0x661, 0x0E01, 0x0E48]]


def test_clip_tokenizer_matches_transformers_on_fuzzed_unicode(tmp_path):
    rng = random.Random(0)
    corpus = ["".join(rng.choice(FUZZ_POOL) for _ in range(rng.randint(0, 40))) for _ in range(1500)]
    vocab, merges = train_bpe(TRAIN, 400)
    folder = tmp_path / "tokenizer"
    write_tokenizer(folder, vocab, merges, "!")
    corpus_file = tmp_path / "corpus.json"
    corpus_file.write_text(json.dumps(corpus, ensure_ascii=False))
    reference = CLIPTokenizer.from_pretrained(str(folder))(corpus, padding="max_length", max_length=77, truncation=True).input_ids
    ours = [e["ids"] for e in engine_ids(folder, corpus_file)]
    bad = [text for text, want, got in zip(corpus, reference, ours) if want != got]
    assert not bad, f"{len(bad)} fuzzed prompts differ, e.g. {bad[0]!r}"


CASES_SPECIAL = ["a <|ENDOFTEXT|> b <|StartOfText|> c <|endoftext|>", "<|STARTOFTEXT|>x", "x<|EndOfText|>y", "<|startoftext|> plain",
                 "<|ENDOFTEXT |> near miss", "UPPER Case Words <|endoftext|>"]


@pytest.mark.parametrize("normalized", [True, False])
@pytest.mark.parametrize("saved_as", ["tokenizer_config", "tokenizer_json", "sd15_special_tokens_map"])
def test_special_token_normalized_flag_is_read(tmp_path, normalized, saved_as):
    vocab, merges = train_bpe(TRAIN, 200)
    folder = tmp_path / "tokenizer"
    write_tokenizer(folder, vocab, merges, "<|endoftext|>")
    config = json.loads((folder / "tokenizer_config.json").read_text())
    for role in ("bos_token", "eos_token", "unk_token", "pad_token"):
        config[role] = {**config[role], "normalized": normalized, "__type": "AddedToken"} if isinstance(config[role], dict) else config[role]
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    (folder / "special_tokens_map.json").unlink()
    if saved_as == "sd15_special_tokens_map":
        # as openai/clip-vit-large-patch14 ships it: role objects, but pad as a plain string (same content as eos)
        roles = {r: config[r] for r in ("bos_token", "eos_token", "unk_token")}
        (folder / "special_tokens_map.json").write_text(json.dumps({**roles, "pad_token": "<|endoftext|>"}))
    tokenizer = CLIPTokenizer.from_pretrained(str(folder))
    if saved_as == "tokenizer_json":
        folder = tmp_path / "saved"
        tokenizer.save_pretrained(str(folder))
        assert not (folder / "vocab.json").exists() and (folder / "tokenizer.json").exists()
        tokenizer = CLIPTokenizer.from_pretrained(str(folder))
    reference = tokenizer(CASES_SPECIAL, padding="max_length", max_length=77, truncation=True).input_ids
    corpus_file = tmp_path / "corpus.json"
    corpus_file.write_text(json.dumps(CASES_SPECIAL))
    ours = [e["ids"] for e in engine_ids(folder, corpus_file)]
    eos = vocab["<|endoftext|>"]
    if saved_as != "sd15_special_tokens_map":
        assert (reference[0][2] == eos) == normalized, "the case must tell normalized from plain special tokens"
    for text, want, got in zip(CASES_SPECIAL, reference, ours):
        assert got == want, f"prompt {text!r} (normalized={normalized}, {saved_as}): engine {got[:20]} != transformers {want[:20]}"
