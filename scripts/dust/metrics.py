"""Post-processing (probability map → plume blobs) and the detection metrics.

The post-processing here is the reference for the TypeScript side (src/detect/):
threshold the probability, label 8-connected components, drop blobs smaller than
the minimum area, and give each blob its box, area, mean and peak score.
A plume's mask often breaks into nearby fragments at its thin edges; with
merge_gap_px > 0, fragments closer than about 2 × merge_gap_px pixels form one blob
(components are found on the mask dilated by a (2·gap + 1)² square, but only the
thresholded pixels count toward box, area and scores).
"""

import numpy as np
from scipy import ndimage

EIGHT_CONNECTED = np.ones((3, 3), bool)


def find_blobs(prob, threshold, min_area_px, merge_gap_px=0):
    """Plume blobs in one H×W probability map, largest first."""
    mask = prob >= threshold
    grouping = ndimage.binary_dilation(mask, EIGHT_CONNECTED, iterations=merge_gap_px) if merge_gap_px else mask
    labels, count = ndimage.label(grouping, structure=EIGHT_CONNECTED)
    if count == 0:
        return []
    labels[~mask] = 0
    blobs = []
    for index, where in enumerate(ndimage.find_objects(labels), start=1):
        if where is None:
            continue
        own = labels[where] == index
        area_px = int(own.sum())
        if area_px < min_area_px:
            continue
        scores = prob[where][own]
        ys, xs = np.nonzero(own)
        peak = int(np.argmax(scores))
        blobs.append(
            {
                # x0, y0, x1, y1 with x1, y1 exclusive, like the ground-truth boxes
                "box": [where[1].start, where[0].start, where[1].stop, where[0].stop],
                "area_px": area_px,
                "mean_score": float(scores.mean()),
                "peak_score": float(scores[peak]),
                "peak_xy": [int(xs[peak] + where[1].start), int(ys[peak] + where[0].start)],
                "bottom_xy": [int(np.mean(xs[ys == ys.max()]) + where[1].start), int(ys.max() + where[0].start)],
            }
        )
    blobs.sort(key=lambda b: -b["area_px"])
    return blobs


def box_iou(a, b):
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = ix * iy
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def match_boxes(pred_boxes, true_boxes, iou_min):
    """Greedy one-to-one matching by IoU, best pairs first; returns matched (pred, true) index pairs."""
    pairs = []
    for i, p in enumerate(pred_boxes):
        for j, t in enumerate(true_boxes):
            iou = box_iou(p, t)
            if iou >= iou_min:
                pairs.append((iou, i, j))
    pairs.sort(reverse=True)
    used_pred, used_true, matches = set(), set(), []
    for _iou, i, j in pairs:
        if i not in used_pred and j not in used_true:
            used_pred.add(i)
            used_true.add(j)
            matches.append((i, j))
    return matches


def f1(tp, fp, fn):
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, score


# Plume visibility: mean |I - J| over the plume's mask (synth.py draws plumes from 0.06).
CONTRAST_BUCKETS = [("0.06-0.08", 0.0, 0.08), ("0.08-0.10", 0.08, 0.10), ("0.10-0.15", 0.10, 0.15), (">=0.15", 0.15, 9.0)]


def evaluate(probs, labels, threshold, min_area_px, merge_gap_px=0, iou_min=0.3):
    """Image- and plume-level scores for probability maps (N×H×W) and their labels."""
    image = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    plume = {"tp": 0, "fp": 0, "fn": 0}
    hard = {}
    by_contrast = {name: {"plumes": 0, "found": 0} for name, _low, _high in CONTRAST_BUCKETS}
    for prob, label in zip(probs, labels):
        blobs = find_blobs(prob, threshold, min_area_px, merge_gap_px)
        predicted, actual = bool(blobs), bool(label["has_plume"])
        key = {(True, True): "tp", (True, False): "fp", (False, True): "fn", (False, False): "tn"}
        image[key[(predicted, actual)]] += 1
        true_boxes = [p["box"] for p in label["plumes"]]
        matches = match_boxes([b["box"] for b in blobs], true_boxes, iou_min)
        plume["tp"] += len(matches)
        plume["fp"] += len(blobs) - len(matches)
        plume["fn"] += len(true_boxes) - len(matches)
        found = {j for _i, j in matches}
        for j, true_plume in enumerate(label["plumes"]):
            for name, low, high in CONTRAST_BUCKETS:
                if low <= true_plume.get("contrast", -1) < high:
                    by_contrast[name]["plumes"] += 1
                    by_contrast[name]["found"] += int(j in found)
        if label.get("hard_negative"):
            kind = hard.setdefault(label["hard_negative"], {"images": 0, "false_alarms": 0})
            kind["images"] += 1
            kind["false_alarms"] += int(predicted)
    image_p, image_r, image_f1 = f1(image["tp"], image["fp"], image["fn"])
    plume_p, plume_r, plume_f1 = f1(plume["tp"], plume["fp"], plume["fn"])
    hard_images = sum(k["images"] for k in hard.values())
    hard_alarms = sum(k["false_alarms"] for k in hard.values())
    return {
        "threshold": threshold,
        "min_area_px": min_area_px,
        "merge_gap_px": merge_gap_px,
        "image": {**image, "precision": image_p, "recall": image_r, "f1": image_f1},
        "plume": {**plume, "precision": plume_p, "recall": plume_r, "f1": plume_f1, "iou_min": iou_min},
        "hard_negative_false_alarm_rate": hard_alarms / hard_images if hard_images else 0.0,
        "hard_negatives": hard,
        "plume_recall_by_contrast": by_contrast,
    }


def tune_postprocessing(probs, labels, thresholds, min_areas_px, merge_gaps_px=(0,)):
    """The threshold, minimum blob area and merge gap that maximise the mean of image and plume F1."""
    best = None
    for threshold in thresholds:
        for min_area_px in min_areas_px:
            for merge_gap_px in merge_gaps_px:
                result = evaluate(probs, labels, threshold, min_area_px, merge_gap_px)
                score = (result["image"]["f1"] + result["plume"]["f1"]) / 2
                if best is None or score > best[0]:
                    best = (score, result)
    return best[1]
