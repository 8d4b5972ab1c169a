#!/usr/bin/env python3
"""Write the seed corpora of the libFuzzer targets in Fuzzing/ (Scripts/fuzz.sh runs them).

Run it from the package root with any Python 3 (standard library only):

    python3 Scripts/make_fuzz_corpus.py

Every seed is either generated here or copied from this repository's own test fixtures
(images written by Scripts/make_image_fixtures.py, the safetensors file written by
Scripts/make_safetensors_fixture.py); nothing comes from outside. Each corpus is a few
valid files, so that the fuzzer starts from inputs that reach deep into the reader.

    Fuzzing/Corpus/png/          small PNGs: 1-bit grey, palette, interlaced colour, 16-bit RGBA
    Fuzzing/Corpus/jpeg/         small JPEGs: grey, progressive colour, CMYK
    Fuzzing/Corpus/gzip-idx/     an IDX file raw, gzipped, zlib-wrapped, as two gzip members
    Fuzzing/Corpus/cifar/        one CIFAR-10 record, one CIFAR-100 record
    Fuzzing/Corpus/safetensors/  every dtype with metadata; a minimal file
    Fuzzing/Corpus/model/        model files of the fuzz target's one-layer net `FuzzTiny`
                                 (objectives fcdd, hsc with blur, ae; three preprocessings;
                                 five input channels and disagreeing channel counts, findings
                                 kept as seeds)
"""
import gzip
import json
import os
import shutil
import struct
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "Fuzzing", "Corpus")
IMAGES = os.path.join(ROOT, "Tests", "DatasetsTests", "Fixtures", "images")
NN_FIXTURES = os.path.join(ROOT, "Tests", "NNTests", "Fixtures")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as handle:
        handle.write(data)


def copy(target, source_folder, names):
    for name in names:
        with open(os.path.join(source_folder, name), "rb") as handle:
            write(target, name, handle.read())


def idx(dimensions, values):
    header = struct.pack(">BBBB", 0, 0, 0x08, len(dimensions)) + b"".join(struct.pack(">I", d) for d in dimensions)
    return header + bytes(values)


def safetensors(tensors, metadata):
    """tensors: name -> (dtype, shape, raw bytes), laid out in name order."""
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = metadata
    for name in sorted(tensors):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(blobs)


def f32(*values):
    return struct.pack("<%df" % len(values), *values)


def model(objective, preprocessing, extra, channels=1):
    metadata = {
        "format": "fcdd-swift.model",
        "objective": objective,
        "net": "FuzzTiny",
        "net_hyperparameters": json.dumps({"input_channels": str(channels)}),
        "input_channels": str(channels),
        "input_height": "8",
        "input_width": "8",
        "preprocessing": json.dumps(preprocessing),
    }
    metadata.update(extra)
    tensors = {"0.weight": ("F32", [1, channels, 1, 1], f32(*[0.5] * channels)), "0.bias": ("F32", [1], f32(0.25))}
    return safetensors(tensors, metadata)


def main():
    shutil.rmtree(CORPUS, ignore_errors=True)

    copy("png", IMAGES, ["grey1.png", "palette4.png", "interlaced-rgb8.png", "rgba16.png", "greyalpha8.png"])
    copy("jpeg", IMAGES, ["grey.jpg", "rgb-progressive.jpg", "cmyk.jpg"])

    raw = idx([2, 3, 4], [(7 * i) % 256 for i in range(24)])
    write("gzip-idx", "images.idx", raw)
    write("gzip-idx", "labels.idx", idx([5], [0, 1, 2, 3, 9]))
    write("gzip-idx", "images.idx.gz", gzip.compress(raw, mtime=0))
    write("gzip-idx", "images.idx.zlib", zlib.compress(raw))
    write("gzip-idx", "two-members.gz", gzip.compress(raw[:10], mtime=0) + gzip.compress(raw[10:], mtime=0))

    image = bytes((5 * i) % 256 for i in range(3 * 32 * 32))
    write("cifar", "cifar10-record.bin", bytes([3]) + image)
    write("cifar", "cifar100-record.bin", bytes([4, 42]) + image)

    copy("safetensors", NN_FIXTURES, ["python_written.safetensors"])
    write("safetensors", "minimal.safetensors",
          safetensors({"w": ("F32", [2, 2], f32(1, -2, 0.5, 3)), "n": ("I64", [], struct.pack("<q", 7))}, {"k": "v"}))

    write("model", "fcdd-identity.safetensors",
          model("fcdd", {"identity": {}}, {"sigma": "1.0", "pixel_wise_loss": "false", "threshold": "0.5"}))
    write("model", "hsc-blur-minmax.safetensors",
          model("hsc", {"localContrastMinMax": {"minimum": [-1.0], "maximum": [1.0]}},
                {"gradient_method": "grad", "blur_kernel_size": "3", "blur_sigma": "1.0", "blur_border": "reflect"}))
    write("model", "ae-fashion.safetensors", model("ae", {"fashionMNIST": {"normalClass": 0}}, {}))
    # Fuzzing finding: 5 input channels load, and predict(image:) stopped converting an image to them.
    write("model", "five-channels.safetensors", model("fcdd", {"identity": {}}, {"sigma": "1.0"}, channels=5))
    # Fuzzing finding: net_hyperparameters name 5 channels, input_channels 2 (the crash file itself,
    # also Tests/FCDDTests/Fixtures/fuzzing/model-channels-disagree.safetensors).
    findings = os.path.join(ROOT, "Tests", "FCDDTests", "Fixtures", "fuzzing")
    copy("model", findings, ["model-channels-disagree.safetensors"])


if __name__ == "__main__":
    main()
