#!/usr/bin/python3
"""Train the dust-plume U-Net on synthetic images, tune its post-processing, export ONNX.

One command (Debian's python3, CPU only, two threads, about an hour in all):

    nice -n 19 /usr/bin/python3 scripts/dust/train.py

1. generates (or reloads from --cache) the training set (seed 1) and a validation
   set (seed 3) with synth.py;
2. trains on 128×128 random crops (cheap: most steps), then on whole 256×256
   images (so the network sees whole-frame context such as fog and sky);
3. keeps the checkpoint with the best validation score, tunes the threshold and
   minimum blob area on the validation set (never on the evaluation set, seed 1001);
4. writes models/dust-plume.onnx and models/dust-plume.json.

Optionally (--extra-train/--extra-val/--extra-share, off by default) a second set,
such as the simulator-rendered set of scripts/dust/render-world-set.ts, is mixed
into every batch and validated on beside the synthetic validation set.
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import metrics  # noqa: E402
import synth  # noqa: E402
from model import DustUNet, export_onnx, load_checkpoint, parameter_count  # noqa: E402

TRAIN_SEED = 1
VAL_SEED = 3
INPUT_SIZE_PX = 256


def log(message):
    print(time.strftime("%H:%M:%S"), message, flush=True)


def load_or_generate(cache_dir, seed, count, size_px):
    """A synthetic set as uint8 arrays, cached under cache_dir (outside the repository)."""
    stem = os.path.join(cache_dir, f"train-s{seed}-n{count}-{size_px}")
    if os.path.exists(stem + "-labels.json"):
        images = np.load(stem + "-images.npy")
        masks = np.load(stem + "-masks.npy")
        with open(stem + "-labels.json") as f:
            labels = json.load(f)
        log(f"loaded {count} images (seed {seed}) from {cache_dir}")
        return images, masks, labels
    started_s = time.time()
    images, masks, labels = synth.generate_arrays(seed, count, size_px)
    os.makedirs(cache_dir, exist_ok=True)
    np.save(stem + "-images.npy", images)
    np.save(stem + "-masks.npy", masks)
    with open(stem + "-labels.json", "w") as f:
        json.dump(labels, f)
    log(f"generated {count} images (seed {seed}) in {time.time() - started_s:.0f} s")
    return images, masks, labels


def load_extra(cache_dir, stems):
    """One or more cached sets (comma-separated stems, absolute or relative to cache_dir), concatenated."""
    parts = []
    for stem in stems.split(","):
        stem = stem if os.path.isabs(stem) else os.path.join(cache_dir, stem)
        with open(stem + "-labels.json") as f:
            labels = json.load(f)
        parts.append((np.load(stem + "-images.npy"), np.load(stem + "-masks.npy").astype(bool), labels))
        log(f"loaded {len(labels)} extra images ({sum(label['has_plume'] for label in labels)} with plumes) from {stem}")
    images = np.concatenate([p[0] for p in parts]) if len(parts) > 1 else parts[0][0]
    masks = np.concatenate([p[1] for p in parts]) if len(parts) > 1 else parts[0][1]
    return images, masks, [label for p in parts for label in p[2]]


def extra_count(rng, batch_size, share):
    """How many of a batch come from the extra set: batch_size × share on average (the remainder drawn)."""
    whole = int(math.floor(batch_size * share))
    return whole + int(rng.random() < batch_size * share - whole)


def make_batch(rng, images, masks, labels, batch_size, crop_px):
    """A random batch: crops, horizontal flips, and (aerial views only) rotations."""
    count, size_px = images.shape[0], images.shape[1]
    picks = rng.integers(0, count, batch_size)
    xs = np.empty((batch_size, crop_px, crop_px, 3), np.uint8)
    ys = np.empty((batch_size, crop_px, crop_px), bool)
    for k, i in enumerate(picks):
        top, left = rng.integers(0, size_px - crop_px + 1, 2)
        image = images[i, top : top + crop_px, left : left + crop_px]
        mask = masks[i, top : top + crop_px, left : left + crop_px]
        if rng.random() < 0.5:
            image, mask = image[:, ::-1], mask[:, ::-1]
        if labels[i]["view"] == "aerial":  # a nadir view has no "up"
            turns = int(rng.integers(4))
            image, mask = np.rot90(image, turns), np.rot90(mask, turns)
        xs[k], ys[k] = image, mask
    x = torch.from_numpy(xs).permute(0, 3, 1, 2).float().div_(255.0)
    y = torch.from_numpy(ys).float().unsqueeze(1)
    return x, y


def bce_dice_loss(logits, target):
    bce = F.binary_cross_entropy_with_logits(logits, target)
    prob = torch.sigmoid(logits)
    intersection = (prob * target).sum()
    dice = 1 - (2 * intersection + 1) / (prob.sum() + target.sum() + 1)
    return bce + dice


@torch.no_grad()
def predict(model, images, batch_size=32):
    """Probability maps N×H×W for uint8 images N×H×W×3."""
    model.eval()
    out = []
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(images[start : start + batch_size]).permute(0, 3, 1, 2).float() / 255.0
        out.append(model(x)[:, 0].numpy())
    return np.concatenate(out)


def validate(model, images, masks, labels):
    probs = predict(model, images)
    pred = probs >= 0.5
    intersection = (pred & masks).sum()
    union = (pred | masks).sum()
    result = metrics.evaluate(probs, labels, 0.5, 40)
    result["pixel_iou"] = float(intersection / max(union, 1))
    result["score"] = (result["image"]["f1"] + result["plume"]["f1"]) / 2
    return result, probs


def learning_rate(step, total_steps, peak_lr, warmup_steps=200):
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak_lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))


def train(args):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)
    started_s = time.time()
    images, masks, labels = load_or_generate(args.cache, TRAIN_SEED, args.train_count, INPUT_SIZE_PX)
    val_images, val_masks, val_labels = load_or_generate(args.cache, VAL_SEED, args.val_count, INPUT_SIZE_PX)
    log(f"plume pixels: {masks.mean() * 100:.1f} % of training pixels")
    extra = load_extra(args.cache, args.extra_train) if args.extra_train else None
    extra_val = load_extra(args.cache, args.extra_val) if args.extra_val else None
    if args.extra_share > 0 and extra is None:
        raise SystemExit("--extra-share needs --extra-train")

    model = DustUNet()
    if args.init:  # continue from earlier weights (a fine-tune), with a fresh schedule
        model.load_state_dict(torch.load(args.init, map_location="cpu")["model"])
        log(f"initialised from {args.init}")
    log(f"DustUNet: {parameter_count(model)} parameters")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    phases = [(args.crop_steps, 128, 16), (args.full_steps, INPUT_SIZE_PX, 8)]  # steps, crop, batch
    total_steps = args.crop_steps + args.full_steps
    best_score, step, running = -1.0, 0, []
    checkpoint = os.path.join(args.cache, args.checkpoint_name)
    for phase_steps, crop_px, batch_size in phases:
        for _ in range(phase_steps):
            model.train()
            for group in optimizer.param_groups:
                group["lr"] = learning_rate(step, total_steps, args.lr)
            if extra is not None and args.extra_share > 0:
                n_extra = extra_count(rng, batch_size, args.extra_share)
                x, y = make_batch(rng, images, masks, labels, batch_size - n_extra, crop_px)
                if n_extra:
                    xe, ye = make_batch(rng, *extra, n_extra, crop_px)
                    x, y = torch.cat([x, xe]), torch.cat([y, ye])
            else:
                x, y = make_batch(rng, images, masks, labels, batch_size, crop_px)
            loss = bce_dice_loss(model.logits(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            running.append(loss.item())
            step += 1
            if step % 100 == 0:
                log(f"step {step}/{total_steps} crop {crop_px} loss {np.mean(running):.4f} "
                    f"elapsed {(time.time() - started_s) / 60:.1f} min")
                running = []
            if step % args.val_every == 0 or step == total_steps:
                result, _ = validate(model, val_images, val_masks, val_labels)
                log(f"val step {step}: image F1 {result['image']['f1']:.3f} plume F1 {result['plume']['f1']:.3f} "
                    f"pixel IoU {result['pixel_iou']:.3f} hard-neg FA {result['hard_negative_false_alarm_rate']:.3f}")
                if extra_val is not None:
                    result = combine_scores(result, validate(model, *extra_val)[0], args.extra_weight)
                    log(f"val step {step} extra: {format_extra(result['extra'])}; "
                        f"score {result['score']:.3f} = {1 - args.extra_weight:.2f} x synthetic "
                        f"{result['synthetic_score']:.3f} + {args.extra_weight:.2f} x extra {result['extra']['score']:.3f}")
                if result["score"] > best_score:
                    best_score = result["score"]
                    torch.save({"model": model.state_dict(), "channels": list(model_channels(model)),
                                "step": step, "val": result, "wall_s": time.time() - started_s}, checkpoint)
                    log(f"saved best checkpoint (score {best_score:.3f})")
    log(f"training done in {(time.time() - started_s) / 60:.1f} min")
    return checkpoint, (val_images, val_masks, val_labels), started_s


def extra_summary(result):
    """Image F1, plume F1 and the false-alarm rate on the negatives of an extra set's evaluation."""
    negatives = result["image"]["fp"] + result["image"]["tn"]
    return {
        "image_precision": result["image"]["precision"],
        "image_recall": result["image"]["recall"],
        "image_f1": result["image"]["f1"],
        "plume_f1": result["plume"]["f1"],
        "false_alarm_rate": result["image"]["fp"] / negatives if negatives else 0.0,
        "false_alarms": result["image"]["fp"],
        "negatives": negatives,
        "score": (result["image"]["f1"] + result["plume"]["f1"]) / 2,
    }


def format_extra(summary):
    return (f"image F1 {summary['image_f1']:.3f} plume F1 {summary['plume_f1']:.3f} "
            f"false alarms {summary['false_alarms']}/{summary['negatives']} = {summary['false_alarm_rate']:.3f}")


def combine_scores(result, extra_result, weight):
    """The best-checkpoint score with an extra validation set: (1 − w) × synthetic + w × extra, each
    the mean of image F1 and plume F1 (the extra image F1 counts its negatives' false alarms)."""
    result = dict(result)
    result["extra"] = extra_summary(extra_result)
    result["synthetic_score"] = result["score"]
    result["score"] = (1 - weight) * result["score"] + weight * result["extra"]["score"]
    return result


def model_channels(model):
    return (model.stem[0][0].out_channels, model.down1[0][0].out_channels,
            model.down2[0][0].out_channels, model.down3[0][0].out_channels)


def finish(checkpoint, val_set, models_dir, started_s, args):
    """Tune post-processing on the validation set, export ONNX and its JSON description."""
    model, state = load_checkpoint(checkpoint)
    val_images, _val_masks, val_labels = val_set
    probs = predict(model, val_images)
    tuned = metrics.tune_postprocessing(
        probs, val_labels, [0.4, 0.5, 0.6, 0.7, 0.8], [64, 128, 192, 256], [0, 4, 8]
    )
    log(f"tuned on validation: threshold {tuned['threshold']} min area {tuned['min_area_px']} px "
        f"merge gap {tuned['merge_gap_px']} px: "
        f"image F1 {tuned['image']['f1']:.3f} plume F1 {tuned['plume']['f1']:.3f}")
    extra_tuned = None
    if args.extra_val:
        extra_images, _extra_masks, extra_labels = load_extra(args.cache, args.extra_val)
        extra_tuned = extra_summary(metrics.evaluate(
            predict(model, extra_images), extra_labels, tuned["threshold"], tuned["min_area_px"], tuned["merge_gap_px"]))
        log(f"extra validation set at the tuned post-processing: {format_extra(extra_tuned)}")
    os.makedirs(models_dir, exist_ok=True)
    onnx_path = os.path.join(models_dir, "dust-plume.onnx")
    export_onnx(model, onnx_path, INPUT_SIZE_PX, INPUT_SIZE_PX)
    wall_s = time.time() - started_s if started_s else state["wall_s"]
    description = model_description(model, state, tuned, wall_s, args)
    if args.extra_train or extra_tuned:
        if args.extra_train:
            description["training"]["data"] += f"; plus extra set(s) {args.extra_train} ({args.extra_share:.0%} of each batch)"
        description["training"]["extra"] = {
            "train_sets": args.extra_train,
            "batch_share": args.extra_share,
            "validation_set": args.extra_val,
            "score_weight": args.extra_weight if args.extra_val else None,
            "validation_at_tuned_postprocess": (
                {k: round(v, 4) if isinstance(v, float) else v for k, v in extra_tuned.items()} if extra_tuned else None
            ),
        }
    with open(os.path.join(models_dir, "dust-plume.json"), "w") as f:
        json.dump(description, f, indent=2)
        f.write("\n")
    log(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB) and dust-plume.json")


def model_description(model, state, tuned, wall_s, args):
    """What the TypeScript side reads: tensors, pre-processing and post-processing."""
    return {
        "model": "dust-plume.onnx",
        "format_version": 1,
        "task": "dust plume segmentation (per-pixel probability)",
        "input": {
            "name": "image",
            "shape": ["batch", 3, INPUT_SIZE_PX, INPUT_SIZE_PX],
            "dtype": "float32",
            "layout": "NCHW",
            "channels": "RGB",
            "normalisation": "value / 255 (range 0..1), no mean or std",
            "resize": "the whole frame stretched to 256x256 (sharp fit 'fill'), bilinear, no letterbox; "
            "the training set includes 16:9 scenes squeezed this way",
        },
        "output": {
            "name": "plume_prob",
            "shape": ["batch", 1, INPUT_SIZE_PX, INPUT_SIZE_PX],
            "dtype": "float32",
            "meaning": "probability that the pixel is covered by a dust plume (dust alpha > 0.15); sigmoid already applied",
        },
        "postprocess": {
            "threshold": tuned["threshold"],
            "connectivity": 8,
            "min_blob_area_px": tuned["min_area_px"],
            "merge_gap_px": tuned["merge_gap_px"],
            "area_unit": "pixels of the 256x256 model output",
            "steps": "mask = prob >= threshold; group pixels into blobs by 8-connected components of the mask "
            "dilated by a (2*merge_gap_px+1) square (0: of the mask itself); each blob keeps only its mask "
            "pixels; drop blobs with fewer than min_blob_area_px pixels; per blob: box, area, mean and peak "
            "score; the image has plumes if any blob is left. Reference: find_blobs in scripts/dust/metrics.py",
            "box_format": "x0, y0, x1, y1 in model-output pixels, x1 and y1 exclusive; scale by frame size / 256",
            "source_point": "not predicted; the blob's lowest pixel (oblique views) approximates where the plume meets the ground",
        },
        "training": {
            "data": "synthetic only (scripts/dust/synth.py), train seed 1, validation seed 3",
            "train_images": args.train_count,
            "steps": state["step"],
            "parameters": parameter_count(model),
            "base_channels": list(model_channels(model)),
            "wall_time_min": round(wall_s / 60, 1),
            "validation_at_tuned_postprocess": {
                "image_f1": round(tuned["image"]["f1"], 4),
                "plume_f1_iou_0_3": round(tuned["plume"]["f1"], 4),
            },
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default="/tmp/dust-cache", help="where generated sets and checkpoints go")
    parser.add_argument("--models", default=os.path.join(os.path.dirname(__file__), "..", "..", "models"))
    parser.add_argument("--train-count", type=int, default=10000)
    parser.add_argument("--val-count", type=int, default=400)
    parser.add_argument("--crop-steps", type=int, default=7000, help="steps on 128x128 crops, batch 16")
    parser.add_argument("--full-steps", type=int, default=2000, help="steps on whole 256x256 images, batch 8")
    parser.add_argument("--val-every", type=int, default=1000)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0, help="seed of initialisation and batch order")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--init", default=None, help="start from this checkpoint's weights")
    parser.add_argument("--checkpoint-name", default="dust-unet-best.pt", help="best checkpoint's file in --cache")
    parser.add_argument("--export-only", action="store_true", help="skip training; export the cached best checkpoint")
    parser.add_argument("--extra-train", default=None, metavar="STEM[,STEM]",
                        help="extra training set(s) in the cache format (STEM-images.npy, -masks.npy, "
                        "-labels.json), e.g. from render-world-set.ts; absolute or relative to --cache")
    parser.add_argument("--extra-val", default=None, metavar="STEM",
                        help="extra validation set: logged at every check and weighed into the best-checkpoint score")
    parser.add_argument("--extra-share", type=float, default=0.0,
                        help="fraction of each batch drawn from --extra-train (default 0: off)")
    parser.add_argument("--extra-weight", type=float, default=0.5,
                        help="weight w of the extra validation set in the best-checkpoint score: "
                        "(1 - w) x synthetic + w x extra, each (image F1 + plume F1) / 2")
    args = parser.parse_args()
    checkpoint = os.path.join(args.cache, args.checkpoint_name)
    if args.export_only:
        val_set = load_or_generate(args.cache, VAL_SEED, args.val_count, INPUT_SIZE_PX)
        finish(checkpoint, val_set, os.path.abspath(args.models), None, args)
        return
    checkpoint, val_set, started_s = train(args)
    finish(checkpoint, val_set, os.path.abspath(args.models), started_s, args)


if __name__ == "__main__":
    main()
