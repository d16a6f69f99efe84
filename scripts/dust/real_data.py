"""Training and evaluation sets from the real photographs of ../shared/data/real, built so that a model
cannot pass by telling cameras and scenes apart (the smoke photos and the negatives come from
different sources):

- smoke crops: crops of the smoke photos that hold part of their mask;
- away crops: crops of the same smoke photos that stay clear of their masks (same cameras and
  landscapes, no smoke), at the scales the smoke crops are taken at;
- negatives: the negative photos of every source, cropped and squeezed like a 16:9 frame;
- pasted: smoke cut out of the smoke photos with a soft alpha from its mask and pasted onto negatives
  (real, synthetic and simulator frames), half of it tinted toward soil colours like construction dust.

Every sample is squeezed to 256×256 (the model input) and passes through the camera effects a drone
frame has (exposure, colour, blur, sensor noise, JPEG). The train split is cut once more, by a hash
of the path: a tenth of it ("tune") chooses the checkpoint and the operating thresholds, so that the
val split is only ever reported on.

Evaluation sets (from val, or from tune for choosing), image level:
- whole: every photo whole, smoke photos against each negative source;
- same-domain: the smoke photos whole against away crops of the same photos;
- cross-domain: 150 negatives per domain (aerial, cloud, ground), each clean and with one smoke
  cut-out pasted on it.
"""

import csv
import hashlib
import io
import os

import numpy as np
from PIL import Image, ImageFilter
from scipy import ndimage

SIZE_PX = 256
DEFAULT_REAL_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data", "real")

# The domain of each negative source (the folder under real/).
NEGATIVE_DOMAIN = {
    "ccsn_clouds": "cloud",
    "gcd_clouds_subset": "cloud",
    "ucmerced_aerial": "aerial",
    "aid_aerial_subset": "aerial",
    "intel_scenes": "ground",
    "sun_cmu16720": "ground",
    "amos_daynight": "ground",
    "dawn_fog": "ground",
    "ce_construction_korea": "ground",
    "css_construction": "ground",
}
CROSS_DOMAIN_PER_DOMAIN = 150
TUNE_SHARE_OF_TRAIN = 10  # one photo in ten of the train split

# Soil and dust colours (RGB 0..1) that pasted smoke is tinted toward, like construction dust.
DUST_RGB = np.array(
    [[0.78, 0.70, 0.58], [0.70, 0.60, 0.47], [0.62, 0.55, 0.48], [0.85, 0.80, 0.72], [0.58, 0.50, 0.40]]
)


def read_index(real_dir):
    with open(os.path.join(real_dir, "index.csv")) as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        row["folder"] = row["path"].split("/")[0]
        if row["split"] == "train" and int(hashlib.sha1(row["path"].encode()).hexdigest(), 16) % TUNE_SHARE_OF_TRAIN == 0:
            row["split"] = "tune"
    return rows


def load_rgb(real_dir, rel_path):
    return np.asarray(Image.open(os.path.join(real_dir, rel_path)).convert("RGB"))


def load_mask(real_dir, rel_path):
    return np.asarray(Image.open(os.path.join(real_dir, rel_path)).convert("L")) >= 128


def squeeze(rgb, size_px=SIZE_PX):
    """The whole array stretched to size × size (bilinear), as src/detect/preprocess.ts does."""
    if rgb.shape[:2] == (size_px, size_px):
        return rgb
    return np.asarray(Image.fromarray(rgb).resize((size_px, size_px), Image.BILINEAR))


def squeeze_mask(mask, size_px=SIZE_PX):
    soft = Image.fromarray(mask.astype(np.uint8) * 255).resize((size_px, size_px), Image.BILINEAR)
    return np.asarray(soft) >= 128


def crop_window(rng, height_px, width_px, side_share):
    """A window of about side_share of the photo's size with the aspect of a 16:9 frame, a square or
    in between (all are squeezed to a square later, as the drone's 16:9 frames are)."""
    aspect = rng.choice([1.0, 16 / 9, rng.uniform(1.0, 16 / 9)])
    crop_h = int(round(height_px * side_share))
    crop_w = int(round(min(width_px, crop_h * aspect)))
    crop_h = max(16, min(crop_h, height_px))
    crop_w = max(16, crop_w)
    top = int(rng.integers(0, height_px - crop_h + 1))
    left = int(rng.integers(0, width_px - crop_w + 1))
    return top, left, crop_h, crop_w


def smoke_crop(rng, rgb, mask, min_mask_share=0.004):
    """A crop holding part of the smoke, or the whole photo when no crop does."""
    h, w = mask.shape
    for _ in range(12):
        top, left, ch, cw = crop_window(rng, h, w, rng.uniform(0.4, 1.0))
        if mask[top : top + ch, left : left + cw].mean() >= min_mask_share:
            return rgb[top : top + ch, left : left + cw], mask[top : top + ch, left : left + cw]
    return rgb, mask


def away_crop(rng, rgb, mask, margin_px=10):
    """A crop of the photo well clear of its smoke (None when there is no room)."""
    h, w = mask.shape
    near = ndimage.binary_dilation(mask, iterations=margin_px) if mask.any() else mask
    for _ in range(20):
        top, left, ch, cw = crop_window(rng, h, w, rng.uniform(0.3, 0.75))
        if not near[top : top + ch, left : left + cw].any():
            return rgb[top : top + ch, left : left + cw]
    return None


def cutout(rgb, mask):
    """The smoke of one photo: its pixels and a soft alpha from its mask, cropped to the mask."""
    ys, xs = np.nonzero(mask)
    if len(ys) < 30:
        return None
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    alpha = ndimage.gaussian_filter(mask.astype(np.float32), 1.5)
    return rgb[top:bottom, left:right].astype(np.float32) / 255, alpha[top:bottom, left:right]


def tint_like_dust(rng, smoke_rgb):
    """Smoke recoloured toward a soil colour, keeping its brightness pattern (dust is rarely grey-blue)."""
    dust = DUST_RGB[rng.integers(len(DUST_RGB))] * rng.uniform(0.9, 1.1, 3)
    luminance = smoke_rgb.mean(2, keepdims=True)
    tinted = luminance * dust / dust.mean()
    share = rng.uniform(0.4, 0.9)
    return np.clip(smoke_rgb * (1 - share) + tinted * share, 0, 1)


def paste(rng, background, smoke, tint_share=0.5, min_change=0.05):
    """One smoke cut-out pasted onto a 256×256 background; returns (image, mask) or None when the
    pasted smoke would not show (the colour of what lies behind it)."""
    smoke_rgb, alpha = smoke
    size_px = background.shape[0]
    for _ in range(4):
        width_px = int(size_px * rng.uniform(0.15, 0.75))
        height_px = max(8, int(width_px * smoke_rgb.shape[0] / smoke_rgb.shape[1] * rng.uniform(0.7, 1.4)))
        height_px = min(height_px, int(size_px * 0.9))
        fg = np.asarray(Image.fromarray((smoke_rgb * 255).astype(np.uint8)).resize((width_px, height_px), Image.BILINEAR))
        fg = fg.astype(np.float32) / 255
        a = np.asarray(Image.fromarray(alpha).resize((width_px, height_px), Image.BILINEAR)) * rng.uniform(0.7, 1.0)
        if rng.random() < 0.5:
            fg, a = fg[:, ::-1], a[:, ::-1]
        if rng.random() < tint_share:
            fg = tint_like_dust(rng, fg)
        # the source may sit at or past a frame edge (up to a quarter of the plume out of view)
        top = int(rng.integers(-height_px // 4, size_px - 3 * height_px // 4))
        left = int(rng.integers(-width_px // 4, size_px - 3 * width_px // 4))
        y0, x0 = max(top, 0), max(left, 0)
        y1, x1 = min(top + height_px, size_px), min(left + width_px, size_px)
        full_alpha = np.zeros((size_px, size_px), np.float32)
        full_fg = np.zeros((size_px, size_px, 3), np.float32)
        full_alpha[y0:y1, x0:x1] = a[y0 - top : y1 - top, x0 - left : x1 - left]
        full_fg[y0:y1, x0:x1] = fg[y0 - top : y1 - top, x0 - left : x1 - left]
        bg = background.astype(np.float32) / 255
        out = bg * (1 - full_alpha[..., None]) + full_fg * full_alpha[..., None]
        mask = full_alpha > 0.15
        if mask.mean() < 0.002:
            continue
        if np.abs(out - bg)[mask].mean() < min_change:
            continue
        return (out * 255).round().astype(np.uint8), mask
    return None


def camera_effects(rng, rgb):
    """Exposure, gamma, colour gain, saturation, blur, sensor noise and a JPEG round trip."""
    x = rgb.astype(np.float32) / 255
    x = np.clip(x * rng.uniform(0.75, 1.25) + rng.uniform(-0.06, 0.06), 0, 1) ** rng.uniform(0.8, 1.25)
    x = x * rng.uniform(0.9, 1.1, 3)
    grey = x.mean(2, keepdims=True)
    x = grey + (x - grey) * rng.uniform(0.6, 1.3)
    image = Image.fromarray((np.clip(x, 0, 1) * 255).astype(np.uint8))
    if rng.random() < 0.4:
        image = image.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.6)))
    x = np.asarray(image).astype(np.float32)
    if rng.random() < 0.5:
        x = x + rng.normal(0, rng.uniform(1, 6), x.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(x, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=int(rng.integers(40, 96)))
    return np.asarray(Image.open(buffer).convert("RGB"))


def rotate_small(rng, rgb, mask, max_deg=12):
    """A small roll of the camera; reflected borders keep the frame full."""
    angle = rng.uniform(-max_deg, max_deg)
    rgb = ndimage.rotate(rgb, angle, axes=(1, 0), reshape=False, order=1, mode="reflect")
    mask = ndimage.rotate(mask.astype(np.uint8), angle, axes=(1, 0), reshape=False, order=0, mode="reflect") > 0
    return rgb, mask


class Collector:
    def __init__(self):
        self.images, self.masks, self.labels = [], [], []

    def add(self, rgb, mask, label):
        self.images.append(rgb)
        self.masks.append(mask)
        self.labels.append({**label, "has_plume": bool(mask.any()) if label.get("has_plume") is None else label["has_plume"]})

    def arrays(self):
        if not self.images:
            return np.zeros((0, SIZE_PX, SIZE_PX, 3), np.uint8), np.zeros((0, SIZE_PX, SIZE_PX), bool), []
        return np.stack(self.images), np.stack(self.masks), self.labels


def plumes_of(mask):
    """Plume boxes of a mask (8-connected components), in metrics.evaluate's label structure."""
    labels, _count = ndimage.label(mask, structure=np.ones((3, 3), bool))
    plumes = []
    for where in ndimage.find_objects(labels):
        if where is None:
            continue
        box = [where[1].start, where[0].start, where[1].stop, where[0].stop]
        if (box[2] - box[0]) * (box[3] - box[1]) >= 16:
            plumes.append({"box": box})
    return plumes


def training_parts(real_dir, seed, backgrounds, photos_per_smoke=3, away_per_smoke=2, pasted_per_negative=0.3):
    """The training parts as name → (images, masks, labels), from the train split only.

    backgrounds: name → (uint8 N×256×256×3 negative frames, their views) from the synthetic generator
    and the simulator, to paste smoke on too.
    """
    rng = np.random.default_rng(seed)
    rows = [r for r in read_index(real_dir) if r["split"] == "train"]
    smoke_rows = [r for r in rows if r["label"] == "smoke"]
    negative_rows = [r for r in rows if r["label"] == "neg"]
    smoke_crops, away, negatives, pasted = Collector(), Collector(), Collector(), Collector()
    cutouts = []
    empty = np.zeros((SIZE_PX, SIZE_PX), bool)
    for row in smoke_rows:
        rgb, mask = load_rgb(real_dir, row["path"]), load_mask(real_dir, row["mask"])
        if mask.shape != rgb.shape[:2]:
            continue
        smoke = cutout(rgb, mask)
        if smoke is not None:
            cutouts.append(smoke)
        for _ in range(photos_per_smoke):
            crop_rgb, crop_mask = smoke_crop(rng, rgb, mask)
            image, label_mask = squeeze(crop_rgb), squeeze_mask(crop_mask)
            if rng.random() < 0.3:
                image, label_mask = rotate_small(rng, image, label_mask)
            smoke_crops.add(camera_effects(rng, image), label_mask, {"source": row["folder"], "kind": "smoke_crop"})
        for _ in range(away_per_smoke):
            crop = away_crop(rng, rgb, mask)
            if crop is not None:
                away.add(camera_effects(rng, squeeze(crop)), empty, {"source": row["folder"], "kind": "away_crop", "has_plume": False})
    for row in negative_rows:
        rgb = load_rgb(real_dir, row["path"])
        top, left, ch, cw = crop_window(rng, *rgb.shape[:2], rng.uniform(0.6, 1.0))
        image = squeeze(rgb[top : top + ch, left : left + cw])
        view = view_of(row["folder"])
        negatives.add(camera_effects(rng, image), empty,
                      {"source": row["folder"], "kind": "negative", "view": view, "has_plume": False})
        if rng.random() < pasted_per_negative:
            add_pasted(rng, pasted, image, cutouts, row["folder"], view)
    for name, (frames, views) in backgrounds.items():
        for image, view in zip(frames, views):
            add_pasted(rng, pasted, image, cutouts, name, view)
    return {
        "real_smoke": smoke_crops.arrays(),
        "real_away": away.arrays(),
        "real_negative": negatives.arrays(),
        "pasted": pasted.arrays(),
    }


def view_of(folder):
    """'aerial' for nadir sources (a nadir view has no "up": training turns them by quarter turns)."""
    return "aerial" if NEGATIVE_DOMAIN.get(folder) == "aerial" else "oblique"


def add_pasted(rng, collector, background, cutouts, source, view):
    result = paste(rng, background, cutouts[rng.integers(len(cutouts))])
    if result is not None:
        image, mask = result
        collector.add(camera_effects(rng, image), mask,
                      {"source": source, "kind": "pasted", "view": view, "plumes": plumes_of(mask)})


def evaluation_sets(real_dir, split, seed):
    """The three image-level sets of one split ('val' to report, 'tune' to choose), name → arrays.

    No camera effects: the photos as they are, each squeezed whole to the model input."""
    rng = np.random.default_rng(seed)
    rows = [r for r in read_index(real_dir) if r["split"] == split]
    whole, same, cross = Collector(), Collector(), Collector()
    empty = np.zeros((SIZE_PX, SIZE_PX), bool)
    cutouts = []
    for row in rows:
        rgb = load_rgb(real_dir, row["path"])
        if row["label"] == "smoke":
            mask = load_mask(real_dir, row["mask"])
            label = {"source": row["folder"], "kind": "smoke", "path": row["path"], "has_plume": True}
            whole.add(squeeze(rgb), squeeze_mask(mask), label)
            same.add(squeeze(rgb), squeeze_mask(mask), label)
            crop = away_crop(rng, rgb, mask)
            if crop is not None:
                same.add(squeeze(crop), empty, {**label, "kind": "away_crop", "has_plume": False})
            smoke = cutout(rgb, mask)
            if smoke is not None:
                cutouts.append(smoke)
        else:
            whole.add(squeeze(rgb), empty, {"source": row["folder"], "kind": "negative", "path": row["path"], "has_plume": False})
    by_domain = {}
    for row in rows:
        if row["label"] == "neg":
            by_domain.setdefault(NEGATIVE_DOMAIN[row["folder"]], []).append(row)
    for domain in sorted(by_domain):
        picked = rng.permutation(len(by_domain[domain]))[:CROSS_DOMAIN_PER_DOMAIN]
        for i in picked:
            row = by_domain[domain][i]
            background = squeeze(load_rgb(real_dir, row["path"]))
            label = {"source": row["folder"], "domain": domain, "path": row["path"]}
            result = None
            while result is None:  # natural smoke colours here: the val smoke as it was filmed
                result = paste(rng, background, cutouts[rng.integers(len(cutouts))], tint_share=0.0)
            cross.add(background, empty, {**label, "kind": "negative", "has_plume": False})
            cross.add(result[0], result[1], {**label, "kind": "pasted", "has_plume": True})
    return {"whole": whole.arrays(), "same_domain": same.arrays(), "cross_domain": cross.arrays()}
