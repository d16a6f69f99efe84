#!/usr/bin/python3
"""Small test images for src/detect/: 4 synthetic scenes with clear plumes and 4 hard negatives
(640×360 JPEG), and one plume and one plume-free frame of the simulator's rendered world.

    /usr/bin/python3 scripts/dust/make_fixtures.py --out fixtures/detect \
        --sim-set /tmp/dust-cache/simworld-s14-n300

Synthetic seed 2001 (training used seed 1, selection 3, evaluation 1001). The picks are the
first images of the seed that fit: plume images whose every plume covers at least
MIN_PLUME_SHARE of the frame and shows clearly (MIN_PLUME_CONTRAST), and one image
each of four hard-negative kinds. The simulator frames are the first positive of the held-out
simulator set (render-world-set.ts seed 14, 256×256 as the model sees it) whose plume is as clear,
and its first negative.
"""

import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import synth  # noqa: E402

FIXTURE_SEED = 2001
WIDTH_PX, HEIGHT_PX = 640, 360
MIN_PLUME_SHARE = 0.03
MIN_PLUME_CONTRAST = 0.12  # mean |I - J| over the plume mask: clearly visible dust
NEGATIVE_KINDS = ["cloud", "fog", "roofs", "water_spray"]
JPEG_QUALITY = 85


def is_clear_plume_image(label):
    frame_px = WIDTH_PX * HEIGHT_PX
    return label["has_plume"] and all(
        p["area_px"] >= MIN_PLUME_SHARE * frame_px and p["contrast"] >= MIN_PLUME_CONTRAST for p in label["plumes"]
    )


def simulator_frames(stem, out_dir):
    """The first clear plume frame and the first negative of a render-world-set.ts set."""
    with open(stem + "-labels.json") as f:
        labels = json.load(f)
    images = np.load(stem + "-images.npy", mmap_mode="r")
    masks = np.load(stem + "-masks.npy", mmap_mode="r")
    size_px = images.shape[1]
    clear = next(i for i, label in enumerate(labels) if label["has_plume"] and all(
        p["area_px"] >= MIN_PLUME_SHARE * size_px * size_px and p["contrast"] >= MIN_PLUME_CONTRAST
        for p in label["plumes"]))
    negative = next(i for i, label in enumerate(labels) if not label["has_plume"])
    picked = []
    for index, name in ((clear, "sim-plume"), (negative, "sim-negative")):
        Image.fromarray(np.asarray(images[index])).save(os.path.join(out_dir, name + ".jpg"), quality=JPEG_QUALITY)
        Image.fromarray(np.asarray(masks[index]).astype(np.uint8) * 255).save(os.path.join(out_dir, name + "-mask.png"))
        picked.append({**labels[index], "file": name + ".jpg", "mask": name + "-mask.png",
                       "source": f"{os.path.basename(stem)} image {index}"})
    return picked


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="fixtures/detect")
    parser.add_argument("--positives", type=int, default=4)
    parser.add_argument("--sim-set", default=None, metavar="STEM", help="held-out simulator set to pick two frames from")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    picked, wanted_negatives = [], list(NEGATIVE_KINDS)
    positives = 0
    for index in range(500):
        rgb, mask, label, _quality = synth.render_sample(FIXTURE_SEED, index, HEIGHT_PX, WIDTH_PX)
        if positives < args.positives and is_clear_plume_image(label):
            name = f"plume-{positives + 1}"
            positives += 1
        elif label["hard_negative"] in wanted_negatives:
            wanted_negatives.remove(label["hard_negative"])
            name = f"negative-{label['hard_negative'].replace('_', '-')}"
        else:
            continue
        Image.fromarray(rgb).save(os.path.join(args.out, name + ".jpg"), quality=JPEG_QUALITY)
        Image.fromarray(mask.astype(np.uint8) * 255).save(os.path.join(args.out, name + "-mask.png"))
        label.update({"file": name + ".jpg", "mask": name + "-mask.png"})
        picked.append(label)
        if positives == args.positives and not wanted_negatives:
            break
    if args.sim_set:
        picked.extend(simulator_frames(args.sim_set, args.out))
    summary = {
        "seed": FIXTURE_SEED,
        "width_px": WIDTH_PX,
        "height_px": HEIGHT_PX,
        "made_by": "scripts/dust/make_fixtures.py",
        "box_format": "x0, y0, x1, y1 in pixels of this image, x1 and y1 exclusive",
        "images": picked,
    }
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump(summary, f, indent=2)
        f.write("\n")
    print(f"wrote {len(picked)} fixtures to {args.out}")


if __name__ == "__main__":
    main()
