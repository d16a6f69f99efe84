#!/usr/bin/python3
"""Train the dust-plume network on real photographs and synthetic and simulator frames together,
choose its operating thresholds, export ONNX. Run through scripts/train-detector (one command,
seeded, resumable); Debian's python3, CPU only, two threads.

1. builds (or reloads from --cache) the training parts: real smoke crops, away crops of the same
   photos, real negatives, smoke pasted onto real, synthetic and simulator negatives
   (real_data.py), the synthetic set (synth.py, seed 1) and the simulator set (render-world-set.ts,
   made beforehand by scripts/train-detector);
2. starts from the pretrained ShuffleNetV2 0.5× backbone and trains on 192×192 crops, then on whole
   256×256 frames, every batch drawn from each part by a fixed share; writes a resumable state every
   --save-every steps;
3. keeps the checkpoint with the best selection score on the "tune" sets (a tenth of the real train
   split, never val) and the synthetic (seed 3) and simulator (seed 12) validation sets;
4. chooses the thresholds (pixel, minimum blob area, merge gap, image) on those same sets;
5. writes models/dust-plume.onnx and models/dust-plume.json.
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
import decide  # noqa: E402
import real_data  # noqa: E402
import synth  # noqa: E402
from model import build, export_onnx, load_checkpoint, parameter_count  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT_SIZE_PX = 256
SYNTH_TRAIN = (1, 4000)  # seed, count
SYNTH_VAL = (3, 400)
SIM_TRAIN_STEM = "simworld-s11-n1200"
SIM_VAL_STEM = "simworld-s12-n300"
REAL_PARTS_SEED = 5
# Share of each batch drawn from each training part.
BATCH_SHARES = {
    "real_smoke": 0.16,
    "real_away": 0.10,
    "real_negative": 0.22,
    "pasted": 0.20,
    "synthetic": 0.20,
    "simulator": 0.12,
}
IMAGE_LOSS_WEIGHT = 0.5


def log(message):
    print(time.strftime("%H:%M:%S"), message, flush=True)


def cached(cache_dir, stem, make):
    """A set (images, masks, labels) saved under cache_dir/stem-*, made by make() when missing."""
    path = os.path.join(cache_dir, stem)
    if os.path.exists(path + "-labels.json"):
        with open(path + "-labels.json") as f:
            labels = json.load(f)
        return np.load(path + "-images.npy"), np.load(path + "-masks.npy").astype(bool), labels
    started_s = time.time()
    images, masks, labels = make()
    os.makedirs(cache_dir, exist_ok=True)
    np.save(path + "-images.npy", images)
    np.save(path + "-masks.npy", masks)
    with open(path + "-labels.json", "w") as f:  # last: its presence marks a complete set
        json.dump(labels, f)
    log(f"made {stem}: {len(labels)} images in {time.time() - started_s:.0f} s")
    return images, masks, labels


def synthetic_set(cache_dir, seed, count):
    return cached(cache_dir, f"train-s{seed}-n{count}-{INPUT_SIZE_PX}",
                  lambda: synth.generate_arrays(seed, count, INPUT_SIZE_PX))


def simulator_set(cache_dir, stem):
    if not os.path.exists(os.path.join(cache_dir, stem + "-labels.json")):
        raise SystemExit(f"{cache_dir}/{stem}: missing; scripts/train-detector renders it first")
    return cached(cache_dir, stem, None)


def negatives_of(part, limit, rng):
    images, _masks, labels = part
    picks = [i for i, label in enumerate(labels) if not label["has_plume"]]
    picks = sorted(rng.permutation(picks)[:limit])
    return images[picks], [labels[i].get("view", "oblique") for i in picks]


def training_data(args):
    synthetic = synthetic_set(args.cache, *SYNTH_TRAIN)
    simulator = simulator_set(args.cache, SIM_TRAIN_STEM)
    rng = np.random.default_rng(REAL_PARTS_SEED)
    backgrounds = {"synthetic": negatives_of(synthetic, 700, rng), "simulator": negatives_of(simulator, 500, rng)}
    stem = f"real-parts-s{REAL_PARTS_SEED}"
    names = ["real_smoke", "real_away", "real_negative", "pasted"]
    if not all(os.path.exists(os.path.join(args.cache, f"{stem}-{n}-labels.json")) for n in names):
        started_s = time.time()
        parts = real_data.training_parts(args.real, REAL_PARTS_SEED, backgrounds)
        for name in names:
            cached(args.cache, f"{stem}-{name}", lambda name=name: parts[name])
        log(f"real training parts made in {time.time() - started_s:.0f} s")
    data = {name: cached(args.cache, f"{stem}-{name}", None) for name in names}
    data["synthetic"] = synthetic
    data["simulator"] = simulator
    for name, (_images, masks, labels) in data.items():
        log(f"part {name}: {len(labels)} images, {sum(label['has_plume'] for label in labels)} with plumes, "
            f"batch share {BATCH_SHARES[name]:.2f}")
    return data


def selection_sets(args):
    """The sets that choose the checkpoint and the thresholds: never the val split."""
    tune = {}
    stem = "real-tune"
    if not os.path.exists(os.path.join(args.cache, f"{stem}-cross_domain-labels.json")):
        made = real_data.evaluation_sets(args.real, "tune", seed=REAL_PARTS_SEED + 1)
        for name, arrays in made.items():
            cached(args.cache, f"{stem}-{name}", lambda arrays=arrays: arrays)
    for name in ("whole", "same_domain", "cross_domain"):
        tune[f"real_{name}"] = cached(args.cache, f"{stem}-{name}", None)
    tune["synthetic"] = synthetic_set(args.cache, *SYNTH_VAL)
    tune["simulator"] = simulator_set(args.cache, SIM_VAL_STEM)
    return tune


def make_batch(rng, data, batch_size, crop_px):
    """A batch drawn from the parts by their shares: crops, flips, quarter turns of nadir views."""
    names = list(BATCH_SHARES)
    counts = rng.multinomial(batch_size, [BATCH_SHARES[n] for n in names])
    xs = np.empty((batch_size, crop_px, crop_px, 3), np.uint8)
    ys = np.empty((batch_size, crop_px, crop_px), bool)
    has = np.empty(batch_size, np.float32)
    k = 0
    for name, count in zip(names, counts):
        images, masks, labels = data[name]
        for i in rng.integers(0, len(labels), count):
            top, left = rng.integers(0, INPUT_SIZE_PX - crop_px + 1, 2)
            image = images[i, top : top + crop_px, left : left + crop_px]
            mask = masks[i, top : top + crop_px, left : left + crop_px]
            if rng.random() < 0.5:
                image, mask = image[:, ::-1], mask[:, ::-1]
            if labels[i].get("view") == "aerial":
                turns = int(rng.integers(4))
                image, mask = np.rot90(image, turns), np.rot90(mask, turns)
            xs[k], ys[k] = image, mask
            # a crop that cut the plume away holds none
            has[k] = float(mask.any()) if labels[i]["has_plume"] else 0.0
            k += 1
    x = torch.from_numpy(xs).permute(0, 3, 1, 2).float().div_(255.0)
    return x, torch.from_numpy(ys).float().unsqueeze(1), torch.from_numpy(has).unsqueeze(1)


def loss_fn(mask_logits, image_logit, target_mask, target_image):
    bce = F.binary_cross_entropy_with_logits(mask_logits, target_mask)
    prob = torch.sigmoid(mask_logits)
    dice = 1 - (2 * (prob * target_mask).sum() + 1) / (prob.sum() + target_mask.sum() + 1)
    image = F.binary_cross_entropy_with_logits(image_logit, target_image)
    return bce + dice + IMAGE_LOSS_WEIGHT * image


@torch.no_grad()
def predict(model, images, batch_size=32):
    """Plume probability maps N×H×W and image probabilities N for uint8 images N×H×W×3."""
    model.eval()
    maps, scores = [], []
    for start in range(0, len(images), batch_size):
        x = torch.from_numpy(np.ascontiguousarray(images[start : start + batch_size])).permute(0, 3, 1, 2).float() / 255.0
        mask_prob, image_prob = model(x)
        maps.append(mask_prob[:, 0].numpy())
        scores.append(image_prob[:, 0].numpy())
    return np.concatenate(maps), np.concatenate(scores)


def learning_rate(step, total_steps, peak_lr, warmup_steps=300):
    if step < warmup_steps:
        return peak_lr * (step + 1) / warmup_steps
    progress = (step - warmup_steps) / max(1, total_steps - warmup_steps)
    return peak_lr * (0.02 + 0.98 * 0.5 * (1 + math.cos(math.pi * progress)))


def phase_at(step, args):
    """(crop px, batch size) of a step: crops first (cheap), then whole frames."""
    return (192, 24) if step < args.crop_steps else (INPUT_SIZE_PX, 16)


def train(args, data, tune):
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    model = build(args.pretrained)
    log(f"DustPlumeNet: {parameter_count(model)} parameters, backbone from {args.pretrained}")
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    rng = np.random.default_rng(args.seed)
    state_path = os.path.join(args.cache, "train-state.pt")
    best_path = os.path.join(args.cache, "dust-plume-best.pt")
    step, best_score, wall_s = 0, -math.inf, 0.0
    if os.path.exists(state_path) and not args.fresh:
        state = torch.load(state_path, map_location="cpu")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        rng.bit_generator.state = state["rng"]
        torch.set_rng_state(state["torch_rng"])
        step, best_score, wall_s = state["step"], state["best_score"], state["wall_s"]
        log(f"resumed at step {step} (best score so far {best_score:.3f})")
    total_steps = args.crop_steps + args.full_steps
    started_s = time.time() - wall_s
    running = []
    while step < total_steps:
        model.train()
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, total_steps, args.lr)
        crop_px, batch_size = phase_at(step, args)
        x, y, has = make_batch(rng, data, batch_size, crop_px)
        mask_logits, image_logit = model.logits(x)
        loss = loss_fn(mask_logits, image_logit, y, has)
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
            scores = decide.selection_scores(tune, *predict_sets(model, tune))
            log(f"val step {step}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
            if scores["score"] > best_score:
                best_score = scores["score"]
                torch.save({"model": model.state_dict(), "step": step, "selection": scores,
                            "wall_s": time.time() - started_s}, best_path)
                log(f"saved best checkpoint (score {best_score:.3f})")
        if step % args.save_every == 0 or step == total_steps:
            torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
                        "rng": rng.bit_generator.state, "torch_rng": torch.get_rng_state(),
                        "best_score": best_score, "wall_s": time.time() - started_s}, state_path + ".tmp")
            os.replace(state_path + ".tmp", state_path)
    log(f"training done in {(time.time() - started_s) / 60:.1f} min")
    return best_path, time.time() - started_s


def predict_sets(model, sets):
    maps, scores = {}, {}
    for name, (images, _masks, _labels) in sets.items():
        maps[name], scores[name] = predict(model, images)
    return maps, scores


def finish(args, best_path, tune, train_wall_s):
    model, state = load_checkpoint(best_path)
    maps, scores = predict_sets(model, tune)
    chosen = decide.choose_thresholds(tune, maps, scores)
    log("chosen on the tune sets: " + json.dumps({k: v for k, v in chosen.items() if k != "report"}))
    for line in decide.format_report(chosen["report"]):
        log(line)
    os.makedirs(args.models, exist_ok=True)
    onnx_path = os.path.join(args.models, "dust-plume.onnx")
    export_onnx(model, onnx_path, INPUT_SIZE_PX, INPUT_SIZE_PX)
    description = model_description(model, state, chosen, train_wall_s, args)
    with open(os.path.join(args.models, "dust-plume.json"), "w") as f:
        json.dump(description, f, indent=2)
        f.write("\n")
    log(f"wrote {onnx_path} ({os.path.getsize(onnx_path) / 1e6:.2f} MB) and dust-plume.json")


def model_description(model, state, chosen, train_wall_s, args):
    """What the TypeScript side reads: tensors, pre-processing and post-processing."""
    return {
        "model": "dust-plume.onnx",
        "format_version": 2,
        "task": "dust plume segmentation (per-pixel probability) with an image-level plume probability",
        "input": {
            "name": "image",
            "shape": ["batch", 3, INPUT_SIZE_PX, INPUT_SIZE_PX],
            "dtype": "float32",
            "layout": "NCHW",
            "channels": "RGB",
            "normalisation": "value / 255 (range 0..1), no mean or std",
            "resize": "the whole frame stretched to 256x256 (sharp fit 'fill'), bilinear, no letterbox; "
            "training squeezed 16:9 crops the same way",
        },
        "output": {
            "name": "plume_prob",
            "shape": ["batch", 1, INPUT_SIZE_PX, INPUT_SIZE_PX],
            "dtype": "float32",
            "meaning": "probability that the pixel is covered by a dust plume or smoke; sigmoid already applied",
        },
        "image_output": {
            "name": "image_prob",
            "shape": ["batch", 1],
            "dtype": "float32",
            "meaning": "probability that the frame holds a plume anywhere; gates the blobs (image_threshold)",
        },
        "postprocess": {
            "threshold": chosen["threshold"],
            "connectivity": 8,
            "min_blob_area_px": chosen["min_area_px"],
            "merge_gap_px": chosen["merge_gap_px"],
            "image_threshold": chosen["image_threshold"],
            "area_unit": "pixels of the 256x256 model output",
            "steps": "if image_prob < image_threshold the frame has no plumes; otherwise mask = prob >= threshold; "
            "group pixels into blobs by 8-connected components of the mask dilated by a (2*merge_gap_px+1) "
            "square (0: of the mask itself); each blob keeps only its mask pixels; drop blobs with fewer than "
            "min_blob_area_px pixels; per blob: box, area, mean and peak score; the frame has plumes if any "
            "blob is left. Reference: find_blobs in scripts/dust/metrics.py and decide.py",
            "box_format": "x0, y0, x1, y1 in model-output pixels, x1 and y1 exclusive; scale by frame size / 256",
            "source_point": "not predicted; the blob's lowest pixel (oblique views) approximates where the plume meets the ground",
        },
        "training": {
            "data": "real photographs of ../shared/data/real (train split less its tune tenth): smoke crops, "
            "away crops, negatives, smoke pasted onto real, synthetic and simulator negatives; synthetic "
            f"seed {SYNTH_TRAIN[0]} ({SYNTH_TRAIN[1]}); simulator {SIM_TRAIN_STEM}",
            "batch_shares": BATCH_SHARES,
            "backbone": "ShuffleNetV2 0.5x, FastestDet's pretrained weights (BSD-3-Clause)",
            "steps": state["step"],
            "parameters": parameter_count(model),
            "wall_time_min": round(train_wall_s / 60, 1),
            "selection": {k: round(v, 4) for k, v in state["selection"].items()},
        },
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cache", default="/tmp/dust-cache", help="where sets, checkpoints and the resume state go")
    parser.add_argument("--real", default=real_data.DEFAULT_REAL_DIR, help="../shared/data/real")
    parser.add_argument("--pretrained", default=os.path.join(real_data.DEFAULT_REAL_DIR, "..", "pretrained",
                                                             "shufflenetv2_x0.5_backbone.pth"))
    parser.add_argument("--models", default=os.path.join(HERE, "..", "..", "models"))
    parser.add_argument("--crop-steps", type=int, default=4500, help="steps on 192x192 crops, batch 24")
    parser.add_argument("--full-steps", type=int, default=1500, help="steps on whole 256x256 frames, batch 16")
    parser.add_argument("--val-every", type=int, default=1500)
    parser.add_argument("--save-every", type=int, default=250)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0, help="seed of initialisation and batch order")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--fresh", action="store_true", help="ignore a saved resume state")
    parser.add_argument("--export-only", action="store_true", help="skip training; choose and export the best checkpoint")
    args = parser.parse_args()
    args.models = os.path.abspath(args.models)
    if not os.path.exists(os.path.join(args.real, "index.csv")):
        raise SystemExit(f"{args.real}: no index.csv; the real photographs live in ../shared/data/real")
    started_s = time.time()
    tune = selection_sets(args)
    best_path = os.path.join(args.cache, "dust-plume-best.pt")
    if args.export_only:
        finish(args, best_path, tune, torch.load(best_path, map_location="cpu")["wall_s"])
        return
    data = training_data(args)
    log(f"data ready in {(time.time() - started_s) / 60:.1f} min")
    best_path, train_wall_s = train(args, data, tune)
    finish(args, best_path, tune, train_wall_s)
    log(f"all done in {(time.time() - started_s) / 60:.1f} min (this process; data made earlier is cached)")


if __name__ == "__main__":
    main()
