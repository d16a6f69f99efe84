#!/usr/bin/python3
"""Evaluate dust-plume models side by side on sets that training and tuning never saw, and print the
tables of models/README.md. Run through scripts/eval-detector.

    /usr/bin/python3 scripts/dust/evaluate.py [--models models] [--baseline [NAME=]DIR ...] [--probe]

Sets (image level unless said):
- real val, whole photos: precision/recall/F1 pooled, false alarms per negative source;
- real val, same domain: the val smoke photos against crops of the same photos away from their masks;
- real val, cross domain: val smoke pasted onto held-back val negatives (aerial, cloud, ground)
  against the same negatives without it;
- synthetic held-out (synth.py seed 1001, 600 JPEG files as a camera gives them): image F1 and plume
  F1 at box IoU >= 0.3;
- simulator held-out (render-world-set.ts seed 14, 300 frames): image F1, plume F1, false alarms.
Each model runs through onnxruntime-node (the runtime src/detect uses) with its own post-processing
(models/dust-plume.json); a model without an image output is not gated. --probe adds the shortcut
baseline: a linear classifier on the pretrained backbone's pooled features, trained on the train
split's whole photos (image level only). The real sets need ../shared/data/real.
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
import decide  # noqa: E402
import real_data  # noqa: E402

SYNTH_EVAL_SEED = 1001  # training uses seed 1, selection seed 3, test fixtures seed 2001
SIM_EVAL_STEM = "simworld-s14-n300"
REAL_EVAL_SEED = 17
SIZE_PX = 256


def cached_real_val(cache_dir, real_dir):
    stem = os.path.join(cache_dir, "real-val")
    names = ("whole", "same_domain", "cross_domain")
    if not os.path.exists(f"{stem}-cross_domain-labels.json"):
        made = real_data.evaluation_sets(real_dir, "val", REAL_EVAL_SEED)
        for name in names:
            images, masks, labels = made[name]
            np.save(f"{stem}-{name}-images.npy", images)
            np.save(f"{stem}-{name}-masks.npy", masks)
            with open(f"{stem}-{name}-labels.json", "w") as f:
                json.dump(labels, f)
    return {f"real_{name}": load_npy_set(f"{stem}-{name}") for name in names}


def load_npy_set(stem):
    with open(stem + "-labels.json") as f:
        labels = json.load(f)
    return np.load(stem + "-images.npy"), None, labels


def synthetic_heldout(data_dir, count=600):
    """synth.py's held-out set as JPEG files (made if missing), decoded and squeezed like src/detect."""
    if not os.path.exists(os.path.join(data_dir, "labels.json")):
        subprocess.run([sys.executable, os.path.join(HERE, "synth.py"), "--out", data_dir, "--count", str(count),
                        "--seed", str(SYNTH_EVAL_SEED), "--size", str(SIZE_PX)], check=True)
    with open(os.path.join(data_dir, "labels.json")) as f:
        described = json.load(f)
    if described["seed"] != SYNTH_EVAL_SEED:
        raise SystemExit(f"{data_dir} holds seed {described['seed']}, expected the held-out seed {SYNTH_EVAL_SEED}")
    labels = described["images"]
    images = np.stack([real_data.squeeze(np.asarray(Image.open(os.path.join(data_dir, label["image"])).convert("RGB")))
                       for label in labels])
    return images, None, labels


def run_onnx(model_path, images, threads, work_dir):
    """Plume maps N×H×W, image probabilities N (None without that output) and ms per image."""
    input_path = os.path.join(work_dir, "input.f32")
    output_path = os.path.join(work_dir, "output.f32")
    (images.transpose(0, 3, 1, 2).astype(np.float32) / 255.0).tofile(input_path)
    result = subprocess.run(["node", os.path.join(HERE, "ort_infer.cjs"), model_path, input_path, str(len(images)),
                             output_path, str(threads)], check=True, capture_output=True, text=True)
    timing = json.loads(result.stdout.strip().splitlines()[-1])
    maps = np.fromfile(output_path, np.float32).reshape(len(images), images.shape[1], images.shape[2])
    scores = np.fromfile(output_path + ".image", np.float32) if os.path.exists(output_path + ".image") else None
    return maps, scores, timing["msPerImage"]


class OnnxModel:
    def __init__(self, models_dir):
        with open(os.path.join(models_dir, "dust-plume.json")) as f:
            description = json.load(f)
        post = description["postprocess"]
        self.path = os.path.join(models_dir, description["model"])
        self.config = {"threshold": post["threshold"], "min_area_px": post["min_blob_area_px"],
                       "merge_gap_px": post.get("merge_gap_px", 0), "image_threshold": post.get("image_threshold", 0.0)}

    def evaluate(self, sets):
        maps, scores = {}, {}
        with tempfile.TemporaryDirectory() as work_dir:
            for name, (images, _masks, _labels) in sets.items():
                maps[name], image_scores, _ms = run_onnx(self.path, images, 2, work_dir)
                scores[name] = image_scores if image_scores is not None else np.ones(len(images), np.float32)
            speed_images = sets["synthetic"][0][:100]
            _maps, _scores, self.ms_one_thread = run_onnx(self.path, speed_images, 1, work_dir)
        return decide.report(sets, maps, scores, self.config)


class LinearProbe:
    """The shortcut baseline: logistic regression on the pretrained backbone's mean-pooled deepest
    features, trained on the train split's whole photos (smoke against negatives)."""

    def __init__(self, real_dir, pretrained, cache_dir):
        import torch

        from backbone import load_pretrained

        torch.set_num_threads(2)
        self.torch = torch
        self.backbone = load_pretrained(pretrained).eval()
        features_path = os.path.join(cache_dir, "probe-train-features.npz")
        if not os.path.exists(features_path):
            rows = [r for r in real_data.read_index(real_dir) if r["split"] == "train"]
            images = np.stack([real_data.squeeze(real_data.load_rgb(real_dir, r["path"])) for r in rows])
            np.savez(features_path, x=self.features(images), y=np.array([r["label"] == "smoke" for r in rows]))
        stored = np.load(features_path)
        self.fit(stored["x"], stored["y"].astype(np.float32))
        self.ms_one_thread = None

    def features(self, images):
        torch = self.torch
        out = []
        with torch.no_grad():
            for start in range(0, len(images), 64):
                x = torch.from_numpy(images[start : start + 64]).permute(0, 3, 1, 2).float() / 255.0
                out.append(self.backbone(x)[-1].mean((2, 3)).numpy())
        return np.concatenate(out)

    def fit(self, x, y):
        torch = self.torch
        self.mean, self.std = x.mean(0), x.std(0) + 1e-6
        xt = torch.from_numpy((x - self.mean) / self.std)
        yt = torch.from_numpy(y)
        positive_weight = float((1 - y).sum() / max(y.sum(), 1))  # balanced classes
        linear = torch.nn.Linear(x.shape[1], 1)
        optimizer = torch.optim.LBFGS(linear.parameters(), max_iter=200)

        def closure():
            optimizer.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                linear(xt)[:, 0], yt, pos_weight=torch.tensor(positive_weight)) + 1e-3 * linear.weight.square().sum()
            loss.backward()
            return loss

        optimizer.step(closure)
        self.linear = linear

    def evaluate(self, sets):
        out = {}
        for name, (images, _masks, labels) in sets.items():
            with self.torch.no_grad():
                x = self.torch.from_numpy((self.features(images) - self.mean) / self.std)
                predicted = (self.linear(x)[:, 0] > 0).numpy()
            out[name] = {"image": decide.image_counts(predicted, labels), "predicted": predicted,
                         "false_alarms_by_source": decide.false_alarms_by_source(predicted, labels)}
        return out


def rate(alarms, count):
    return f"{alarms / count * 100:.1f} % ({alarms}/{count})" if count else "—"


def table_rows(sets, result):
    """(measure, value) rows for one model."""
    rows = []
    for name, title in (("real_whole", "real val, whole photos"), ("real_same_domain", "real val, same domain"),
                        ("real_cross_domain", "real val, cross domain")):
        image = result[name]["image"]
        rows.append((f"{title}: P / R / F1", f"{image['precision']:.3f} / {image['recall']:.3f} / **{image['f1']:.3f}**"))
    for source, (alarms, count) in sorted(result["real_whole"]["false_alarms_by_source"].items()):
        rows.append((f"real val false alarms: {source}", rate(alarms, count)))
    labels = sets["real_cross_domain"][2]
    predicted_by_domain = {}
    for label, flagged in zip(labels, cross_predictions(result)):
        counts = predicted_by_domain.setdefault(label["domain"], {"found": 0, "plumes": 0, "alarms": 0, "clean": 0})
        if label["has_plume"]:
            counts["plumes"] += 1
            counts["found"] += int(flagged)
        else:
            counts["clean"] += 1
            counts["alarms"] += int(flagged)
    for domain, counts in sorted(predicted_by_domain.items()):
        rows.append((f"cross domain, {domain}: smoke found / clean flagged",
                     f"{counts['found']}/{counts['plumes']} / {counts['alarms']}/{counts['clean']}"))
    for name, title in (("synthetic", "synthetic held-out (seed 1001)"), ("simulator", "simulator held-out (seed 14)")):
        image = result[name]["image"]
        plume = f"{result[name]['plume_f1']:.3f}" if "plume_f1" in result[name] else "—"
        negatives = image["fp"] + image["tn"]
        rows.append((f"{title}: image F1 / plume F1 @0.3 / false alarms",
                     f"{image['f1']:.3f} / {plume} / {rate(image['fp'], negatives)}"))
    return rows


def cross_predictions(result):
    return result["real_cross_domain"]["predicted"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", default=os.path.join(HERE, "..", "..", "models"), help="the model to evaluate")
    parser.add_argument("--baseline", action="append", default=[], metavar="[NAME=]DIR",
                        help="another model folder, evaluated beside it (repeatable; NAME heads its column)")
    parser.add_argument("--probe", action="store_true", help="add the linear-probe shortcut baseline")
    parser.add_argument("--real", default=real_data.DEFAULT_REAL_DIR)
    parser.add_argument("--pretrained", default=os.path.join(real_data.DEFAULT_REAL_DIR, "..", "pretrained",
                                                             "shufflenetv2_x0.5_backbone.pth"))
    parser.add_argument("--cache", default="/tmp/dust-cache")
    parser.add_argument("--synthetic-data", default="/tmp/dust-eval", help="held-out synthetic set folder (made if missing)")
    parser.add_argument("--out", default=None, help="also write the results as JSON here")
    args = parser.parse_args()
    if not os.path.exists(os.path.join(args.real, "index.csv")):
        raise SystemExit(f"{args.real}: no index.csv; the real photographs live in ../shared/data/real")
    sim_stem = os.path.join(args.cache, SIM_EVAL_STEM)
    if not os.path.exists(sim_stem + "-labels.json"):
        raise SystemExit(f"{sim_stem}: missing; render it with "
                         "npx tsx scripts/dust/render-world-set.ts --seed 14 --count 300 --per-world 50")
    sets = cached_real_val(args.cache, args.real)
    sets["synthetic"] = synthetic_heldout(args.synthetic_data)
    sets["simulator"] = load_npy_set(sim_stem)
    models = {"committed": OnnxModel(args.models)}
    for baseline in args.baseline:
        name, _, folder = baseline.rpartition("=")
        models[name or f"baseline {len(models)}"] = OnnxModel(folder)
    if args.probe:
        models["linear probe"] = LinearProbe(args.real, args.pretrained, args.cache)
    columns, results = [], {}
    for name, model in models.items():
        results[name] = model.evaluate(sets)
        columns.append(name)
    print(f"sets: {', '.join(f'{k} {len(v[2])}' for k, v in sets.items())}")
    for name, model in models.items():
        if isinstance(model, OnnxModel):
            print(f"{name}: {os.path.abspath(model.path)}, post-processing {json.dumps(model.config)}")
    print_table(sets, results, columns)
    speeds = [f"{n} {m.ms_one_thread:.1f} ms" for n, m in models.items() if getattr(m, "ms_one_thread", None)]
    print("onnxruntime-node, 256x256 input, batch 1, 1 thread: " + ", ".join(speeds))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(results, f, indent=2, default=lambda o: o.tolist() if hasattr(o, "tolist") else str(o))


def print_table(sets, results, columns):
    per_model = {c: dict(table_rows(sets, results[c])) for c in columns}
    measures = list(per_model[columns[0]])
    print("| measure | " + " | ".join(columns) + " |")
    print("| --- |" + " --- |" * len(columns))
    for measure in measures:
        print(f"| {measure} | " + " | ".join(per_model[c].get(measure, "—") for c in columns) + " |")


if __name__ == "__main__":
    main()
