#!/usr/bin/env python3
"""PyTorch counterpart of the Benchmarks package's nn-bench: optimiser steps over the
parameters of torchvision's vgg11_bn().features[:21] (4.5 M parameters) and safetensors
write/read of its state dict, printed in nn-bench's line format with impl=torch (the
default single-tensor optimiser loop, as torch uses on CPU) and impl=torch_foreach.

    pip install torch torchvision safetensors
    python3 Scripts/bench_nn_pytorch.py [--runs 11]
"""
import argparse
import os
import tempfile
import time

import torch
import torchvision
from safetensors.torch import load_file, save_file


def median_ms(body, runs):
    body()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        body()
        samples.append((time.perf_counter() - start) * 1e3)
    return sorted(samples)[len(samples) // 2]


def report(name, impl, ms, nbytes):
    print(f"bench={name} impl={impl} threads=1 ms_median={ms:.3f} gb_per_s={nbytes / ms / 1e6:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    runs = parser.parse_args().runs
    torch.set_num_threads(1)
    torch.manual_seed(1)
    model = torchvision.models.vgg11_bn().features[:21]
    params = [p for p in model.parameters()]
    for p in params:
        p.grad = torch.randn_like(p) * 1e-3
    parameter_bytes = sum(p.numel() for p in params) * 4

    for impl, foreach in (("torch", False), ("torch_foreach", True)):
        sgd = torch.optim.SGD(params, lr=1e-3, momentum=0.9, nesterov=True, weight_decay=5e-4, foreach=foreach)
        report("sgd_nesterov_step_vgg11bn_features", impl, median_ms(sgd.step, runs), 5 * parameter_bytes)
        adam = torch.optim.Adam(params, lr=1e-4, weight_decay=1e-6, foreach=foreach)
        report("adam_step_vgg11bn_features", impl, median_ms(adam.step, runs), 7 * parameter_bytes)

    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    state_bytes = sum(v.numel() for v in state.values()) * 4
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "vgg.safetensors")
        report("safetensors_write_vgg11bn_features", "torch", median_ms(lambda: save_file(state, path), runs), state_bytes)
        report("safetensors_read_vgg11bn_features", "torch", median_ms(lambda: load_file(path), runs), state_bytes)
        report("load_state_vgg11bn_features", "torch",
               median_ms(lambda: model.load_state_dict(load_file(path)), runs), state_bytes)


if __name__ == "__main__":
    main()
