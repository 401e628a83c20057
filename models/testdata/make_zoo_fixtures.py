#!/usr/bin/python3
"""Writes the golden fixtures of the zoo's models that the shared PyTorch reference
(../shared/reference/torch_rnnsearch.py) does not have, in its `dump-grads` format.

Run from the repository root with Debian's interpreter (python3-torch 1.13, numpy):

    /usr/bin/python3 models/testdata/make_zoo_fixtures.py            # every fixture below
    /usr/bin/python3 models/testdata/make_zoo_fixtures.py tiny_cgru  # one of them

Each model here is an independent PyTorch statement of the equations in its C++
header (models/cgru.h, ...), with the C++ parameter names and shapes. Parameters
are drawn in float32 (every one ~ N(0, 0.3²), as the reference's --init test, so
that every gradient is exercised) and stored as they are; the loss, the
intermediates and every gradient are computed in float64 from those values and
stored as float32. Greedy and beam-3 search follow the reference README's rules.
Keys (read by models/golden.cc): config/NAME for each ModelConfig field used
(config/kind among them), batch/{src,tgt} (+ masks), param/NAME, grad/NAME, loss,
grad_norm, fwd/{logits,nll,alpha,s0,annotations}, decode/{greedy,beam3,beam3_score}.
"""

import sys

import numpy as np
import torch
import torch.nn.functional as F

PAD, EOS, FIRST_WORD = 0, 1, 2
# ModelConfig's enums (models/model_config.proto).
KIND = {"CGRU": 3, "LUONG": 4}
CELL = {"LSTM": 0, "GRU": 1}
SCORE = {"GENERAL": 0, "DOT": 1, "CONCAT": 2}
MAX_LEN_FACTOR = 2.0


# --------------------------------------------------------------------------- parameters


class Params:
    """Named parameters in registration order, drawn in float32 and used in float64."""

    def __init__(self, seed):
        self.generator = torch.Generator().manual_seed(seed)
        self.f32 = {}
        self.f64 = {}

    def add(self, name, *shape):
        value = (torch.randn(*shape, generator=self.generator, dtype=torch.float32) * 0.3).contiguous()
        self.f32[name] = value
        self.f64[name] = value.double().requires_grad_(True)
        return self.f64[name]

    def __getitem__(self, name):
        return self.f64[name]


def add_gru(p, prefix, n_in, n, n_ctx=0):
    for gate in ("W_z", "W_r", "W"):
        p.add(f"{prefix}.{gate}", n, n_in)
    for gate in ("U_z", "U_r", "U"):
        p.add(f"{prefix}.{gate}", n, n)
    for gate in ("C_z", "C_r", "C") if n_ctx else ():
        p.add(f"{prefix}.{gate}", n, n_ctx)
    for gate in ("b_z", "b_r", "b"):
        p.add(f"{prefix}.{gate}", n)


def gru_step(p, prefix, x, h, real=None, ctx=None):
    """The paper's GRU (reset before U, models/layers/gru.h), with the context input C ctx when
    given; a row with real == False keeps h."""

    def outside(w, c):  # W x + C ctx + b: every term but the recurrent one
        pre = F.linear(x, p[f"{prefix}.{w}"], p[f"{prefix}.{'b' + w[1:]}"])
        return pre if ctx is None else pre + F.linear(ctx, p[f"{prefix}.{c}"])

    z = torch.sigmoid(outside("W_z", "C_z") + F.linear(h, p[f"{prefix}.U_z"]))
    r = torch.sigmoid(outside("W_r", "C_r") + F.linear(h, p[f"{prefix}.U_r"]))
    h_tilde = torch.tanh(outside("W", "C") + F.linear(r * h, p[f"{prefix}.U"]))
    h_next = (1 - z) * h + z * h_tilde
    return h_next if real is None else torch.where(real[:, None], h_next, h)


def add_lstm(p, prefix, n_in, n, n_ctx=0):
    for gate in "ifoc":
        p.add(f"{prefix}.W_{gate}", n, n_in)
    for gate in "ifoc":
        p.add(f"{prefix}.U_{gate}", n, n)
    for gate in "ifoc" if n_ctx else "":
        p.add(f"{prefix}.C_{gate}", n, n_ctx)
    for gate in "ifoc":
        p.add(f"{prefix}.b_{gate}", n)


def lstm_step(p, prefix, x, state, real=None, ctx=None):
    """models/layers/lstm.h: i, f, o = σ(...), c̃ = tanh(...), c' = f c + i c̃, h' = o tanh c'; state = (h, c)."""
    h, c = state

    def pre(gate):
        a = F.linear(x, p[f"{prefix}.W_{gate}"], p[f"{prefix}.b_{gate}"]) + F.linear(h, p[f"{prefix}.U_{gate}"])
        return a if ctx is None else a + F.linear(ctx, p[f"{prefix}.C_{gate}"])

    i, f, o, c_tilde = torch.sigmoid(pre("i")), torch.sigmoid(pre("f")), torch.sigmoid(pre("o")), torch.tanh(pre("c"))
    c_next = f * c + i * c_tilde
    h_next = o * torch.tanh(c_next)
    if real is None:
        return h_next, c_next
    return torch.where(real[:, None], h_next, h), torch.where(real[:, None], c_next, c)


def run_gru(p, prefix, x, real, n, reverse=False):
    """Every state (B, T, n) from h_0 = 0; padded positions keep the state."""
    h = x.new_zeros(x.shape[0], n)
    states = [None] * x.shape[1]
    for t in reversed(range(x.shape[1])) if reverse else range(x.shape[1]):
        h = gru_step(p, prefix, x[:, t], h, real[:, t])
        states[t] = h
    return torch.stack(states, dim=1)


def additive_attention(p, prefix, query, annotations, keys, src_real):
    """e_ij = v_aᵀ tanh(W_a q + U_a h_j + b_a), softmax over real positions, c = Σ α h."""
    e = torch.tanh(keys + F.linear(query, p[f"{prefix}.W_a"])[:, None, :]) @ p[f"{prefix}.v_a"]
    alpha = torch.softmax(e.masked_fill(~src_real, float("-inf")), dim=1)
    return (alpha[:, :, None] * annotations).sum(dim=1), alpha


def select(state, rows):
    """The state's rows `rows`: every tensor in it, however nested in dicts, lists and tuples."""
    if isinstance(state, dict):
        return {key: select(value, rows) for key, value in state.items()}
    if isinstance(state, (list, tuple)):
        return type(state)(select(value, rows) for value in state)
    return state if state is None else state[rows]


# --------------------------------------------------------------------------- models


class CGru:
    """models/cgru.h: RNNsearch's encoder, s_0 = tanh(W_init mean h + b_init), GRU → attention → GRU,
    t = tanh(U_o s_i + V_o E y_{i−1} + C_o c_i + b_o) (m units), p = softmax(W_o t + b_y)."""

    def __init__(self, cfg, seed):
        self.cfg = cfg
        K_x, K_y, m, n, na = cfg["src_vocab"], cfg["tgt_vocab"], cfg["m"], cfg["n"], cfg["n_align"]
        p = self.p = Params(seed)
        p.add("src_embedding", K_x, m)
        add_gru(p, "enc_fwd", m, n)
        add_gru(p, "enc_bwd", m, n)
        p.add("init.W_init", n, 2 * n)
        p.add("init.b_init", n)
        p.add("tgt_embedding", K_y, m)
        add_gru(p, "dec.gru1", m, n)
        p.add("dec.attention.W_a", na, n)
        p.add("dec.attention.U_a", na, 2 * n)
        p.add("dec.attention.b_a", na)
        p.add("dec.attention.v_a", na)
        add_gru(p, "dec.gru2", 2 * n, n)
        p.add("readout.U_o", m, n)
        p.add("readout.V_o", m, m)
        p.add("readout.C_o", m, 2 * n)
        p.add("readout.b_o", m)
        p.add("readout.W_o", K_y, m)
        p.add("readout.b_y", K_y)

    def encode(self, src, src_real):
        p, n = self.p, self.cfg["n"]
        x = F.embedding(src, p["src_embedding"])
        h = torch.cat([run_gru(p, "enc_fwd", x, src_real, n), run_gru(p, "enc_bwd", x, src_real, n, True)], -1)
        mask = src_real.double()
        mean = (h * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        s0 = torch.tanh(F.linear(mean, p["init.W_init"], p["init.b_init"]))
        keys = F.linear(h, p["dec.attention.U_a"], p["dec.attention.b_a"])
        return {"s": s0, "annotations": h, "keys": keys, "src_real": src_real}

    def step(self, state, y_prev):
        """(logits (B, K_y), α (B, Tx), next state) from the state and E y_{i−1} (B, m)."""
        p = self.p
        s_tilde = gru_step(p, "dec.gru1", y_prev, state["s"])
        c, alpha = additive_attention(p, "dec.attention", s_tilde, state["annotations"], state["keys"],
                                      state["src_real"])
        s = gru_step(p, "dec.gru2", c, s_tilde)
        t = torch.tanh(F.linear(s, p["readout.U_o"], p["readout.b_o"]) + F.linear(y_prev, p["readout.V_o"]) +
                       F.linear(c, p["readout.C_o"]))
        return F.linear(t, p["readout.W_o"], p["readout.b_y"]), alpha, {**state, "s": s}

    def intermediates(self, state):
        return {"s0": state["s"], "annotations": state["annotations"]}


class Luong:
    """models/luong.h: stacked LSTM (or GRU) encoder and decoder, left to right; each decoder layer starts
    from its encoder layer's last state; x_t = [E y_{t−1}; h̃_{t−1}] (input feeding, h̃_0 = 0); global
    attention from the top h_t (dot, general, concat); h̃_t = tanh(W_c [c_t; h_t] + b_c); p = softmax(W_s h̃_t + b_s)."""

    def __init__(self, cfg, seed):
        self.cfg = cfg
        K_x, K_y, m, n, na = cfg["src_vocab"], cfg["tgt_vocab"], cfg["m"], cfg["n"], cfg.get("n_align", 0)
        self.lstm = cfg["rnn_cell"] == CELL["LSTM"]
        self.score = cfg["attention_score"]
        self.depth = max(cfg["layers"], 1)
        self.feeding = bool(cfg["input_feeding"])
        add = add_lstm if self.lstm else add_gru
        p = self.p = Params(seed)
        p.add("src_embedding", K_x, m)
        for k in range(self.depth):
            add(p, f"enc{k + 1}", m if k == 0 else n, n)
        p.add("tgt_embedding", K_y, m)
        for k in range(self.depth):
            add(p, f"dec{k + 1}", m if k == 0 else n, n, n if k == 0 and self.feeding else 0)
        if self.score == SCORE["GENERAL"]:
            p.add("attention.W_a", n, n)
        if self.score == SCORE["CONCAT"]:
            p.add("attention.W_a", na, n)
            p.add("attention.U_a", na, n)
            p.add("attention.b_a", na)
            p.add("attention.v_a", na)
        p.add("attention.W_c", n, 2 * n)
        p.add("attention.b_c", n)
        p.add("output.W_s", K_y, n)
        p.add("output.b_s", K_y)

    def cell(self, prefix, x, state, real=None, ctx=None):
        return (lstm_step if self.lstm else gru_step)(self.p, prefix, x, state, real, ctx)

    def top(self, state):
        return state[0] if self.lstm else state

    def encode(self, src, src_real):
        p, n = self.p, self.cfg["n"]
        x = F.embedding(src, p["src_embedding"])
        finals = []
        for k in range(self.depth):
            state = (x.new_zeros(x.shape[0], n), x.new_zeros(x.shape[0], n)) if self.lstm else x.new_zeros(x.shape[0], n)
            hs = []
            for t in range(x.shape[1]):  # padded positions keep the state
                state = self.cell(f"enc{k + 1}", x[:, t], state, src_real[:, t])
                hs.append(self.top(state))
            finals.append(state)
            x = torch.stack(hs, dim=1)
        if self.score == SCORE["DOT"]:
            keys = x
        elif self.score == SCORE["GENERAL"]:
            keys = F.linear(x, p["attention.W_a"])  # W_a h̄_s
        else:
            keys = F.linear(x, p["attention.U_a"], p["attention.b_a"])
        return {"layers": finals, "feed": None, "annotations": x, "keys": keys, "src_real": src_real}

    def step(self, state, y_prev):
        p = self.p
        layers, h = [], None
        for k, layer in enumerate(state["layers"]):
            x = y_prev if k == 0 else h
            ctx = state["feed"] if k == 0 and self.feeding and state["feed"] is not None else None
            if k == 0 and self.feeding and ctx is None:
                ctx = torch.zeros_like(y_prev[:, :1]).expand(-1, self.cfg["n"])  # h̃_0 = 0
            layer = self.cell(f"dec{k + 1}", x, layer, None, ctx)
            layers.append(layer)
            h = self.top(layer)
        keys, annotations = state["keys"], state["annotations"]
        if self.score == SCORE["CONCAT"]:
            e = torch.tanh(keys + F.linear(h, p["attention.W_a"])[:, None, :]) @ p["attention.v_a"]
        else:
            e = (keys @ h[:, :, None])[:, :, 0]
        alpha = torch.softmax(e.masked_fill(~state["src_real"], float("-inf")), dim=1)
        c = (alpha[:, :, None] * annotations).sum(dim=1)
        h_tilde = torch.tanh(F.linear(torch.cat([c, h], dim=1), p["attention.W_c"], p["attention.b_c"]))
        logits = F.linear(h_tilde, p["output.W_s"], p["output.b_s"])
        return logits, alpha, {**state, "layers": layers, "feed": h_tilde if self.feeding else None}

    def intermediates(self, state):
        return {"annotations": state["annotations"]}


MODELS = {"cgru": CGru, "luong": Luong}


def embed_previous(model, ids):
    """E y_{i−1} for every position, E y_0 = 0."""
    return F.pad(F.embedding(ids, model.p["tgt_embedding"])[:, :-1], (0, 0, 1, 0))


def forward(model, src, src_real, tgt, tgt_real):
    state = model.encode(src, src_real)
    aux = model.intermediates(state)
    y_prev = embed_previous(model, tgt)
    logits, alphas = [], []
    for i in range(tgt.shape[1]):
        step_logits, alpha, state = model.step(state, y_prev[:, i])
        logits.append(step_logits)
        alphas.append(alpha)
    logits = torch.stack(logits, dim=1)
    nll = F.cross_entropy(logits.flatten(0, 1), tgt.flatten(), reduction="none").view_as(tgt) * tgt_real
    aux.update(logits=logits, nll=nll.sum(dim=1), alpha=torch.stack(alphas, dim=1))
    return nll.sum() / tgt.shape[0], aux


def log_probs_of(logits):
    log_probs = torch.log_softmax(logits, dim=-1)
    log_probs[:, PAD] = float("-inf")  # search never emits PAD
    return log_probs


@torch.no_grad()
def greedy_search(model, src, src_real):
    state = model.encode(src, src_real)
    max_lens = (src_real.sum(dim=1) * MAX_LEN_FACTOR).long()
    y_prev = torch.zeros(src.shape[0], model.cfg["m"], dtype=torch.float64)
    done = torch.zeros(src.shape[0], dtype=torch.bool)
    output = []
    for step in range(int(max_lens.max())):
        logits, _, state = model.step(state, y_prev)
        y = log_probs_of(logits).argmax(dim=-1).masked_fill(done, PAD)
        output.append(y)
        done |= (y == EOS) | (step + 1 >= max_lens)
        if done.all():
            break
        y_prev = F.embedding(y, model.p["tgt_embedding"])
    return torch.stack(output, dim=1)


@torch.no_grad()
def beam_search(model, src, k):
    """The reference's beam search for one unpadded sentence: (ids, Σ log p) of the best finished hypothesis."""
    state = model.encode(src[None], torch.ones(1, src.shape[0], dtype=torch.bool))
    max_len = int(src.shape[0] * MAX_LEN_FACTOR)
    vocab = model.cfg["tgt_vocab"]
    hyps, scores = [[]], torch.zeros(1, dtype=torch.float64)
    y_prev = torch.zeros(1, model.cfg["m"], dtype=torch.float64)
    finished = []
    for _ in range(max_len):
        logits, _, next_state = model.step(state, y_prev)
        top_scores, top = (scores[:, None] + log_probs_of(logits)).flatten().topk(k - len(finished))
        live = []
        for score, parent, word in zip(top_scores.tolist(), (top // vocab).tolist(), (top % vocab).tolist()):
            if word == EOS:
                finished.append((hyps[parent] + [word], score))
            else:
                live.append((parent, word, score))
        if not live:
            break
        parents = torch.tensor([p for p, _, _ in live])
        hyps = [hyps[p] + [w] for p, w, _ in live]
        scores = torch.tensor([score for _, _, score in live], dtype=torch.float64)
        state = select(next_state, parents)
        y_prev = F.embedding(torch.tensor([w for _, w, _ in live]), model.p["tgt_embedding"])
    else:
        finished += zip(hyps, scores.tolist())
    return max(finished, key=lambda hyp: hyp[1])


# --------------------------------------------------------------------------- fixtures


def sentences(generator, vocab, lengths):
    ids = torch.full((len(lengths), max(lengths)), PAD, dtype=torch.long)
    for b, length in enumerate(lengths):
        ids[b, : length - 1] = torch.randint(FIRST_WORD, vocab, (length - 1,), generator=generator)
        ids[b, length - 1] = EOS
    return ids, ids != PAD


def padded(rows):
    width = max(len(r) for r in rows)
    return np.array([r + [PAD] * (width - len(r)) for r in rows], dtype=np.int64)


def write_fixture(path, model_name, cfg, seed=1234, src_lengths=(6, 4, 2), tgt_lengths=(5, 7, 3)):
    model = MODELS[model_name](cfg, seed)
    generator = torch.Generator().manual_seed(seed + 1)
    src, src_real = sentences(generator, cfg["src_vocab"], src_lengths)
    tgt, tgt_real = sentences(generator, cfg["tgt_vocab"], tgt_lengths)

    out = {f"config/{key}": np.array(value, dtype=np.int64) for key, value in cfg.items()}
    out["batch/src"], out["batch/src_mask"] = src.numpy(), src_real.numpy()
    out["batch/tgt"], out["batch/tgt_mask"] = tgt.numpy(), tgt_real.numpy()
    for name, value in model.p.f32.items():
        out[f"param/{name}"] = value.numpy()

    loss, aux = forward(model, src, src_real, tgt, tgt_real)
    loss.backward()
    f32 = lambda t: t.detach().numpy().astype(np.float32)
    out["loss"] = f32(loss)
    for key, value in aux.items():
        out[f"fwd/{key}"] = f32(value)
    grads = {name: p.grad for name, p in model.p.f64.items()}
    for name, g in grads.items():
        out[f"grad/{name}"] = f32(g)
    out["grad_norm"] = f32(torch.sqrt(sum((g**2).sum() for g in grads.values())))

    out["decode/greedy"] = greedy_search(model, src, src_real).numpy()
    beams = [beam_search(model, src[b][src_real[b]], k=3) for b in range(len(src))]
    out["decode/beam3"] = padded([ids for ids, _ in beams])
    out["decode/beam3_score"] = np.array([score for _, score in beams], dtype=np.float32)
    np.savez(path, **out)  # uncompressed (ZIP_STORED) members, as the reference writes them
    print(f"{path}: loss {loss.item():.6f}, grad_norm {float(out['grad_norm']):.6f}, {len(out)} arrays")


TINY = dict(src_vocab=20, tgt_vocab=20, m=6, n=8, n_align=7)
SMALLER = dict(src_vocab=16, tgt_vocab=16, m=5, n=6)


def luong(cell, score, layers, input_feeding, **sizes):
    return dict(kind=KIND["LUONG"], **SMALLER, **sizes, rnn_cell=CELL[cell], attention_score=SCORE[score],
                layers=layers, input_feeding=int(input_feeding), gru_variant=0)


FIXTURES = {
    "tiny_cgru": ("cgru", dict(kind=KIND["CGRU"], **TINY, gru_variant=0)),
    # The paper's best global model: stacked LSTMs, general score, input feeding.
    "tiny_luong_lstm_general": ("luong", luong("LSTM", "GENERAL", 2, True)),
    "tiny_luong_lstm_dot": ("luong", luong("LSTM", "DOT", 1, False)),
    "tiny_luong_gru_concat": ("luong", luong("GRU", "CONCAT", 1, True, n_align=5)),
}


def main(argv):
    names = argv[1:] or list(FIXTURES)
    for name in names:
        model_name, cfg = FIXTURES[name]
        write_fixture(f"models/testdata/{name}.npz", model_name, cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
