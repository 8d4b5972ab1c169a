#!/usr/bin/env python3
"""PyTorch CPU counterpart of `kernel-bench`: prints the same lines with impl=torch.

    pip install torch==2.13.0+cpu   # or any CPU-usable torch build
    python3 Scripts/bench_pytorch.py [--threads 1,2] [--runs 5] [--filter TEXT[,TEXT...]] [--rss-steps 10]

Each line is the median of --runs timed runs after one warm-up, in the form
    bench=conv_fwd_<name> impl=torch threads=<t> ms_median=<x> gflops=<y>
Forward+backward computes the gradients of input, weight and bias, like the Swift side.
--filter keeps the measurements whose name contains any of the comma-separated texts.

Whole FCDD steps, the counterpart of `fcdd-bench` (same names, same line format with
img_per_s=<z> instead of gflops; run only these with --filter fcdd_step,fcdd_infer):
    fcdd_step_cifar_lw3k_b128   FCDD_CNN32_LW3K, 3x32x32, batch 128 (half anomalous), train mode:
                                forward, sample-level FCDD loss, backward, Adam(lr 1e-3, wd 1e-6)
    fcdd_step_fmnist_28w_b128   FCDD_CNN28_W, 1x28x28, batch 128, the same with
                                SGD(lr 1e-2, momentum 0.9, nesterov, wd 1e-6)
    fcdd_infer_cifar_lw3k_b256  FCDD_CNN32_LW3K eval mode, batch 256, forward + scores under no_grad
    rss_<each of the above>     peak RSS (VmHWM; ru_maxrss alongside) of --rss-steps such steps,
                                each in a fresh child process (peak RSS is a high-water mark)
"""
import argparse
import subprocess
import sys
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
    parser.add_argument("--rss-steps", type=int, default=10)
    parser.add_argument("--rss-child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child is not None:
        fcdd_rss_child(args.rss_child, int(args.threads.split(",")[0]), args.rss_steps)
        return
    filters = None if args.filter is None else args.filter.split(",")
    selected = lambda name: filters is None or any(f in name for f in filters)
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

        for name in FCDD_WORKLOADS:
            if selected(name):
                step, batch = fcdd_step(name)
                ms = median_ms(step, args.runs)
                print(f"bench={name} impl=torch threads={threads} ms_median={ms:.3f} img_per_s={batch / ms * 1e3:.2f}",
                      flush=True)

    for name in FCDD_WORKLOADS:
        if selected("rss_" + name):
            for threads in [int(t) for t in args.threads.split(",")]:
                subprocess.run([sys.executable, __file__, "--rss-child", "rss_" + name, "--threads", str(threads),
                                "--rss-steps", str(args.rss_steps)], check=True)

    if selected("rss_fcdd_cnn28_train_loop"):
        train_loop(int(args.threads.split(",")[-1]))


class FCDD_CNN32_LW3K(torch.nn.Module):
    """The reference's FCDD_CNN32_LW3K (bias=True, as its CLI passes)."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 128, 3, bias=True, padding=1)
        self.bn2d1 = torch.nn.BatchNorm2d(128, eps=1e-04, affine=True)
        self.pool = torch.nn.MaxPool2d(2, 2)
        self.conv2 = torch.nn.Conv2d(128, 256, 3, bias=True, padding=1)
        self.bn2d2 = torch.nn.BatchNorm2d(256, eps=1e-04, affine=True)
        self.conv25 = torch.nn.Conv2d(256, 256, 3, bias=True, padding=1)
        self.bn2d25 = torch.nn.BatchNorm2d(256, eps=1e-04, affine=True)
        self.conv3 = torch.nn.Conv2d(256, 128, 3, bias=True, padding=1)
        self.bn2d3 = torch.nn.BatchNorm2d(128, eps=1e-04, affine=True)  # defined, never applied
        self.conv_final = torch.nn.Conv2d(128, 1, 1, bias=True)

    def forward(self, x):
        x = self.pool(F.leaky_relu(self.bn2d1(self.conv1(x))))
        x = F.leaky_relu(self.bn2d2(self.conv2(x)))
        x = self.pool(F.leaky_relu(self.bn2d25(self.conv25(x))))
        return self.conv_final(self.conv3(x))


class FCDD_CNN28_W(torch.nn.Module):
    """The reference's FCDD_CNN28_W (bias=True)."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 128, 5, bias=True, padding=2)
        self.bn2d1 = torch.nn.BatchNorm2d(128, eps=1e-04, affine=True)
        self.pool = torch.nn.MaxPool2d(2, 2)
        self.conv2 = torch.nn.Conv2d(128, 128, 5, bias=True, padding=2)
        self.conv_final = torch.nn.Conv2d(128, 1, 1, bias=True)

    def forward(self, x):
        x = self.pool(F.leaky_relu(self.bn2d1(self.conv1(x))))
        x = self.pool(self.conv2(x))
        return self.conv_final(x)


def fcdd_scores(phi):
    """Per-sample anomaly score: mean over the map of sqrt(phi^2 + 1) - 1."""
    return ((phi ** 2 + 1).sqrt() - 1).reshape(len(phi), -1).mean(-1)


def fcdd_sample_loss(phi, labels):
    """The reference's sample-level loss: mean of A for label 0, -log(1 - exp(-A) + 1e-31) for label 1."""
    scores = fcdd_scores(phi)
    anomalous = -(((1 - (-scores).exp()) + 1e-31).log())
    return torch.where(labels == 1, anomalous, scores).mean()


# name: (net class, input shape (C, H, W), batch, "adam" / "sgd" / None for inference)
FCDD_WORKLOADS = {
    "fcdd_step_cifar_lw3k_b128": (FCDD_CNN32_LW3K, (3, 32, 32), 128, "adam"),
    "fcdd_step_fmnist_28w_b128": (FCDD_CNN28_W, (1, 28, 28), 128, "sgd"),
    "fcdd_infer_cifar_lw3k_b256": (FCDD_CNN32_LW3K, (3, 32, 32), 256, None),
}


def fcdd_step(name):
    """Builds the net, batch and optimiser of a workload; returns (one step, batch size)."""
    net_class, shape, batch, optimizer_kind = FCDD_WORKLOADS[name]
    torch.manual_seed(7)
    net = net_class()
    images = torch.randn(batch, *shape)
    if optimizer_kind is None:
        net.eval()

        def infer():
            with torch.no_grad():
                fcdd_scores(net(images))

        return infer, batch
    net.train()
    labels = torch.arange(batch) % 2  # half anomalous (1), half nominal (0), interleaved
    if optimizer_kind == "adam":
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-6)
    else:
        optimizer = torch.optim.SGD(net.parameters(), lr=1e-2, momentum=0.9, nesterov=True, weight_decay=1e-6)

    def train_step():
        optimizer.zero_grad()
        loss = fcdd_sample_loss(net(images), labels)
        loss.backward()
        optimizer.step()

    return train_step, batch


def proc_status_mb(field):
    """A field of /proc/self/status (VmHWM, VmRSS) in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return -1.0


def fcdd_rss_child(rss_name, threads, steps):
    """Peak RSS of `steps` steps of one FCDD workload; run in a fresh process.

    rss_mb is VmHWM, this process's own high-water mark, as on the Swift side. ru_maxrss is
    printed too, but it survives execve: in a child of the benchmark it starts at the
    parent's resident size at the fork, so it only means the same when run on its own."""
    import resource
    torch.set_num_threads(threads)
    step, _ = fcdd_step(rss_name.removeprefix("rss_"))
    start_mb = proc_status_mb("VmHWM")
    begin = time.perf_counter()
    for _ in range(steps):
        step()
    ms = (time.perf_counter() - begin) / steps * 1e3
    maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"bench={rss_name} impl=torch threads={threads} steps={steps} rss_mb={proc_status_mb('VmHWM'):.1f} "
          f"rss_mb_start={start_mb:.1f} ms_per_step={ms:.1f} ru_maxrss_mb={maxrss_mb:.1f}", flush=True)

if __name__ == "__main__":
    main()
