#!/usr/bin/env python3
"""Convert torchvision's VGG11-BN ``features`` weights to a safetensors file for FCDDSwift.

The VGG-based FCDD nets (``FCDD_CNN224_VGG_F``, ``FCDD_CNN224_VGG``, ``FCDD_CNN224_VGG_NOPT``;
``models/fcdd_cnn_224.py`` of liznerski/fcdd; see Sources/FCDD/FCDD.docc/FCDDGuide.md) use torchvision's
``vgg11_bn().features`` with the last 8 modules dropped, i.e. indices 0-20: six 3x3
convolutions (0, 4, 8, 11, 15, 18), each followed by a BatchNorm2d and a ReLU, and three
max-pools (3, 7, 14). ``FCDD_CNN224_VGG_F`` freezes ``features[:15]``.

The Swift VGG backbone names its parameters and buffers exactly like torchvision
(``features.<index>.weight``, ``.bias``, ``.running_mean``, ``.running_var``,
``.num_batches_tracked``), so the conversion only selects keys; nothing is renamed or
transposed. Floating-point tensors are written as float32 (``F32``); the rank-0
``num_batches_tracked`` buffers stay int64 (``I64``), which the Swift reader
(``Sources/NN/SafeTensors.swift``) converts to float32 on load. torchvision's
IMAGENET1K_V1 checkpoint (``vgg11_bn-6002323d.pth``, saved before PyTorch 0.4.1) has no
``num_batches_tracked`` entries: ``BatchNorm2d`` fills them with 0 when the state dict is
loaded, and those zeros are what the output file holds. They only matter for batch norm
with ``momentum=None``; FCDD uses the default momentum 0.1.

Needs PyTorch, torchvision and ``safetensors`` (``pip install torch torchvision safetensors``).

Usage::

    # ImageNet-pretrained weights (downloads vgg11_bn-6002323d.pth, ~507 MB, into the
    # torch hub cache, $TORCH_HOME/hub/checkpoints, unless it is already there):
    python3 Scripts/convert_vgg11_bn.py --output vgg11_bn_features.safetensors

    # Offline: a state dict downloaded elsewhere from
    # https://download.pytorch.org/models/vgg11_bn-6002323d.pth
    python3 Scripts/convert_vgg11_bn.py --weights-file vgg11_bn-6002323d.pth \\
        --output vgg11_bn_features.safetensors

    # Randomly initialised weights (torchvision's VGG init) for testing the pipeline:
    python3 Scripts/convert_vgg11_bn.py --random-init --seed 0 \\
        --output /tmp/vgg11_bn_features_random.safetensors

    # Regenerate the Swift test fixture listing the default output's names and shapes
    # (needs no weights; names and shapes do not depend on the values):
    python3 Scripts/convert_vgg11_bn.py --random-init \\
        --names-json Tests/NNTests/Fixtures/vgg11_bn_features_names.json

Options:
    --output PATH        the safetensors file to write (atomically: a temporary file in the
                         same directory, verified, then renamed over PATH).
    --weights-file PATH  read a downloaded ``vgg11_bn-*.pth`` state dict instead of using the
                         torch hub cache / network. Its SHA-256 must start with torchvision's
                         IMAGENET1K_V1 hash prefix (6002323d) unless --allow-unverified.
    --allow-unverified   accept a --weights-file whose SHA-256 does not match; the metadata
                         then names the file instead of IMAGENET1K_V1.
    --random-init        no pretrained weights: torchvision's initialisation (Kaiming-normal
                         convolutions, zero conv biases, BN weight 1 / bias 0, running mean 0,
                         running var 1) after ``torch.manual_seed(--seed)``.
    --seed N             seed for --random-init (default 0).
    --all-features       keep all 29 modules of ``features`` (indices 0-28, eight convs)
                         instead of indices 0-20.
    --classifier         keep all of ``features`` and the ``classifier`` too (``classifier.0``,
                         ``.3``, ``.6``: Linear 25088->4096, 4096->4096, 4096->1000), as the VGG
                         baselines (CNN224_VGG, CNN224_VGG_F, AE224_VGG, AE224_VGG_F) need.
    --names-json PATH    also write the sorted tensor names with shapes and dtypes as JSON.
    --quiet              no download progress bar.

The ``__metadata__`` of the output records: ``source`` (``torchvision vgg11_bn IMAGENET1K_V1``
or ``random-init seed N``, or ``state dict <file name> (unverified)``), ``torch_version``,
``torchvision_version``, ``feature_indices`` (``0-20`` or ``0-28``), ``input_sha256`` (the
SHA-256 of the .pth read, when there is one) and ``format`` (``pt``). safetensors stores
the metadata in a hash map, so the order of its keys, and hence the file's header bytes,
may differ between runs; the tensors' bytes do not.

After writing, the script reads the file back with ``safetensors.torch.load_file`` and
compares every tensor (names, dtypes, shapes and bytes) with the source state dict, and,
for a .pth input, compares the source state dict with the raw checkpoint too. It then prints
a summary (tensor count, parameter/buffer element counts, bytes, layer indices) and checks
the counts against what the kept modules of torchvision's ``vgg11_bn().features`` hold.

Exit status: 0 on success, 1 on a failure (download impossible, bad weights file, failed
verification), 2 on a usage error.
"""
import argparse
import hashlib
import json
import os
import re
import sys
import tempfile

import torch

DEFAULT_LAST_INDEX = 20          # FCDD drops features[21:] (the last 8 of 29 modules)
ALL_LAST_INDEX = 28
PRETRAINED_SOURCE = "torchvision vgg11_bn IMAGENET1K_V1"
SAFETENSORS_DTYPES = {torch.float32: "F32", torch.int64: "I64"}


class ConversionError(Exception):
    """A failure reported to the user as one message and exit status 1."""


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hash_prefix_of(name):
    """The hash prefix torch.hub puts in checkpoint names: ``vgg11_bn-6002323d.pth`` -> ``6002323d``."""
    match = re.search(r"-([a-f0-9]{6,})\.", os.path.basename(name))
    return match.group(1) if match else None


def load_checkpoint(path):
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # pickle, zip and weights_only errors have no common type
        raise ConversionError(f"cannot read {path} as a PyTorch state dict: {error}") from error
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ConversionError(f"{path} does not hold a state dict (a mapping of names to tensors)")
    return state


def build_model(args):
    """Returns (model, source description, raw checkpoint or None, SHA-256 of the .pth or None)."""
    from torchvision.models import VGG11_BN_Weights, vgg11_bn

    weights = VGG11_BN_Weights.IMAGENET1K_V1
    expected_prefix = hash_prefix_of(weights.url)

    if args.random_init:
        torch.manual_seed(args.seed)
        return vgg11_bn(weights=None), f"random-init seed {args.seed}", None, None

    if args.weights_file:
        path = args.weights_file
        if not os.path.isfile(path):
            raise ConversionError(f"--weights-file {path}: no such file")
        digest = sha256_of(path)
        name_prefix = hash_prefix_of(path)
        if name_prefix and not digest.startswith(name_prefix):
            raise ConversionError(
                f"{path}: SHA-256 {digest} does not start with the hash prefix '{name_prefix}' in "
                "its name; the file is corrupt or truncated (download it again)")
        if digest.startswith(expected_prefix):
            source = PRETRAINED_SOURCE
        elif args.allow_unverified:
            source = f"state dict {os.path.basename(path)} (unverified)"
            print(f"warning: {path}: SHA-256 {digest} is not torchvision's IMAGENET1K_V1 checkpoint "
                  f"(prefix {expected_prefix}); converting it anyway (--allow-unverified)", file=sys.stderr)
        else:
            raise ConversionError(
                f"{path}: SHA-256 {digest} does not start with {expected_prefix}, the hash prefix of "
                f"torchvision's IMAGENET1K_V1 vgg11_bn checkpoint ({weights.url}); pass "
                "--allow-unverified to convert it anyway")
        raw = load_checkpoint(path)
        model = vgg11_bn(weights=None)
        try:
            model.load_state_dict(raw, strict=True)
        except RuntimeError as error:
            raise ConversionError(f"{path} is not a vgg11_bn state dict: {error}") from error
        return model, source, raw, digest

    # Pretrained weights through torchvision and the torch hub cache.
    try:
        model = vgg11_bn(weights="IMAGENET1K_V1", progress=not args.quiet)
    except Exception as error:  # URLError, HTTPError, OSError, hash mismatch (RuntimeError), ...
        cache = os.path.join(torch.hub.get_dir(), "checkpoints")
        raise ConversionError(
            f"could not download the pretrained vgg11_bn weights from {weights.url}: "
            f"{type(error).__name__}: {error}\n"
            f"On a machine without network access, download that file elsewhere and either pass "
            f"it with --weights-file PATH or put it into the torch hub cache ({cache}).") from error
    cached = os.path.join(torch.hub.get_dir(), "checkpoints", os.path.basename(weights.url))
    if os.path.isfile(cached):
        # torch.hub checks the hash prefix only while downloading, not for a cached file.
        digest = sha256_of(cached)
        if not digest.startswith(expected_prefix):
            raise ConversionError(
                f"the cached checkpoint {cached} has SHA-256 {digest}, which does not start with "
                f"{expected_prefix}: it is not torchvision's IMAGENET1K_V1 file (corrupt or replaced); "
                "delete it and run again, or pass a good copy with --weights-file")
        return model, PRETRAINED_SOURCE, load_checkpoint(cached), digest
    print(f"note: downloaded checkpoint not found at {cached}; input_sha256 is not recorded",
          file=sys.stderr)
    return model, PRETRAINED_SOURCE, None, None


def feature_index(name):
    match = re.fullmatch(r"features\.(\d+)\.[A-Za-z_]+", name)
    return int(match.group(1)) if match else None


def classifier_index(name):
    match = re.fullmatch(r"classifier\.(\d+)\.[A-Za-z_]+", name)
    return int(match.group(1)) if match else None


def select_tensors(model, last_index, classifier):
    """The model's ``features.<i>.*`` entries with i <= last_index (and the ``classifier.*``
    entries when ``classifier``), float tensors as float32."""
    selected = {}
    converted = []
    for name, tensor in model.state_dict().items():
        index = feature_index(name)
        wanted = (index is not None and index <= last_index) or (classifier and classifier_index(name) is not None)
        if not wanted:
            continue
        tensor = tensor.detach().cpu()
        if tensor.is_floating_point() and tensor.dtype != torch.float32:
            converted.append(f"{name} ({tensor.dtype})")
            tensor = tensor.to(torch.float32)
        if tensor.dtype not in SAFETENSORS_DTYPES:
            raise ConversionError(f"{name} has dtype {tensor.dtype}; expected float32 or int64")
        selected[name] = tensor.contiguous().clone()
    if converted:
        print("note: converted to float32: " + ", ".join(converted), file=sys.stderr)
    return selected


def expected_layout(model, last_index, classifier):
    """Names, shapes and layer descriptions that the kept modules of ``features`` (and of
    ``classifier``) must give."""
    expected = {}
    layers = []
    for index, module in enumerate(model.features):
        if index > last_index:
            break
        kind = type(module).__name__
        if isinstance(module, torch.nn.Conv2d):
            layers.append((index, f"Conv2d {module.in_channels}->{module.out_channels} "
                                  f"k{module.kernel_size[0]}x{module.kernel_size[1]}"))
        elif isinstance(module, torch.nn.BatchNorm2d):
            layers.append((index, f"BatchNorm2d {module.num_features}"))
        else:
            layers.append((index, kind))
        for local, tensor in module.state_dict().items():
            expected[f"features.{index}.{local}"] = tuple(tensor.shape)
    if classifier:
        for index, module in enumerate(model.classifier):
            if isinstance(module, torch.nn.Linear):
                layers.append((f"classifier.{index}", f"Linear {module.in_features}->{module.out_features}"))
            for local, tensor in module.state_dict().items():
                expected[f"classifier.{index}.{local}"] = tuple(tensor.shape)
    return expected, layers


def same_bits(a, b):
    return (a.dtype == b.dtype and tuple(a.shape) == tuple(b.shape)
            and a.contiguous().numpy().tobytes() == b.contiguous().numpy().tobytes())


def verify(path, tensors, metadata):
    from safetensors import safe_open
    from safetensors.torch import load_file

    loaded = load_file(path)
    if set(loaded) != set(tensors):
        missing = sorted(set(tensors) - set(loaded))
        extra = sorted(set(loaded) - set(tensors))
        raise ConversionError(f"verification failed: {path}: missing {missing}, unexpected {extra}")
    for name, tensor in tensors.items():
        if not same_bits(loaded[name], tensor):
            raise ConversionError(
                f"verification failed: {path}: {name} read back as {loaded[name].dtype} "
                f"{tuple(loaded[name].shape)}, differs from the source {tensor.dtype} {tuple(tensor.shape)}")
    with safe_open(path, framework="pt") as handle:
        if handle.metadata() != metadata:
            raise ConversionError(f"verification failed: {path}: metadata {handle.metadata()} != {metadata}")


def write_atomically(path, write):
    """Calls ``write(temporary_path)``, then renames the temporary file over ``path``."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(temporary)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def safetensors_dtype(tensor):
    return SAFETENSORS_DTYPES[tensor.dtype]


def names_json(tensors, last_index, torchvision_version):
    entries = []
    for name in sorted(tensors):
        tensor = tensors[name]
        kind = "parameter" if name.endswith((".weight", ".bias")) else "buffer"
        entries.append({"name": name, "shape": list(tensor.shape), "dtype": safetensors_dtype(tensor),
                        "kind": kind})
    parameters = sum(t.numel() for n, t in tensors.items() if n.endswith((".weight", ".bias")))
    header = {
        "version": 1,
        "model": "torchvision vgg11_bn().features",
        "feature_indices": [0, last_index],
        "torchvision": torchvision_version.split("+")[0],
        "generator": "Scripts/convert_vgg11_bn.py --names-json",
        "tensor_count": len(tensors),
        "parameter_count": parameters,
        "element_count": sum(t.numel() for t in tensors.values()),
    }
    lines = json.dumps(header, separators=(",", ":"))[:-1] + ',\n"tensors":[\n'
    lines += ",\n".join(json.dumps(e, separators=(",", ":")) for e in entries)
    return lines + "\n]}\n"


def main():
    parser = argparse.ArgumentParser(
        description="Convert torchvision's vgg11_bn features (indices 0-20 by default) to safetensors.",
        epilog="The docstring at the top of Scripts/convert_vgg11_bn.py has examples and details.")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--weights-file", metavar="PATH",
                        help="a downloaded vgg11_bn-*.pth state dict (offline machines)")
    source.add_argument("--random-init", action="store_true",
                        help="randomly initialised weights instead of the pretrained ones")
    parser.add_argument("--seed", type=int, default=0, help="seed for --random-init (default 0)")
    parser.add_argument("--allow-unverified", action="store_true",
                        help="accept a --weights-file that is not torchvision's IMAGENET1K_V1 checkpoint")
    parser.add_argument("--all-features", action="store_true",
                        help="keep all 29 modules of features (indices 0-28) instead of 0-20")
    parser.add_argument("--classifier", action="store_true",
                        help="keep all of features and the classifier (for the VGG HSC and AE baselines)")
    parser.add_argument("--output", metavar="PATH", help="the safetensors file to write")
    parser.add_argument("--names-json", metavar="PATH",
                        help="also write the sorted tensor names, shapes and dtypes as JSON")
    parser.add_argument("--quiet", action="store_true", help="no download progress bar")
    args = parser.parse_args()
    if not args.output and not args.names_json:
        parser.error("nothing to do: give --output and/or --names-json")
    if args.allow_unverified and not args.weights_file:
        parser.error("--allow-unverified only applies to --weights-file")
    if args.seed != 0 and not args.random_init:
        parser.error("--seed only applies to --random-init")

    try:
        import torchvision
    except ImportError:
        print("error: torchvision is not installed (pip install torchvision)", file=sys.stderr)
        return 1

    last_index = ALL_LAST_INDEX if args.all_features or args.classifier else DEFAULT_LAST_INDEX
    try:
        model, source_text, raw, digest = build_model(args)
        model.eval()
        tensors = select_tensors(model, last_index, args.classifier)

        # The selection must be exactly what the kept modules hold.
        expected, layers = expected_layout(model, last_index, args.classifier)
        got = {name: tuple(t.shape) for name, t in tensors.items()}
        if got != expected:
            raise ConversionError(f"selected tensors {sorted(got)} differ from the expected layout {sorted(expected)}")
        # The source state dict must equal the raw checkpoint wherever the checkpoint has the key.
        if raw is not None:
            absent = []
            for name, tensor in tensors.items():
                if name not in raw:
                    absent.append(name)
                elif not same_bits(raw[name].to(tensor.dtype), tensor):
                    raise ConversionError(f"{name} differs from the checkpoint after loading")
            if absent:
                print(f"note: {len(absent)} tensors are not in the checkpoint and hold BatchNorm2d's "
                      f"defaults: {', '.join(sorted(absent, key=lambda n: (feature_index(n), n)))}",
                      file=sys.stderr)

        metadata = {
            "format": "pt",
            "source": source_text,
            "torch_version": torch.__version__,
            "torchvision_version": torchvision.__version__,
            "feature_indices": f"0-{last_index}",
        }
        if args.classifier:
            metadata["classifier"] = "0,3,6"
        if digest is not None:
            metadata["input_sha256"] = digest

        if args.output:
            from safetensors.torch import save_file

            def write(temporary):
                save_file(tensors, temporary, metadata=metadata)
                verify(temporary, tensors, metadata)

            write_atomically(args.output, write)
            verify(args.output, tensors, metadata)

        if args.names_json:
            text = names_json(tensors, last_index, torchvision.__version__)

            def write_json(temporary):
                with open(temporary, "w", encoding="utf-8") as handle:
                    handle.write(text)

            write_atomically(args.names_json, write_json)
    except ConversionError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1

    # Summary.
    convs = [i for i, m in enumerate(model.features) if i <= last_index and isinstance(m, torch.nn.Conv2d)]
    norms = [i for i, m in enumerate(model.features) if i <= last_index and isinstance(m, torch.nn.BatchNorm2d)]
    parameters = sum(t.numel() for n, t in tensors.items() if n.endswith((".weight", ".bias")))
    buffers = sum(t.numel() for n, t in tensors.items() if not n.endswith((".weight", ".bias")))
    data_bytes = sum(t.numel() * t.element_size() for t in tensors.values())
    linears = [i for i, m in enumerate(model.classifier) if args.classifier and isinstance(m, torch.nn.Linear)]
    expected_count = 2 * len(convs) + 5 * len(norms) + 2 * len(linears)
    print(f"source:       {source_text}")
    if digest is not None:
        print(f"input sha256: {digest}")
    print(f"kept:         features[0..{last_index}] ({last_index + 1} modules: {len(convs)} Conv2d, "
          f"{len(norms)} BatchNorm2d, the rest ReLU/MaxPool2d without tensors)")
    if linears:
        print(f"classifier:   Linear layers {', '.join(f'classifier.{i}' for i in linears)}")
    print(f"tensors:      {len(tensors)} (expected {len(convs)} conv x 2 + {len(norms)} BN x 5 + "
          f"{len(linears)} linear x 2 = {expected_count}; "
          f"{sum(1 for t in tensors.values() if t.dtype == torch.float32)} F32, "
          f"{sum(1 for t in tensors.values() if t.dtype == torch.int64)} I64 num_batches_tracked)")
    print(f"parameters:   {parameters:,} learnable (weights and biases) + {buffers:,} buffer elements "
          f"= {parameters + buffers:,} elements")
    print(f"bytes:        {data_bytes:,} tensor data bytes")
    with_tensors = ("Conv2d", "BatchNorm2d", "Linear")
    print("layers with tensors: " + ", ".join(f"{i} {d}" for i, d in layers if d.startswith(with_tensors)))
    print("layers without:      " + ", ".join(f"{i} {d}" for i, d in layers if not d.startswith(with_tensors)))
    if len(tensors) != expected_count:
        print(f"error: {len(tensors)} tensors, expected {expected_count}", file=sys.stderr)
        return 1
    if args.output:
        print(f"wrote {args.output} ({os.path.getsize(args.output):,} bytes), verified bit-exactly "
              f"against the source via safetensors.torch.load_file")
    if args.names_json:
        print(f"wrote {args.names_json} ({len(tensors)} names)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
