#!/usr/bin/env python3
"""PyTorch CPU counterpart of `kernel-bench`: prints the same lines with impl=torch.

    pip install torch==2.13.0+cpu   # or any CPU-usable torch build
    python3 Scripts/bench_pytorch.py [--threads 1,2] [--runs 5] [--filter TEXT]

Each line is the median of --runs timed runs after one warm-up, in the form
    bench=conv_fwd_<name> impl=torch threads=<t> ms_median=<x> gflops=<y>
Forward+backward computes the gradients of input, weight and bias, like the Swift side.
"""
import argparse
import time

import torch
import torch.nn.functional as F

SHAPES = [  # name, batch, cin, cout, kernel, padding, size
    ("fmnist_c1", 128, 1, 128, 5, 2, 28),
    ("fmnist_c2", 128, 128, 128, 5, 2, 14),
    ("cifar_c1", 128, 3, 128, 3, 1, 32),
    ("cifar_c2", 128, 128, 256, 3, 1, 16),
    ("cifar_c3", 128, 256, 256, 3, 1, 16),
    ("cifar_c4", 128, 256, 128, 3, 1, 8),
    ("vgg_c1", 16, 3, 64, 3, 1, 224),
    ("vgg_c2", 16, 64, 128, 3, 1, 112),
    ("vgg_c4", 16, 256, 256, 3, 1, 56),
    ("vgg_c6", 16, 512, 512, 3, 1, 28),
]
GEMMS = [(512, 512, 512), (1024, 1024, 1024), (128, 32768, 576), (256, 50176, 2304)]


def median_ms(fn, runs):
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1e3)
    return sorted(samples)[len(samples) // 2]


def report(name, threads, ms, flops=None):
    line = f"bench={name} impl=torch threads={threads} ms_median={ms:.3f}"
    if flops is not None:
        line += f" gflops={flops / ms / 1e6:.2f}"
    print(line, flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--filter", default=None)
    args = parser.parse_args()
    selected = lambda name: args.filter is None or args.filter in name
    torch.manual_seed(7)
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        with torch.no_grad():
            for m, n, k in GEMMS:
                name = f"sgemm_{m}x{n}x{k}"
                if not selected(name):
                    continue
                a, b = torch.randn(m, k), torch.randn(k, n)
                out = torch.empty(m, n)
                report(name, threads, median_ms(lambda: torch.mm(a, b, out=out), args.runs), 2.0 * m * n * k)
        for name, batch, cin, cout, k, p, size in SHAPES:
            flops = 2.0 * batch * cout * size * size * cin * k * k
            x = torch.randn(batch, cin, size, size)
            bound = 1 / (cin * k * k) ** 0.5
            w = torch.empty(cout, cin, k, k).uniform_(-bound, bound)
            b = torch.empty(cout).uniform_(-bound, bound)
            if selected(f"conv_fwd_{name}"):
                with torch.no_grad():
                    report(f"conv_fwd_{name}", threads, median_ms(lambda: F.conv2d(x, w, b, padding=p), args.runs), flops)
            if selected(f"conv_fwdbwd_{name}"):
                tx, tw, tb = (t.clone().requires_grad_() for t in (x, w, b))
                projection = torch.randn(batch, cout, size, size)

                def step():
                    loss = (F.conv2d(tx, tw, tb, padding=p) * projection).sum()
                    torch.autograd.grad(loss, [tx, tw, tb])

                report(f"conv_fwdbwd_{name}", threads, median_ms(step, args.runs), 3 * flops)
            activation = torch.randn(batch, cout, size, size)
            if selected(f"maxpool_fwd_{name}"):
                with torch.no_grad():
                    report(f"maxpool_fwd_{name}", threads, median_ms(lambda: F.max_pool2d(activation, 2), args.runs))
            if selected(f"maxpool_fwdbwd_{name}"):
                tracked = activation.clone().requires_grad_()
                report(f"maxpool_fwdbwd_{name}", threads,
                       median_ms(lambda: torch.autograd.grad(F.max_pool2d(tracked, 2).sum(), [tracked]), args.runs))
            ones, zeros = torch.ones(cout), torch.zeros(cout)
            if selected(f"batchnorm_fwd_{name}"):
                with torch.no_grad():
                    report(f"batchnorm_fwd_{name}", threads, median_ms(
                        lambda: F.batch_norm(activation, zeros.clone(), ones.clone(), ones, zeros, training=True), args.runs))
            if selected(f"batchnorm_fwdbwd_{name}"):
                tracked = activation.clone().requires_grad_()
                gamma, beta = ones.clone().requires_grad_(), zeros.clone().requires_grad_()
                report(f"batchnorm_fwdbwd_{name}", threads, median_ms(lambda: torch.autograd.grad(
                    F.batch_norm(tracked, zeros.clone(), ones.clone(), gamma, beta, training=True).sum(),
                    [tracked, gamma, beta]), args.runs))

    if selected("rss_fcdd_cnn28_train_loop"):
        train_loop(int(args.threads.split(",")[-1]))


def train_loop(threads):
    """The same FCDD_CNN28_W training step as kernel-bench's rss_fcdd_cnn28_train_loop."""
    import resource
    torch.set_num_threads(threads)
    images = torch.rand(128, 1, 28, 28)

    def uniform(shape, fan_in):
        bound = 1 / fan_in ** 0.5
        return torch.empty(*shape).uniform_(-bound, bound).requires_grad_()

    params = [uniform((128, 1, 5, 5), 25), uniform((128,), 25), torch.ones(128, requires_grad=True),
              torch.zeros(128, requires_grad=True), uniform((128, 128, 5, 5), 3200), uniform((128,), 3200),
              uniform((1, 128, 1, 1), 128), uniform((1,), 128)]
    running_mean, running_var = torch.zeros(128), torch.ones(128)
    start = time.perf_counter()
    for _ in range(60):
        x = F.conv2d(images, params[0], params[1], padding=2)
        x = F.batch_norm(x, running_mean, running_var, params[2], params[3], training=True, eps=1e-4)
        x = F.max_pool2d(F.leaky_relu(x), 2)
        x = F.max_pool2d(F.conv2d(x, params[4], params[5], padding=2), 2)
        x = F.conv2d(x, params[6], params[7])
        loss = ((x * x + 1).sqrt() - 1).mean()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p -= 0.01 * g
    ms = (time.perf_counter() - start) / 60 * 1e3
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench=rss_fcdd_cnn28_train_loop impl=torch threads={threads} ms_per_step={ms:.1f} peak_rss_mb={peak:.1f}", flush=True)


if __name__ == "__main__":
    main()
