"""From the network's outputs to a decision per frame, and the scores that choose a checkpoint and the
operating thresholds.

A frame holds a plume when its image probability reaches image_threshold and a blob of at least
min_area_px pixels remains after thresholding its plume map (src/detect does the same).
"""

import numpy as np

import metrics

DEFAULT = {"threshold": 0.5, "min_area_px": 64, "merge_gap_px": 4, "image_threshold": 0.5}
GRID = {
    "threshold": (0.3, 0.4, 0.5, 0.6, 0.7),
    "merge_gap_px": (0, 4, 8),
    "min_area_px": (32, 64, 128, 192, 256),
    "image_threshold": (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9),
}
FALSE_ALARM_GOAL = 0.03  # per negative source
PLUME_SETS = ("synthetic", "simulator")  # the sets with per-plume boxes


def largest_blob_areas(maps, threshold, merge_gap_px):
    return np.array([max((b["area_px"] for b in metrics.find_blobs(m, threshold, 1, merge_gap_px)), default=0)
                     for m in maps])


def image_counts(predicted, labels):
    actual = np.array([bool(label["has_plume"]) for label in labels])
    tp = int((predicted & actual).sum())
    fp = int((predicted & ~actual).sum())
    fn = int((~predicted & actual).sum())
    precision, recall, f1 = metrics.f1(tp, fp, fn)
    return {"tp": tp, "fp": fp, "fn": fn, "tn": int((~predicted & ~actual).sum()),
            "precision": precision, "recall": recall, "f1": f1}


def false_alarms_by_source(predicted, labels):
    """Negative source → (false alarms, negatives)."""
    by_source = {}
    for flagged, label in zip(predicted, labels):
        if not label["has_plume"]:
            counts = by_source.setdefault(label.get("source", "?"), [0, 0])
            counts[0] += int(flagged)
            counts[1] += 1
    return by_source


def worst_false_alarm_rate(by_source):
    return max((alarms / count for alarms, count in by_source.values() if count), default=0.0)


def gated_maps(maps, scores, image_threshold):
    """The plume maps with frames below the image threshold emptied, for metrics.evaluate."""
    return maps * (scores >= image_threshold)[:, None, None]


def plume_f1(maps, scores, labels, config):
    result = metrics.evaluate(gated_maps(maps, scores, config["image_threshold"]), labels,
                              config["threshold"], config["min_area_px"], config["merge_gap_px"])
    return result["plume"]["f1"]


def image_objective(f1_by_set, worst_rate):
    return float(np.mean(list(f1_by_set.values()))) - 2 * max(0.0, worst_rate - FALSE_ALARM_GOAL)


def selection_scores(sets, maps, scores, config=DEFAULT):
    """Per-set image F1, synthetic and simulator plume F1 and the selection score, at fixed thresholds."""
    result, f1_by_set = {}, {}
    worst = 0.0
    for name, (_images, _masks, labels) in sets.items():
        areas = largest_blob_areas(maps[name], config["threshold"], config["merge_gap_px"])
        predicted = (areas >= config["min_area_px"]) & (scores[name] >= config["image_threshold"])
        f1_by_set[name] = image_counts(predicted, labels)["f1"]
        if name == "real_whole":
            worst = worst_false_alarm_rate(false_alarms_by_source(predicted, labels))
    plume = [plume_f1(maps[n], scores[n], sets[n][2], config) for n in PLUME_SETS if n in sets]
    result.update({f"{k} F1": v for k, v in f1_by_set.items()})
    result["worst source FA"] = worst
    result["plume F1"] = float(np.mean(plume)) if plume else 0.0
    result["score"] = image_objective(f1_by_set, worst) + 0.5 * result["plume F1"]
    return result


def choose_thresholds(sets, maps, scores, top=8):
    """The grid point with the best image-level objective (mean image F1 over the sets, less a penalty
    for the worst negative source above the false-alarm goal), with the synthetic and simulator plume
    F1 deciding among the best few."""
    candidates = []
    for threshold in GRID["threshold"]:
        for merge_gap_px in GRID["merge_gap_px"]:
            areas = {n: largest_blob_areas(maps[n], threshold, merge_gap_px) for n in sets}
            for min_area_px in GRID["min_area_px"]:
                for image_threshold in GRID["image_threshold"]:
                    f1_by_set, worst = {}, 0.0
                    for name, (_images, _masks, labels) in sets.items():
                        predicted = (areas[name] >= min_area_px) & (scores[name] >= image_threshold)
                        f1_by_set[name] = image_counts(predicted, labels)["f1"]
                        if name == "real_whole":
                            worst = worst_false_alarm_rate(false_alarms_by_source(predicted, labels))
                    config = {"threshold": threshold, "min_area_px": min_area_px,
                              "merge_gap_px": merge_gap_px, "image_threshold": image_threshold}
                    candidates.append((image_objective(f1_by_set, worst), config))
    candidates.sort(key=lambda c: -c[0])
    best = None
    for objective, config in candidates[:top]:
        plume = np.mean([plume_f1(maps[n], scores[n], sets[n][2], config) for n in PLUME_SETS if n in sets])
        total = objective + 0.5 * plume
        if best is None or total > best[0]:
            best = (total, config)
    config = best[1]
    return {**config, "report": report(sets, maps, scores, config)}


def report(sets, maps, scores, config):
    """Per set: image-level counts and F1, false alarms per negative source, plume F1 where boxed."""
    out = {}
    for name, (_images, _masks, labels) in sets.items():
        areas = largest_blob_areas(maps[name], config["threshold"], config["merge_gap_px"])
        predicted = (areas >= config["min_area_px"]) & (scores[name] >= config["image_threshold"])
        entry = {"image": image_counts(predicted, labels), "predicted": predicted,
                 "false_alarms_by_source": false_alarms_by_source(predicted, labels)}
        if name in PLUME_SETS:
            entry["plume_f1"] = plume_f1(maps[name], scores[name], labels, config)
        out[name] = entry
    return out


def format_report(by_set):
    lines = []
    for name, entry in by_set.items():
        image = entry["image"]
        line = (f"{name}: P {image['precision']:.3f} R {image['recall']:.3f} F1 {image['f1']:.3f} "
                f"(tp {image['tp']} fp {image['fp']} fn {image['fn']} tn {image['tn']})")
        if "plume_f1" in entry:
            line += f", plume F1 {entry['plume_f1']:.3f}"
        lines.append(line)
        if len(entry["false_alarms_by_source"]) > 1:
            lines.append("  false alarms: " + ", ".join(
                f"{source} {alarms}/{count}" for source, (alarms, count) in sorted(entry["false_alarms_by_source"].items())))
    return lines
