#!/usr/bin/env python3
"""Runs `kernel-bench` (Swift) and `bench_pytorch.py` (PyTorch) with the same options and
prints, per measurement, both medians and the ratio torch_ms / swift_ms (above 1: Swift is
faster) as a Markdown table.

    python3 Scripts/compare_benchmarks.py [--python python3] [--threads 1,2] [--runs 5] [--filter TEXT]

Or compare two saved outputs: python3 Scripts/compare_benchmarks.py --swift-log A --torch-log B
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse(lines):
    results = {}
    for line in lines:
        fields = dict(part.split("=", 1) for part in line.split() if "=" in part)
        if "bench" in fields and "ms_median" in fields:
            results[(fields["bench"], fields["threads"])] = fields
    return results


def run(command):
    print("$ " + " ".join(command), file=sys.stderr, flush=True)
    output = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    return output.splitlines()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", default="5")
    parser.add_argument("--filter", default=None)
    parser.add_argument("--swift-log")
    parser.add_argument("--torch-log")
    args = parser.parse_args()
    common = ["--threads", args.threads, "--runs", args.runs] + (["--filter", args.filter] if args.filter else [])
    if args.swift_log:
        swift = parse(open(args.swift_log).read().splitlines())
    else:
        swift = parse(run(["swift", "run", "-c", "release", "--package-path", "Benchmarks", "kernel-bench"] + common))
    if args.torch_log:
        torch = parse(open(args.torch_log).read().splitlines())
    else:
        torch = parse(run([args.python, "Scripts/bench_pytorch.py"] + common))
    print("| bench | threads | swift ms | swift GFLOP/s | torch ms | torch GFLOP/s | torch/swift |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted(swift, key=lambda k: (k[1], k[0])):
        s, t = swift[key], torch.get(key)
        ratio = f"{float(t['ms_median']) / float(s['ms_median']):.2f}" if t else "–"
        print(f"| {key[0]} | {key[1]} | {s['ms_median']} | {s.get('gflops', '–')} | "
              f"{t['ms_median'] if t else '–'} | {t.get('gflops', '–') if t else '–'} | {ratio} |")


if __name__ == "__main__":
    main()
