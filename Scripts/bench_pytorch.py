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
    fcdd_step_vgg_nopt_b16      FCDD_CNN224_VGG_NOPT, 3x224x224, batch 16, train mode, the reference's MVTec-AD
                                step: forward, pixel-wise loss on the map up-sampled with the receptive-field
                                Gaussian (sigma 12; all-ones ground-truth maps for the anomalous half, as its
                                confetti set-up), backward, SGD(lr 1e-3, momentum 0.9, nesterov, wd 1e-4)
    fcdd_step_vgg_f_b16         the same with FCDD_CNN224_VGG_F (random weights in place of the ImageNet
                                backbone; features[:15] frozen)
    fcdd_infer_vgg_b16          FCDD_CNN224_VGG eval mode, batch 16, forward + scores + 224x224 heatmaps
                                (receptive-field up-sampling, sigma 12) under no_grad
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


def vgg11_bn_features():
    """torchvision's vgg11_bn().features[:21] (what the reference's FCDD_CNN224_VGG keeps with
    features[:-8], and what FCDD_CNN224_VGG_NOPT writes out): 3x3 convs with bias, BatchNorm2d
    (eps 1e-5), ReLU(inplace), max-pools after the first, second and fourth conv."""
    layers, width = [], 3
    for channels in [64, "M", 128, "M", 256, 256, "M", 512, 512]:
        if channels == "M":
            layers.append(torch.nn.MaxPool2d(kernel_size=2, stride=2))
            continue
        layers += [torch.nn.Conv2d(width, channels, 3, padding=1), torch.nn.BatchNorm2d(channels), torch.nn.ReLU(True)]
        width = channels
    return torch.nn.Sequential(*layers)


class FCDD_CNN224_VGG(torch.nn.Module):
    """The reference's FCDD_CNN224_VGG and _NOPT (the same modules; here with PyTorch's default
    initialisation, the ImageNet backbone is not loaded): VGG11-BN features[:21] and a 1x1 conv."""
    receptive_field, jump, shift = 62, 8, 3  # r, j and int(s) of features[:21] + conv_final

    def __init__(self):
        super().__init__()
        self.features = vgg11_bn_features()
        self.conv_final = torch.nn.Conv2d(512, 1, 1, bias=True)

    def forward(self, x):
        return self.conv_final(self.features(x))


class FCDD_CNN224_VGG_F(FCDD_CNN224_VGG):
    """The reference's FCDD_CNN224_VGG_F: features[:15] frozen."""

    def __init__(self):
        super().__init__()
        for module in self.features[:15]:
            for parameter in module.parameters():
                parameter.requires_grad = False


def gkern(k, std):
    """The reference's gkern (datasets/noise.py): an unnormalised k x k Gaussian; for even k the
    centre of a k-1 window is duplicated and the window halved."""
    n = torch.arange(k - 1 if k % 2 == 0 else k, dtype=torch.float64)
    window = (-0.5 * ((n - (len(n) - 1) / 2) / std) ** 2).exp()
    if k % 2 == 0:
        centre = (k - 1) // 2
        window = torch.cat([window[:centre], window[centre:centre + 1], window[centre:]]) / 2
    return torch.outer(window, window).float()


def receptive_upsample(maps, net, size, std):
    """The reference's ReceptiveModule.receptive_upsample with reception=True: a transposed conv
    of the n x 1 x h x h map with gkern(r, std), stride j, cropped to size x size."""
    r, j, s = net.receptive_field, net.jump, net.shift
    output_padding = size - (maps.size(-1) - 1) * j - (2 if r % 2 == 0 else 1)
    kernel = gkern(r, std)[None, None]
    upsampled = F.conv_transpose2d(maps, kernel, stride=j, padding=0, output_padding=output_padding)
    pad = (r - 1) // 2
    return upsampled[:, :, pad - s:-pad - s, pad - s:-pad - s]


def fcdd_pixelwise_loss(phi, gtmaps, net, std):
    """The reference's FCDDTrainer.loss with ground-truth maps: A up-sampled, the nominal term
    over all pixels, -log(1 - exp(-mean)) of the anomalous pixels for samples that have any."""
    upsampled = receptive_upsample((phi ** 2 + 1).sqrt() - 1, net, gtmaps.size(-1), std)
    norm = (upsampled * (1 - gtmaps)).reshape(len(phi), -1).mean(-1)
    anomalous = (gtmaps == 1).reshape(len(phi), -1).sum(-1) > 0
    anom = torch.zeros_like(norm)
    if anomalous.sum() > 0:
        a = (upsampled * gtmaps)[anomalous]
        anom[anomalous] = -(((1 - (-a.reshape(a.size(0), -1).mean(-1)).exp()) + 1e-31).log())
    return (norm + anom).mean()


MVTEC_SIGMA = 12.0  # the reference's --gauss-std for MVTec-AD

# name: (net class, input shape (C, H, W), batch, step kind)
FCDD_WORKLOADS = {
    "fcdd_step_cifar_lw3k_b128": (FCDD_CNN32_LW3K, (3, 32, 32), 128, "adam"),
    "fcdd_step_fmnist_28w_b128": (FCDD_CNN28_W, (1, 28, 28), 128, "sgd"),
    "fcdd_infer_cifar_lw3k_b256": (FCDD_CNN32_LW3K, (3, 32, 32), 256, "scores"),
    "fcdd_step_vgg_nopt_b16": (FCDD_CNN224_VGG, (3, 224, 224), 16, "mvtec"),
    "fcdd_step_vgg_f_b16": (FCDD_CNN224_VGG_F, (3, 224, 224), 16, "mvtec"),
    "fcdd_infer_vgg_b16": (FCDD_CNN224_VGG, (3, 224, 224), 16, "heatmaps"),
}


def fcdd_step(name):
    """Builds the net, batch and optimiser of a workload; returns (one step, batch size)."""
    net_class, shape, batch, kind = FCDD_WORKLOADS[name]
    torch.manual_seed(7)
    net = net_class()
    images = torch.randn(batch, *shape)
    if kind == "scores":
        net.eval()

        def infer():
            with torch.no_grad():
                fcdd_scores(net(images))

        return infer, batch
    if kind == "heatmaps":
        net.eval()

        def predict():
            with torch.no_grad():
                phi = net(images)
                fcdd_scores(phi)
                receptive_upsample((phi ** 2 + 1).sqrt() - 1, net, shape[-1], MVTEC_SIGMA)

        return predict, batch
    net.train()
    labels = torch.arange(batch) % 2  # half anomalous (1), half nominal (0), interleaved
    if kind == "adam":
        optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, weight_decay=1e-6)
    elif kind == "sgd":
        optimizer = torch.optim.SGD(net.parameters(), lr=1e-2, momentum=0.9, nesterov=True, weight_decay=1e-6)
    else:
        optimizer = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9, nesterov=True, weight_decay=1e-4)
    if kind == "mvtec":
        gtmaps = labels.float().reshape(batch, 1, 1, 1).expand(batch, 1, *shape[1:]).contiguous()
        loss_of = lambda: fcdd_pixelwise_loss(net(images), gtmaps, net, MVTEC_SIGMA)
    else:
        loss_of = lambda: fcdd_sample_loss(net(images), labels)

    def train_step():
        optimizer.zero_grad()
        loss = loss_of()
        loss.backward()
        optimizer.step()

    return train_step, batch


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
