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
KIND = {"CGRU": 3}  # ModelConfig.Kind (models/model_config.proto)
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


def add_gru(p, prefix, n_in, n):
    for gate in ("W_z", "W_r", "W"):
        p.add(f"{prefix}.{gate}", n, n_in)
    for gate in ("U_z", "U_r", "U"):
        p.add(f"{prefix}.{gate}", n, n)
    for gate in ("b_z", "b_r", "b"):
        p.add(f"{prefix}.{gate}", n)


def gru_step(p, prefix, x, h, real=None):
    """The paper's GRU (reset before U, models/layers/gru.h); a row with real == False keeps h."""
    z = torch.sigmoid(F.linear(x, p[f"{prefix}.W_z"], p[f"{prefix}.b_z"]) + F.linear(h, p[f"{prefix}.U_z"]))
    r = torch.sigmoid(F.linear(x, p[f"{prefix}.W_r"], p[f"{prefix}.b_r"]) + F.linear(h, p[f"{prefix}.U_r"]))
    h_tilde = torch.tanh(F.linear(x, p[f"{prefix}.W"], p[f"{prefix}.b"]) + F.linear(r * h, p[f"{prefix}.U"]))
    h_next = (1 - z) * h + z * h_tilde
    return h_next if real is None else torch.where(real[:, None], h_next, h)


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
    return {key: value[rows] for key, value in state.items()}


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


MODELS = {"cgru": CGru}


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
FIXTURES = {
    "tiny_cgru": ("cgru", dict(kind=KIND["CGRU"], **TINY, gru_variant=0)),
}


def main(argv):
    names = argv[1:] or list(FIXTURES)
    for name in names:
        model_name, cfg = FIXTURES[name]
        write_fixture(f"models/testdata/{name}.npz", model_name, cfg)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
