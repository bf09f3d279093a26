#!/usr/bin/env python3
"""Record agent decisions from PyTorch models into a dynavp trace.

Runs a PyTorch implementation of a zoo model's agents on seeded random inputs
and writes what the agents chose, sample by sample, in the JSON Lines trace
format of workloads/decisions.h:

  {"dynavp_trace": 1, "model": "<zoo name>", "samples": N}
  {"sample": 0, "layer": "conv2", "used": [0, 3]}            gating: channel groups kept
  {"sample": 0, "layer": "moe", "tokens": [[3, 5], [1, 0], ...]}  routing: each token's experts

Two kinds of model, built from workloads/zoo/<model>.json (layer names, ops,
tiles, top_k and token counts come from the file, nothing is hard-coded):

  * Channel gating, FBS (Gao et al., "Dynamic Channel Pruning: Feature
    Boosting and Suppression", ICLR 2019): a chain of conv layers; before each
    gated conv a saliency predictor g(x) = ReLU(W gap(x) + b) (global average
    pool of the input, a linear layer, ReLU) scores the output channels; the
    winners of a k-winner-take-all over the channel groups (tiles along K,
    group score = sum of its channels' saliencies, k = ceil(density * tiles)
    with the layer's trace density) are kept and scaled by their saliency,
    the other groups are suppressed: y = ReLU(pi(x) * conv(x)).
  * Top-k mixture-of-experts routing (Shazeer et al. 2017, Switch/GShard
    style): per token a linear router, softmax, the top_k experts; each
    expert is an FFN (the layer's op, ReLU, then its expert_ops), the output
    the gate-weighted sum of the chosen experts' outputs (plus the input when
    the shapes allow a residual).

Weights are PyTorch's default initialisation under --seed. Inputs are seeded
random tensors drawn around a few "topic" prototypes (prototype + noise), so
that, as with real data (DNA sec. III-B), similar samples make similar
decisions; --topics 0 gives plain Gaussian noise.

Usage:
  record_trace.py --model fbs-cnn-small|moe-block-small --samples N --seed S --out f.jsonl [--check BIN]

--check BIN runs `BIN trace-check --workload <model> --file <out>` afterwards
and exits with its status. Exit status 77 (the ctest "skipped" code) when
PyTorch is not installed, 2 for a bad argument or zoo file.
"""

import argparse
import json
import math
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SKIP = 77

DIMS = ("R", "S", "P", "Q", "C", "K", "N")


class ZooError(Exception):
    pass


def parse_op(text, where):
    """'R=3,S=3,P=16,Q=16,C=8,K=16' -> dict (dims not given are 1)."""
    op = {d: 1 for d in DIMS}
    op.update(stride=1, dilation=1, groups=1)
    for item in text.split(","):
        item = item.strip()
        key, sep, val = item.partition("=")
        if not sep or key not in op:
            raise ZooError(f"{where}: bad op item {item!r} in {text!r}")
        try:
            op[key] = int(val)
        except ValueError:
            raise ZooError(f"{where}: bad op item {item!r} in {text!r}") from None
        if op[key] < 1:
            raise ZooError(f"{where}: {key} must be >= 1 in {text!r}")
    return op


def load_zoo(zoo_dir, name):
    path = Path(zoo_dir) / f"{name}.json"
    try:
        with open(path, encoding="utf-8") as f:
            net = json.load(f)
    except FileNotFoundError:
        known = sorted(p.stem for p in Path(zoo_dir).glob("*.json"))
        raise ZooError(f"{path}: no such zoo model (known: {', '.join(known)})") from None
    except json.JSONDecodeError as e:
        raise ZooError(f"{path}: malformed JSON: {e}") from None
    if net.get("name") != name:
        raise ZooError(f"{path}: /name is {net.get('name')!r}, expected {name!r}")
    layers = []
    for i, l in enumerate(net.get("layers", [])):
        where = f"{path}: /layers/{i}"
        for key in ("name", "op"):
            if key not in l:
                raise ZooError(f"{where}/{key}: missing required field")
        layer = {
            "name": l["name"],
            "kind": l.get("kind", "conv"),
            "op": parse_op(l["op"], where + "/op"),
            "inputs": l.get("inputs"),
            "dynamic": None,
        }
        d = l.get("dynamic")
        if d is not None:
            follows = d.get("follows", "")
            agent = d.get("agent")
            if follows and agent is None:
                agent = next((x["dynamic"]["agent"] for x in layers if x["name"] == follows and x["dynamic"]), None)
            layer["dynamic"] = {
                "agent": agent,
                "tiles": int(d.get("tiles", 1)),
                "top_k": int(d.get("top_k", 1)),
                "follows": follows,
                "expert_ops": [parse_op(e, f"{where}/dynamic/expert_ops") for e in d.get("expert_ops", [])],
                "density": float(d.get("trace", {}).get("density", 0.5)),
            }
        layers.append(layer)
    if not layers:
        raise ZooError(f"{path}: /layers: no layers")
    return path, net["name"], layers


def agent_layers(layers):
    return [l for l in layers if l["dynamic"] and not l["dynamic"]["follows"]]


# ------------------------------------------------------------------ models
# (torch is imported by main() after the arguments and the zoo file are
# checked, so --help and a bad --model work without it.)


def build_fbs(torch, nn, path, layers):
    """A chain of convs with FBS saliency predictors on the gated ones."""
    for i, l in enumerate(layers):
        if l["kind"] != "conv":
            raise ZooError(f"{path}: layer {l['name']!r}: the FBS recorder handles chains of conv layers, not {l['kind']!r}")
        if l["inputs"] is not None and (i == 0 or l["inputs"] != [layers[i - 1]["name"]]):
            raise ZooError(f"{path}: layer {l['name']!r}: the FBS recorder handles a plain chain (each layer reads the previous one)")
        if i and l["op"]["C"] * l["op"]["groups"] != layers[i - 1]["op"]["K"] * layers[i - 1]["op"]["groups"]:
            raise ZooError(f"{path}: layer {l['name']!r}: C does not match the previous layer's K")
        d = l["dynamic"]
        if d and d["agent"] != "gating":
            raise ZooError(f"{path}: layer {l['name']!r}: agent {d['agent']!r} (the FBS recorder handles gating)")
        if d and l["op"]["K"] % d["tiles"]:
            raise ZooError(f"{path}: layer {l['name']!r}: K={l['op']['K']} is not divisible by tiles={d['tiles']}")

    class FbsConv(nn.Module):
        def __init__(self, layer):
            super().__init__()
            op = layer["op"]
            self.layer = layer
            self.conv = nn.Conv2d(op["C"] * op["groups"], op["K"] * op["groups"], (op["R"], op["S"]),
                                  stride=op["stride"], padding=((op["R"] - 1) // 2 * op["dilation"], (op["S"] - 1) // 2 * op["dilation"]),
                                  dilation=op["dilation"], groups=op["groups"])
            d = layer["dynamic"]
            self.gated = d is not None
            if self.gated:
                # FBS saliency predictor: GAP -> linear -> ReLU, one score per output channel.
                self.saliency = nn.Linear(op["C"] * op["groups"], op["K"] * op["groups"])
                nn.init.zeros_(self.saliency.bias)
                self.tiles = d["tiles"]
                self.keep = max(1, min(self.tiles, math.ceil(d["density"] * self.tiles - 1e-9)))

        def forward(self, x, decisions, follow):
            y = self.conv(x)
            op = self.layer["op"]
            if (y.shape[2], y.shape[3]) != (op["P"], op["Q"]):
                raise ZooError(f"layer {self.layer['name']!r}: output {tuple(y.shape[2:])} is not P x Q = {op['P']} x {op['Q']}")
            d = self.layer["dynamic"]
            if d is None:
                return torch.relu(y)
            if d["follows"]:
                pi = follow[d["follows"]]
            else:
                # Untrained weights: normalise the pooled vector per sample (zero
                # mean, unit variance over channels), else the common positive
                # mean of post-ReLU activations picks the same winners for all.
                z = x.mean(dim=(2, 3))
                z = (z - z.mean(dim=1, keepdim=True)) / (z.std(dim=1, keepdim=True) + 1e-6)
                g = torch.relu(self.saliency(z))                                 # (B, K)
                b, k = g.shape
                groups = g.view(b, self.tiles, k // self.tiles).sum(dim=2)       # (B, tiles)
                top = torch.topk(groups, self.keep, dim=1).indices               # k-WTA over channel groups
                mask = torch.zeros_like(groups).scatter_(1, top, 1.0)
                pi = g * mask.repeat_interleave(k // self.tiles, dim=1)
                decisions[self.layer["name"]] = [sorted(int(t) for t in row) for row in top]
                follow[self.layer["name"]] = pi
            return torch.relu(pi[:, :, None, None] * y)

    class FbsNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList(FbsConv(l) for l in layers)

        def forward(self, x):
            decisions, follow = {}, {}
            for c in self.convs:
                x = c(x, decisions, follow)
            return decisions

    first = layers[0]["op"]
    shape = (first["C"] * first["groups"], first["P"] * first["stride"], first["Q"] * first["stride"])
    return FbsNet(), shape, (shape[0], 1, 1)


def build_moe(torch, nn, path, layers):
    """Token layers: fc layers, some with a top-k router over expert FFNs."""
    for i, l in enumerate(layers):
        if l["kind"] not in ("fc", "conv") or any(l["op"][d] != 1 for d in ("R", "S", "P", "Q")):
            raise ZooError(f"{path}: layer {l['name']!r}: the MoE recorder handles matmul layers (C, K, N only)")
        if i and l["op"]["C"] not in (layers[i - 1]["op"]["C"], layers[i - 1]["op"]["K"]):
            raise ZooError(f"{path}: layer {l['name']!r}: C does not match the previous layer")
        if l["op"]["N"] != layers[0]["op"]["N"]:
            raise ZooError(f"{path}: layer {l['name']!r}: N differs from the first layer's (one token count per network)")
        d = l["dynamic"]
        if d and d["agent"] != "routing":
            raise ZooError(f"{path}: layer {l['name']!r}: agent {d['agent']!r} (the MoE recorder handles routing)")
        if d and d["follows"]:
            raise ZooError(f"{path}: layer {l['name']!r}: routing layers that follow another are not supported")

    class Expert(nn.Module):
        def __init__(self, op, expert_ops):
            super().__init__()
            dims = [(op["C"], op["K"])] + [(e["C"], e["K"]) for e in expert_ops]
            self.mats = nn.ModuleList(nn.Linear(c, k) for c, k in dims)

        def forward(self, x):
            for i, m in enumerate(self.mats):
                if i and m.in_features * 2 == x.shape[-1]:   # gated unit (SwiGLU-style): halves the width
                    a, b = x.chunk(2, dim=-1)
                    x = torch.nn.functional.silu(a) * b
                x = m(x)
                if i + 1 < len(self.mats):
                    x = torch.relu(x)
            return x

    class TokenLayer(nn.Module):
        def __init__(self, layer):
            super().__init__()
            self.layer = layer
            op, d = layer["op"], layer["dynamic"]
            if d is None:
                self.fc = nn.Linear(op["C"], op["K"])
                return
            self.router = nn.Linear(op["C"], d["tiles"], bias=False)
            self.experts = nn.ModuleList(Expert(op, d["expert_ops"]) for _ in range(d["tiles"]))
            self.top_k = d["top_k"]

        def forward(self, x, decisions):                                     # x: (B, N, C)
            if self.layer["dynamic"] is None:
                return torch.relu(self.fc(x))
            probs = torch.softmax(self.router(x), dim=-1)                    # (B, N, experts)
            gate, idx = torch.topk(probs, self.top_k, dim=-1)                # (B, N, top_k), descending
            gate = gate / gate.sum(dim=-1, keepdim=True)
            b, n, c = x.shape
            flat, fidx, fgate = x.reshape(b * n, c), idx.reshape(b * n, -1), gate.reshape(b * n, -1)
            out = None
            for e, expert in enumerate(self.experts):
                rows, slot = (fidx == e).nonzero(as_tuple=True)
                if rows.numel() == 0:
                    continue
                y = expert(flat[rows]) * fgate[rows, slot].unsqueeze(1)
                if out is None:
                    out = flat.new_zeros(b * n, y.shape[1])
                out.index_add_(0, rows, y)
            out = out.reshape(b, n, -1)
            decisions[self.layer["name"]] = [[[int(e) for e in tok] for tok in sample] for sample in idx]
            return x + out if out.shape == x.shape else out

    class MoeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList(TokenLayer(l) for l in layers)

        def forward(self, x):
            decisions = {}
            for layer in self.layers:
                x = layer(x, decisions)
            return decisions

    first = layers[0]["op"]
    return MoeNet(), (first["N"], first["C"]), (1, first["C"])


def seeded_inputs(torch, shape, offset_shape, samples, topics, gen):
    """Inputs around `topics` random prototypes (each sample picks one), plus a
    per-sample offset of shape `offset_shape` (per channel, shared by all
    pixels or tokens) and element noise; topics 0: no prototypes."""
    x = torch.randn((samples,) + tuple(offset_shape), generator=gen) * 0.5 + torch.randn((samples,) + shape, generator=gen) * 0.5
    if topics > 0:
        protos = torch.randn((topics,) + shape, generator=gen)
        which = torch.randint(0, topics, (samples,), generator=gen)
        x = x + protos[which]
    return x


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Record agent decisions of PyTorch FBS channel gating / top-k MoE routing models "
                    "into a dynavp trace (JSON Lines, workloads/decisions.h).",
        epilog="Exit status: 0 ok, 2 bad arguments or zoo file, 77 PyTorch (python3-torch) not installed; "
               "with --check, the checker's status.")
    ap.add_argument("--model", required=True, help="zoo model name (workloads/zoo/<model>.json), e.g. fbs-cnn-small, moe-block-small")
    ap.add_argument("--samples", type=int, default=16, help="samples to record (default 16)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the weights and inputs (default 0)")
    ap.add_argument("--out", required=True, help="trace file to write (JSON Lines)")
    ap.add_argument("--topics", type=int, default=4, help="input prototypes the samples are drawn around (default 4; 0 = plain noise)")
    ap.add_argument("--batch", type=int, default=256, help="samples per forward pass (default 256)")
    ap.add_argument("--zoo-dir", default=str(REPO / "workloads" / "zoo"), help="zoo directory (default: the repository's)")
    ap.add_argument("--check", metavar="BIN", help="afterwards run `BIN trace-check --workload <model> --file <out>` and exit with its status")
    args = ap.parse_args(argv)
    if args.samples < 1:
        ap.error("--samples must be at least 1")
    if args.batch < 1:
        ap.error("--batch must be at least 1")

    try:
        path, name, layers = load_zoo(args.zoo_dir, args.model)
        agents = agent_layers(layers)
        if not agents:
            raise ZooError(f"{path}: no layer has an agent (\"dynamic\" without \"follows\"): nothing to record")
        kinds = {l["dynamic"]["agent"] for l in agents}
    except (ZooError, KeyError, TypeError, ValueError) as e:
        print(f"record_trace.py: {e}", file=sys.stderr)
        return 2

    try:
        import torch
        from torch import nn
    except ImportError:
        print("record_trace.py: PyTorch (python3-torch) is not installed", file=sys.stderr)
        return SKIP

    torch.manual_seed(args.seed)
    try:
        if kinds == {"gating"}:
            model, shape, offset_shape = build_fbs(torch, nn, path, layers)
        elif kinds == {"routing"}:
            model, shape, offset_shape = build_moe(torch, nn, path, layers)
        else:
            raise ZooError(f"{path}: agents {sorted(kinds)}: record_trace.py records gating (FBS) or routing (MoE) networks")
    except ZooError as e:
        print(f"record_trace.py: {e}", file=sys.stderr)
        return 2
    model.eval()

    gen = torch.Generator().manual_seed(args.seed + 1)
    inputs = seeded_inputs(torch, shape, offset_shape, args.samples, args.topics, gen)
    names = [l["name"] for l in agents]
    is_routing = {l["name"]: l["dynamic"]["agent"] == "routing" for l in agents}

    out_path = Path(args.out)
    try:
        with torch.no_grad(), open(out_path, "w", encoding="utf-8") as f:
            f.write(json.dumps({"dynavp_trace": 1, "model": name, "samples": args.samples}) + "\n")
            for start in range(0, args.samples, args.batch):
                decisions = model(inputs[start:start + args.batch])
                for i in range(min(args.batch, args.samples - start)):
                    for n in names:
                        key = "tokens" if is_routing[n] else "used"
                        f.write(json.dumps({"sample": start + i, "layer": n, key: decisions[n][i]}) + "\n")
    except ZooError as e:
        print(f"record_trace.py: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"record_trace.py: {out_path}: {e.strerror}", file=sys.stderr)
        return 2
    print(f"record_trace.py: {args.samples} samples of {name} ({', '.join(names)}) -> {out_path}")

    if args.check:
        cmd = [args.check, "trace-check", "--workload", name, "--file", str(out_path)]
        print("record_trace.py: " + " ".join(cmd))
        try:
            return subprocess.run(cmd).returncode
        except OSError as e:
            print(f"record_trace.py: {args.check}: {e.strerror}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
