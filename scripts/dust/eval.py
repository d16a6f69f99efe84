#!/usr/bin/python3
"""Evaluate the dust-plume model on a held-out synthetic set that training never saw.

    nice -n 19 /usr/bin/python3 scripts/dust/eval.py [--data /tmp/dust-eval] [--count 600]

Generates the set with synth.py (seed 1001, JPEG files as a camera would give them)
unless it exists, runs models/dust-plume.onnx through onnxruntime-node (the runtime
src/detect/ uses; Python has no onnxruntime here), applies the post-processing of
models/dust-plume.json and reports image-level precision/recall/F1, plume-level F1
at box IoU >= 0.3, the false-alarm rate on hard negatives, and ms per image at 1
and 2 threads. With --checkpoint it also checks that ONNX and torch agree.

With --npy-set STEM it instead scores a cached set already at the model input size
(STEM-images.npy, -masks.npy, -labels.json, e.g. the simulator-rendered set of
render-world-set.ts): image P/R/F1, plume F1 and the false-alarm rate on its negatives.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import metrics  # noqa: E402

EVAL_SEED = 1001  # training uses seed 1, validation seed 3, test fixtures seed 2001


def ensure_dataset(data_dir, count, seed):
    if not os.path.exists(os.path.join(data_dir, "labels.json")):
        subprocess.run(
            [sys.executable, os.path.join(HERE, "synth.py"), "--out", data_dir,
             "--count", str(count), "--seed", str(seed), "--size", "256"],
            check=True,
        )
    with open(os.path.join(data_dir, "labels.json")) as f:
        labels = json.load(f)
    if labels["seed"] != seed:
        raise SystemExit(f"{data_dir} holds seed {labels['seed']}, expected the held-out seed {seed}")
    return labels["images"]


def load_images(data_dir, labels, size_px):
    """Decoded JPEGs as float32 N×3×H×W in [0, 1], stretched to the model input like the TS side."""
    batch = np.empty((len(labels), 3, size_px, size_px), np.float32)
    for i, label in enumerate(labels):
        image = Image.open(os.path.join(data_dir, label["image"])).convert("RGB")
        if image.size != (size_px, size_px):
            image = image.resize((size_px, size_px), Image.BILINEAR)
        batch[i] = np.asarray(image, np.float32).transpose(2, 0, 1) / 255.0
    return batch


def run_onnx(model_path, images, threads, work_dir):
    """Probabilities N×H×W and ms per image from onnxruntime-node."""
    input_path = os.path.join(work_dir, "input.f32")
    output_path = os.path.join(work_dir, "output.f32")
    images.astype(np.float32).tofile(input_path)
    result = subprocess.run(
        ["node", os.path.join(HERE, "ort_infer.cjs"), model_path, input_path,
         str(len(images)), output_path, str(threads)],
        check=True, capture_output=True, text=True,
    )
    timing = json.loads(result.stdout.strip().splitlines()[-1])
    probs = np.fromfile(output_path, np.float32).reshape(len(images), images.shape[2], images.shape[3])
    return probs, timing["msPerImage"]


def torch_probs(checkpoint, images):
    import torch

    from model import load_checkpoint

    torch.set_num_threads(2)
    model, _state = load_checkpoint(checkpoint)
    with torch.no_grad():
        return model(torch.from_numpy(images))[:, 0].numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="/tmp/dust-eval", help="held-out set folder (made if missing)")
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--models", default=os.path.join(HERE, "..", "..", "models"))
    parser.add_argument("--checkpoint", default=None, help="torch checkpoint to compare with the ONNX output")
    parser.add_argument("--speed-images", type=int, default=100, help="images timed per thread count")
    parser.add_argument("--out", default=None, help="also write the report as JSON here")
    parser.add_argument("--npy-set", default=None, metavar="STEM",
                        help="score this cached set (STEM-images.npy, -labels.json) instead of the held-out synthetic set")
    args = parser.parse_args()
    if args.npy_set:
        evaluate_npy_set(args)
        return

    with open(os.path.join(args.models, "dust-plume.json")) as f:
        description = json.load(f)
    model_path = os.path.join(args.models, description["model"])
    size_px = description["input"]["shape"][2]
    post = description["postprocess"]
    labels = ensure_dataset(args.data, args.count, EVAL_SEED)
    images = load_images(args.data, labels, size_px)

    with tempfile.TemporaryDirectory() as work_dir:
        probs, ms_2_threads = run_onnx(model_path, images, 2, work_dir)
        _, ms_1_thread = run_onnx(model_path, images[: args.speed_images], 1, work_dir)
    report = metrics.evaluate(probs, labels, post["threshold"], post["min_blob_area_px"], post.get("merge_gap_px", 0))
    report["images"] = len(labels)
    report["images_with_plumes"] = sum(label["has_plume"] for label in labels)
    report["seed"] = EVAL_SEED
    report["onnxruntime_node_ms_per_image"] = {"1_thread": round(ms_1_thread, 2), "2_threads": round(ms_2_threads, 2)}
    if args.checkpoint:
        reference = torch_probs(args.checkpoint, images[:16])
        report["onnx_vs_torch_max_abs_diff"] = float(np.abs(reference - probs[:16]).max())
    print_report(report)
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)


def evaluate_npy_set(args):
    """The model with its own post-processing on a cached uint8 set at its input size."""
    with open(os.path.join(args.models, "dust-plume.json")) as f:
        description = json.load(f)
    post = description["postprocess"]
    with open(args.npy_set + "-labels.json") as f:
        labels = json.load(f)
    images = np.load(args.npy_set + "-images.npy", mmap_mode="r")
    batch = np.ascontiguousarray(images).transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    with tempfile.TemporaryDirectory() as work_dir:
        probs, _ms = run_onnx(os.path.join(args.models, description["model"]), batch, 2, work_dir)
    report = metrics.evaluate(probs, labels, post["threshold"], post["min_blob_area_px"], post.get("merge_gap_px", 0))
    negatives = report["image"]["fp"] + report["image"]["tn"]
    report["set"] = args.npy_set
    report["images"] = len(labels)
    report["images_with_plumes"] = sum(label["has_plume"] for label in labels)
    report["false_alarm_rate_on_negatives"] = report["image"]["fp"] / negatives if negatives else 0.0
    image, plume = report["image"], report["plume"]
    print(f"{args.npy_set}: {report['images']} images, {report['images_with_plumes']} with plumes, "
          f"{plume['tp'] + plume['fn']} plumes; models {os.path.abspath(args.models)}")
    print(f"post-processing: threshold {report['threshold']}, min blob area {report['min_area_px']} px, "
          f"merge gap {report['merge_gap_px']} px")
    print(f"image level: precision {image['precision']:.3f} recall {image['recall']:.3f} F1 {image['f1']:.3f} "
          f"(tp {image['tp']} fp {image['fp']} fn {image['fn']} tn {image['tn']})")
    print(f"plume level (box IoU >= {plume['iou_min']}): precision {plume['precision']:.3f} "
          f"recall {plume['recall']:.3f} F1 {plume['f1']:.3f} (tp {plume['tp']} fp {plume['fp']} fn {plume['fn']})")
    print(f"false-alarm rate on negatives: {report['false_alarm_rate_on_negatives']:.3f} "
          f"({image['fp']} / {negatives})")
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)


def print_report(report):
    image, plume = report["image"], report["plume"]
    print(f"held-out synthetic set: seed {report['seed']}, {report['images']} images, "
          f"{report['images_with_plumes']} with plumes, {plume['tp'] + plume['fn']} plumes")
    print(f"post-processing: threshold {report['threshold']}, min blob area {report['min_area_px']} px, "
          f"merge gap {report['merge_gap_px']} px")
    print(f"image level: precision {image['precision']:.3f} recall {image['recall']:.3f} F1 {image['f1']:.3f} "
          f"(tp {image['tp']} fp {image['fp']} fn {image['fn']} tn {image['tn']})")
    print(f"plume level (box IoU >= {plume['iou_min']}): precision {plume['precision']:.3f} "
          f"recall {plume['recall']:.3f} F1 {plume['f1']:.3f} (tp {plume['tp']} fp {plume['fp']} fn {plume['fn']})")
    print(f"hard-negative false-alarm rate: {report['hard_negative_false_alarm_rate']:.3f}")
    for kind, counts in sorted(report["hard_negatives"].items()):
        print(f"  {kind:12s} {counts['false_alarms']:3d} / {counts['images']:3d}")
    print("plume recall by contrast (mean |I - J| over the plume mask):")
    for bucket, counts in report["plume_recall_by_contrast"].items():
        if counts["plumes"]:
            print(f"  {bucket:10s} {counts['found']:3d} / {counts['plumes']:3d} = {counts['found'] / counts['plumes']:.3f}")
    speed = report["onnxruntime_node_ms_per_image"]
    print(f"onnxruntime-node, batch 1: {speed['1_thread']:.1f} ms/image (1 thread), "
          f"{speed['2_threads']:.1f} ms/image (2 threads)")
    if "onnx_vs_torch_max_abs_diff" in report:
        print(f"ONNX vs torch, 16 images: max |difference| {report['onnx_vs_torch_max_abs_diff']:.2e}")


if __name__ == "__main__":
    main()
