#!/usr/bin/python3
"""Synthetic construction-site images with dust plumes, exact masks and labels.

Every image is drawn from its own random stream, seeded by (seed, index), so a
set is reproducible and can be generated in parallel in any order.

Scene: a procedural aerial (nadir) or oblique view of a building site; plumes:
a density field of multi-octave noise shaped by a source point, a widening cone
along the wind and decay with height/distance, alpha = 1 - exp(-k * density),
coloured from the soil at the source toward a light haze and composited with the
haze model I = J (1 - alpha) + A alpha (Xiong & Tang 2021 used the same idea).
Negative images are mostly hard negatives: clouds, fog, water spray, bare soil,
white/grey roofs, machines without dust. Camera effects follow: exposure and
colour jitter, blur, noise, JPEG.

CLI:  /usr/bin/python3 scripts/dust/synth.py --out DIR --count N --seed S --size 256
writes DIR/images/NNNNNN.jpg, DIR/masks/NNNNNN.png (255 = plume) and DIR/labels.json.
"""

import argparse
import io
import json
import math
import os
from multiprocessing import Pool

import numpy as np
from PIL import Image
from scipy import ndimage

MASK_ALPHA_THRESHOLD = 0.15  # a pixel is "plume" where the dust alpha exceeds this
MIN_PLUME_AREA_FRAC = 0.0008  # plumes smaller than this share of the frame are not labelled
MIN_VISIBLE_CHANGE = 0.06  # mean |I - J| over a plume's mask (0..1 scale) for it to be drawn
PLUME_IMAGE_SHARE = 0.5
HARD_NEGATIVES = ["cloud", "fog", "water_spray", "bare_soil", "roofs", "machines"]
HARD_NEGATIVE_SHARE = 0.8  # of the negative images; the rest are ordinary site views

SOIL_RGB = np.array(
    [
        [0.58, 0.46, 0.34],  # brown
        [0.72, 0.62, 0.46],  # ochre sand
        [0.45, 0.36, 0.28],  # dark loam
        [0.66, 0.42, 0.30],  # red laterite
        [0.62, 0.58, 0.52],  # grey clay
        [0.80, 0.74, 0.60],  # pale sand
    ],
    dtype=np.float32,
)
ROOF_RGB = np.array(
    [
        [0.92, 0.92, 0.90],  # white
        [0.80, 0.81, 0.82],  # light grey
        [0.55, 0.56, 0.58],  # grey
        [0.62, 0.30, 0.24],  # red tiles
        [0.30, 0.40, 0.60],  # blue sheet
        [0.35, 0.50, 0.40],  # green sheet
    ],
    dtype=np.float32,
)


# ----------------------------------------------------------------------------- noise


def fractal_noise(rng, height_px, width_px, cell_px, octaves=4, persistence=0.5):
    """Multi-octave value noise in [0, 1], smooth at scale cell_px."""
    total = np.zeros((height_px, width_px), np.float32)
    amplitude, amplitude_sum = 1.0, 0.0
    for _ in range(octaves):
        cell_px = max(cell_px, 1.5)
        grid_h = int(math.ceil(height_px / cell_px)) + 3
        grid_w = int(math.ceil(width_px / cell_px)) + 3
        grid = rng.random((grid_h, grid_w), dtype=np.float32)
        big = Image.fromarray(grid, mode="F").resize(
            (int(grid_w * cell_px), int(grid_h * cell_px)), Image.BICUBIC
        )
        offset_y = int(rng.integers(0, max(1, big.height - height_px - int(cell_px))))
        offset_x = int(rng.integers(0, max(1, big.width - width_px - int(cell_px))))
        layer = np.asarray(big, np.float32)[
            offset_y : offset_y + height_px, offset_x : offset_x + width_px
        ]
        total += amplitude * layer
        amplitude_sum += amplitude
        amplitude *= persistence
        cell_px /= 2.0
    total /= amplitude_sum
    # Value noise bunches around 0.5: stretch it to use [0, 1].
    return np.clip((total - 0.5) * 2.2 + 0.5, 0.0, 1.0)


def smooth_1d(rng, length, control_points):
    """A smooth random curve in [-1, 1] sampled at `length` points."""
    knots = rng.uniform(-1.0, 1.0, control_points)
    return np.interp(np.linspace(0, control_points - 1, length), np.arange(control_points), knots)


# ----------------------------------------------------------------------------- drawing


def rotated_rect_mask(height_px, width_px, center_xy, size_wh, angle_rad, soft_px=0.7):
    """Soft coverage in [0, 1] of a rotated rectangle, plus its bounding slices."""
    cx, cy = center_xy
    half_w, half_h = size_wh[0] / 2.0, size_wh[1] / 2.0
    reach = math.hypot(half_w, half_h) + 2
    y0, y1 = max(0, int(cy - reach)), min(height_px, int(cy + reach) + 1)
    x0, x1 = max(0, int(cx - reach)), min(width_px, int(cx + reach) + 1)
    if y0 >= y1 or x0 >= x1:
        return None, None
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx - cx, yy - cy
    cos_a, sin_a = math.cos(angle_rad), math.sin(angle_rad)
    u = dx * cos_a + dy * sin_a
    v = -dx * sin_a + dy * cos_a
    inside_u = np.clip((half_w - np.abs(u)) / soft_px + 0.5, 0, 1)
    inside_v = np.clip((half_h - np.abs(v)) / soft_px + 0.5, 0, 1)
    return inside_u * inside_v, (slice(y0, y1), slice(x0, x1))


def paint(canvas, coverage, where, rgb, texture=None):
    """Blend a colour (or an H×W×3 colour patch) into canvas under coverage."""
    if coverage is None:
        return
    region = canvas[where]
    colour = np.asarray(rgb, np.float32)
    if texture is not None:
        colour = colour * texture[..., None]
    a = coverage[..., None]
    region[:] = region * (1 - a) + colour * a


def darken(canvas, coverage, where, factor):
    if coverage is None:
        return
    canvas[where] *= 1 - (1 - factor) * coverage[..., None]


def draw_rect(canvas, rng, center_xy, size_wh, angle_rad, rgb, texture_amp=0.06):
    h, w = canvas.shape[:2]
    coverage, where = rotated_rect_mask(h, w, center_xy, size_wh, angle_rad)
    if coverage is None:
        return
    texture = 1 + texture_amp * (rng.standard_normal(coverage.shape).astype(np.float32))
    paint(canvas, coverage, where, rgb, texture)


def draw_shadowed_rect(canvas, rng, center_xy, size_wh, angle_rad, rgb, sun, texture_amp=0.05):
    """A raised object: its shadow (offset along the sun vector), then the object."""
    h, w = canvas.shape[:2]
    shadow_xy = (center_xy[0] + sun["dx_px"], center_xy[1] + sun["dy_px"])
    coverage, where = rotated_rect_mask(h, w, shadow_xy, size_wh, angle_rad, soft_px=1.5)
    darken(canvas, coverage, where, sun["shadow_factor"])
    draw_rect(canvas, rng, center_xy, size_wh, angle_rad, rgb, texture_amp)


# ----------------------------------------------------------------------------- scene parts


def soil_base(rng, h, w, scale_px):
    """Bare soil: two soil colours mixed by low-frequency noise, with fine grain."""
    pick = rng.choice(len(SOIL_RGB), 2, replace=False)
    c0 = SOIL_RGB[pick[0]] * rng.uniform(0.9, 1.1, 3).astype(np.float32)
    c1 = SOIL_RGB[pick[1]] * rng.uniform(0.9, 1.1, 3).astype(np.float32)
    mix = fractal_noise(rng, h, w, scale_px * rng.uniform(2, 6), 3)[..., None]
    canvas = c0 * (1 - mix) + c1 * mix
    grain = fractal_noise(rng, h, w, rng.uniform(2, 6), 2) - 0.5
    canvas *= (1 + rng.uniform(0.08, 0.25) * grain)[..., None]
    return canvas.astype(np.float32), c0


def draw_tyre_tracks(canvas, rng, count):
    h, w = canvas.shape[:2]
    for _ in range(count):
        start = rng.uniform(0, [w, h])
        heading = rng.uniform(0, 2 * math.pi)
        bend = smooth_1d(rng, 200, 4) * rng.uniform(0, 0.8)
        angles = heading + np.cumsum(bend) * 0.02
        step_px = max(h, w) / 120
        px = start[0] + np.cumsum(np.cos(angles)) * step_px
        py = start[1] + np.cumsum(np.sin(angles)) * step_px
        ok = (px >= 0) & (px < w - 1) & (py >= 0) & (py < h - 1)
        for offset in (-1.5, 1.5):
            xs = np.clip(px[ok] + offset * np.sin(angles[ok]), 0, w - 1).astype(int)
            ys = np.clip(py[ok] - offset * np.cos(angles[ok]), 0, h - 1).astype(int)
            canvas[ys, xs] *= rng.uniform(0.75, 0.9)


def draw_water(canvas, rng, scale_px):
    h, w = canvas.shape[:2]
    field = fractal_noise(rng, h, w, scale_px * rng.uniform(2, 5), 3)
    level = rng.uniform(0.8, 0.9)
    coverage = np.clip((field - level) * 25, 0, 1)
    colour = np.array([0.25, 0.30, 0.32], np.float32) * rng.uniform(0.7, 1.4)
    glint = 1 + 0.25 * (fractal_noise(rng, h, w, 6, 2) - 0.5)
    paint(canvas, coverage, (slice(None), slice(None)), colour, glint)


def draw_road(canvas, rng, scale_px):
    h, w = canvas.shape[:2]
    angle = rng.uniform(0, math.pi)
    center = rng.uniform(0, [w, h])
    width_px = scale_px * rng.uniform(0.5, 1.2)
    asphalt = np.full(3, rng.uniform(0.22, 0.42), np.float32)
    draw_rect(canvas, rng, center, (3 * max(h, w), width_px), angle, asphalt, 0.05)
    if rng.random() < 0.6:  # lane marking
        draw_rect(canvas, rng, center, (3 * max(h, w), max(1.0, width_px * 0.05)), angle,
                  [0.85, 0.85, 0.8], 0.1)


def draw_fence(canvas, rng, scale_px):
    h, w = canvas.shape[:2]
    center = rng.uniform(0.2, 0.8, 2) * [w, h]
    size = rng.uniform(3, 8, 2) * scale_px
    angle = rng.uniform(0, math.pi)
    colour = [[0.25, 0.45, 0.75], [0.9, 0.9, 0.9], [0.2, 0.45, 0.25], [0.55, 0.55, 0.55]][
        rng.integers(4)
    ]
    thick_px = max(1.2, scale_px * 0.08)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    for side in range(4):
        along = side % 2 == 0
        sign = 1 if side < 2 else -1
        offset = (size[1] / 2 if along else size[0] / 2) * sign
        ox, oy = (-sin_a * offset, cos_a * offset) if along else (cos_a * offset, sin_a * offset)
        length = size[0] if along else size[1]
        a = angle if along else angle + math.pi / 2
        draw_rect(canvas, rng, (center[0] + ox, center[1] + oy), (length, thick_px), a, colour, 0.1)


def draw_dust_net(canvas, rng, scale_px):
    """Green dust-cover net over a soil heap: green with a fine mesh pattern."""
    h, w = canvas.shape[:2]
    center = rng.uniform(0, [w, h])
    size = rng.uniform(1.5, 5, 2) * scale_px
    angle = rng.uniform(0, math.pi)
    coverage, where = rotated_rect_mask(h, w, center, size, angle, soft_px=2.0)
    if coverage is None:
        return
    yy, xx = np.mgrid[where[0], where[1]].astype(np.float32)
    period = rng.uniform(2, 4)
    mesh = 0.85 + 0.15 * np.sin(xx * 2 * math.pi / period) * np.sin(yy * 2 * math.pi / period)
    folds = 0.8 + 0.4 * fractal_noise(rng, *coverage.shape, scale_px * 0.7, 2)
    green = np.array([0.18, 0.42, 0.22], np.float32) * rng.uniform(0.8, 1.25)
    paint(canvas, coverage, where, green, mesh * folds)


def draw_machine(canvas, rng, center, scale_px, sun):
    """An excavator or loader from above: body, cab, arm."""
    body_rgb = [[0.85, 0.65, 0.1], [0.9, 0.5, 0.1], [0.8, 0.78, 0.2], [0.75, 0.75, 0.75]][
        rng.integers(4)
    ]
    angle = rng.uniform(0, 2 * math.pi)
    body = scale_px * rng.uniform(0.5, 0.9)
    draw_rect(canvas, rng, center, (body * 1.3, body * 1.1), angle, [0.15, 0.15, 0.15], 0.1)  # tracks
    draw_shadowed_rect(canvas, rng, center, (body, body * 0.8), angle, body_rgb, sun)
    cos_a, sin_a = math.cos(angle), math.sin(angle)
    cab = (center[0] - sin_a * body * 0.2, center[1] + cos_a * body * 0.2)
    draw_rect(canvas, rng, cab, (body * 0.35, body * 0.35), angle, [0.2, 0.25, 0.3], 0.05)
    arm_len = body * rng.uniform(1.2, 1.8)
    arm_center = (center[0] + cos_a * arm_len * 0.6, center[1] + sin_a * arm_len * 0.6)
    draw_shadowed_rect(canvas, rng, arm_center, (arm_len, body * 0.15), angle, body_rgb, sun)


def draw_vehicle(canvas, rng, center, scale_px, sun):
    colour = rng.uniform(0.1, 0.95, 3) if rng.random() < 0.5 else np.full(3, rng.uniform(0.1, 0.95))
    length = scale_px * rng.uniform(0.35, 0.7)
    draw_shadowed_rect(canvas, rng, center, (length, length * 0.45), rng.uniform(0, math.pi), colour, sun)


def draw_roof(canvas, rng, center, scale_px, sun, palette=None):
    palette = ROOF_RGB if palette is None else palette
    colour = palette[rng.integers(len(palette))] * rng.uniform(0.92, 1.05)
    size = scale_px * rng.uniform(1.0, 3.5, 2)
    angle = rng.uniform(0, math.pi)
    draw_shadowed_rect(canvas, rng, center, size, angle, colour, sun, 0.03)
    if rng.random() < 0.5:  # pitched roof: one half in shade
        cos_a, sin_a = math.cos(angle), math.sin(angle)
        half_center = (center[0] - sin_a * size[1] / 4, center[1] + cos_a * size[1] / 4)
        h, w = canvas.shape[:2]
        coverage, where = rotated_rect_mask(h, w, half_center, (size[0], size[1] / 2), angle)
        darken(canvas, coverage, where, rng.uniform(0.8, 0.92))


def draw_concrete(canvas, rng, scale_px):
    h, w = canvas.shape[:2]
    grey = np.full(3, rng.uniform(0.55, 0.8), np.float32) * rng.uniform(0.97, 1.03, 3)
    draw_rect(canvas, rng, rng.uniform(0, [w, h]), scale_px * rng.uniform(1.5, 5, 2),
              rng.uniform(0, math.pi), grey, 0.04)


def random_sun(rng, scale_px):
    angle = rng.uniform(0, 2 * math.pi)
    length_px = scale_px * rng.uniform(0.1, 0.5)
    return {
        "dx_px": math.cos(angle) * length_px,
        "dy_px": math.sin(angle) * length_px,
        "shadow_factor": rng.uniform(0.45, 0.75),
    }


def site_ground(rng, h, w, scale_px, emphasis=None):
    """An aerial view of a building site. `emphasis` biases the content for hard negatives."""
    canvas, soil_rgb = soil_base(rng, h, w, scale_px)
    sun = random_sun(rng, scale_px)
    if emphasis == "bare_soil":
        # Pale, dry patches and tracks on open soil, little else.
        pale = np.clip(fractal_noise(rng, h, w, scale_px * rng.uniform(1, 3), 4) - 0.55, 0, 1) * 2
        paint(canvas, pale * rng.uniform(0.3, 0.8), (slice(None), slice(None)),
              np.clip(soil_rgb * 1.35, 0, 1))
        draw_tyre_tracks(canvas, rng, rng.integers(2, 8))
        return canvas, soil_rgb
    draw_tyre_tracks(canvas, rng, rng.integers(0, 5))
    if rng.random() < 0.3:
        draw_water(canvas, rng, scale_px)
    for _ in range(rng.integers(0, 3)):
        draw_road(canvas, rng, scale_px)
    for _ in range(rng.integers(0, 4)):
        draw_concrete(canvas, rng, scale_px)
    for _ in range(rng.integers(0, 3)):
        draw_dust_net(canvas, rng, scale_px)
    if rng.random() < 0.5:
        draw_fence(canvas, rng, scale_px)
    roof_count = rng.integers(6, 14) if emphasis == "roofs" else rng.integers(0, 4)
    roof_palette = ROOF_RGB[:3] if emphasis == "roofs" else None
    roof_scale = scale_px * (1.6 if emphasis == "roofs" else 1.0)
    for _ in range(roof_count):
        draw_roof(canvas, rng, rng.uniform(0, [w, h]), roof_scale, sun, roof_palette)
    machine_count = rng.integers(4, 9) if emphasis == "machines" else rng.integers(0, 3)
    for _ in range(machine_count):
        draw_machine(canvas, rng, rng.uniform(0, [w, h]), scale_px, sun)
    vehicle_count = rng.integers(3, 10) if emphasis == "machines" else rng.integers(0, 5)
    for _ in range(vehicle_count):
        draw_vehicle(canvas, rng, rng.uniform(0, [w, h]), scale_px, sun)
    return np.clip(canvas, 0, 1), soil_rgb


def sky(rng, h, w, horizon_y):
    """A sky gradient, bluer at the top, pale at the horizon."""
    top = np.array([0.35, 0.55, 0.85], np.float32) * rng.uniform(0.8, 1.15)
    if rng.random() < 0.3:  # overcast
        top = np.full(3, rng.uniform(0.6, 0.85), np.float32)
    near = np.array([0.82, 0.86, 0.9], np.float32) * rng.uniform(0.9, 1.08)
    t = np.clip(np.arange(h, dtype=np.float32) / max(horizon_y, 1), 0, 1)[:, None, None]
    return np.clip(top * (1 - t) + near * t, 0, 1) * np.ones((1, w, 1), np.float32), near


def clouds(rng, h, w, horizon_y, sky_rgb):
    """Cumulus-like clouds in the sky band: returns alpha and colour for compositing."""
    field = fractal_noise(rng, h, w, w * rng.uniform(0.15, 0.4), 5)
    cover = rng.uniform(0.35, 0.6)
    alpha = np.clip((field - cover) * rng.uniform(3, 6), 0, 1)
    fade = np.clip((horizon_y - np.arange(h, dtype=np.float32)) / (0.1 * h + 1), 0, 1)[:, None]
    alpha *= fade
    shade = 0.75 + 0.25 * fractal_noise(rng, h, w, w * 0.1, 3)
    colour = np.array([0.97, 0.97, 0.98], np.float32) * shade[..., None]
    return alpha, colour


class View:
    """Maps between the image and the ground texture (identity for aerial views)."""

    def __init__(self, rng, h, w, oblique):
        self.h, self.w, self.oblique = h, w, oblique
        if oblique:
            self.horizon_y = h * rng.uniform(-0.3, 0.45)  # negative: no sky visible
            self.focal = rng.uniform(0.8, 1.6) * h  # ground pixels per unit 1/depth
        else:
            self.horizon_y = None

    def ground_scale(self, y_px):
        """How many image pixels one ground unit spans at image row y (1 in aerial views)."""
        if not self.oblique:
            return 1.0
        return max(y_px - self.horizon_y, 1.0) / (self.h - self.horizon_y)

    def render(self, rng, scale_px, emphasis=None):
        """Returns the background RGB, soil colour, and (for oblique views) the sky mask."""
        h, w = self.h, self.w
        if not self.oblique:
            ground, soil_rgb = site_ground(rng, h, w, scale_px, emphasis)
            return ground, soil_rgb, np.zeros((h, w), bool)
        tex_h, tex_w = int(h * 2.2), int(w * 1.6)
        ground, soil_rgb = site_ground(rng, tex_h, tex_w, scale_px, emphasis)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        depth_rows = np.maximum(yy - self.horizon_y, 0.5)
        span = h - self.horizon_y
        # Perspective: ground coordinates scale with 1 / (row below the horizon).
        gy = tex_h - 1 - (span / depth_rows - 1) * h * 0.35
        gx = tex_w / 2 + (xx - w / 2) * span / depth_rows
        coords = np.stack([gy, gx])
        image = np.stack(
            [ndimage.map_coordinates(ground[..., c], coords, order=1, mode="mirror") for c in range(3)],
            axis=-1,
        )
        sky_mask = yy < self.horizon_y
        if self.horizon_y > 0:
            sky_rgb, horizon_rgb = sky(rng, h, w, self.horizon_y)
            # Aerial perspective: distant ground fades toward the horizon colour.
            haze = np.exp(-(depth_rows / (span * rng.uniform(0.1, 0.35))))[..., None]
            image = image * (1 - haze) + horizon_rgb * haze
            image = np.where(sky_mask[..., None], sky_rgb, image)
        return np.clip(image, 0, 1).astype(np.float32), soil_rgb, sky_mask


# ----------------------------------------------------------------------------- plumes


def plume_alpha(rng, h, w, view, source_xy, length_px, peak_alpha):
    """Alpha field of one dust plume and the wind direction (unit vector) it follows."""
    sx, sy = source_xy
    if view.oblique:
        # Dust rises (up the image) and drifts with the wind.
        tilt = rng.uniform(-1.3, 1.3)
        direction = np.array([math.sin(tilt), -math.cos(tilt)], np.float32)
    else:
        heading = rng.uniform(0, 2 * math.pi)
        direction = np.array([math.cos(heading), math.sin(heading)], np.float32)
    width0_px = length_px * rng.uniform(0.08, 0.25)
    spread = rng.uniform(0.15, 0.6)  # cone widening per pixel along the wind
    reach = length_px * 2.2 + width0_px * 2
    y0, y1 = max(0, int(sy - reach)), min(h, int(sy + reach) + 1)
    x0, x1 = max(0, int(sx - reach)), min(w, int(sx + reach) + 1)
    alpha = np.zeros((h, w), np.float32)
    if y0 >= y1 or x0 >= x1:
        return alpha, direction
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = xx - sx, yy - sy
    along = dx * direction[0] + dy * direction[1]
    across = -dx * direction[1] + dy * direction[0]
    along_pos = np.maximum(along, 0)
    # The plume meanders: its axis bends with a smooth random curve along the wind.
    bend = smooth_1d(rng, 256, 5) * rng.uniform(0, 0.35) * length_px
    across = across - np.interp(along_pos / (reach + 1) * 255, np.arange(256), bend) * (
        along_pos / (length_px + 1)
    )
    half_width = width0_px + spread * along_pos
    cone = np.exp(-((across / half_width) ** 2))
    onset_arg = np.clip(along / (0.35 * width0_px) + 1.5, -30, 30)
    onset = 1 / (1 + np.exp(-onset_arg))  # fades in just behind the source
    decay = np.exp(-along_pos / length_px)  # thinning with height / distance
    billows = fractal_noise(rng, y1 - y0, x1 - x0, length_px * rng.uniform(0.15, 0.4), 4)
    texture = np.clip(0.25 + 1.1 * billows, 0, 1.2) ** rng.uniform(1.0, 2.0)
    density = cone * onset * decay * texture
    peak_density = max(float(density.max()), 1e-3)
    k = -math.log(1 - peak_alpha) / peak_density
    alpha[y0:y1, x0:x1] = 1 - np.exp(-k * density)
    return alpha, direction


def plume_colour(rng, h, w, background, source_xy, direction, length_px):
    """Dust colour: the soil near the source, fading to a light haze downwind."""
    sx, sy = int(np.clip(source_xy[0], 0, w - 1)), int(np.clip(source_xy[1], 0, h - 1))
    r = max(2, int(length_px * 0.05))
    soil = background[max(0, sy - r) : sy + r + 1, max(0, sx - r) : sx + r + 1].reshape(-1, 3).mean(0)
    haze = np.array([0.86, 0.83, 0.78], np.float32) * rng.uniform(0.88, 1.08)
    # Dust is lighter than the soil it comes from, so it shows against it.
    near = np.clip(soil * rng.uniform(1.15, 1.45), 0, 1) * 0.55 + haze * 0.45
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    along = (xx - source_xy[0]) * direction[0] + (yy - source_xy[1]) * direction[1]
    t = np.clip(along / (length_px * rng.uniform(0.8, 2.0)), 0, 1)[..., None]
    colour = near * (1 - t) + haze * t
    shading = 1 + 0.12 * (fractal_noise(rng, h, w, length_px * 0.3, 3) - 0.5)
    return np.clip(colour * shading[..., None], 0, 1).astype(np.float32)


def composite(image, alpha, colour):
    """The haze model I = J (1 - alpha) + A alpha."""
    a = alpha[..., None]
    return image * (1 - a) + colour * a


def pick_plume_source(rng, h, w, view):
    """A source point on the ground; about one in four lies at or beyond the frame edge."""
    if rng.random() < 0.25:
        edge = rng.integers(4)
        margin = rng.uniform(-0.08, 0.04)
        along = rng.uniform(0.05, 0.95)
        x = [margin * w, (1 - margin) * w, along * w, along * w][edge]
        y = [along * h, along * h, margin * h, (1 - margin) * h][edge]
    else:
        x, y = rng.uniform(0.08, 0.92) * w, rng.uniform(0.1, 0.95) * h
    if view.oblique and view.horizon_y is not None:
        y = max(y, view.horizon_y + 0.08 * h)  # dust starts on the ground, below the horizon
    return float(x), float(y)


def add_plumes(rng, image, view, count):
    """Composites `count` plumes; returns the image, the total alpha and per-plume info."""
    h, w = image.shape[:2]
    total_clear = np.ones((h, w), np.float32)  # product of (1 - alpha_i)
    plumes = []
    for _ in range(count):
        for _attempt in range(6):
            source = pick_plume_source(rng, h, w, view)
            scale = view.ground_scale(source[1])
            length_px = min(h, w) * rng.uniform(0.1, 0.45) * (0.4 + 0.6 * scale)
            peak_alpha = rng.uniform(0.45, 0.95)
            alpha, direction = plume_alpha(rng, h, w, view, source, length_px, peak_alpha)
            alpha = ndimage.gaussian_filter(alpha, rng.uniform(0.4, 1.2))
            own = alpha > MASK_ALPHA_THRESHOLD
            area = int(own.sum())
            overlap = (own & (total_clear < 1 - MASK_ALPHA_THRESHOLD)).sum()
            # Separate plumes stay separate, so each keeps its own box.
            if area < MIN_PLUME_AREA_FRAC * h * w or overlap >= 0.05 * area:
                continue
            colour = plume_colour(rng, h, w, image, source, direction, length_px)
            # Label only dust that shows: dust the colour of what lies behind it is invisible.
            change = alpha * np.abs(colour - image).mean(-1)
            if change[own].mean() >= MIN_VISIBLE_CHANGE:
                break
        else:
            continue
        image = composite(image, alpha, colour)
        total_clear *= 1 - alpha
        plumes.append({"alpha": alpha, "source_xy": source, "contrast": float(change[own].mean())})
    return image, 1 - total_clear, plumes


# ----------------------------------------------------------------------------- hard negatives


def add_fog(rng, image, view):
    h, w = image.shape[:2]
    density = 0.6 + 0.4 * fractal_noise(rng, h, w, max(h, w) * 0.5, 3)
    if view.oblique:
        rows = np.arange(h, dtype=np.float32)[:, None]
        density = density * np.clip(1.2 - (rows - max(view.horizon_y, 0)) / h, 0.3, 1.2)
    alpha = np.clip(density * rng.uniform(0.25, 0.65), 0, 0.85)
    fog_rgb = np.full(3, rng.uniform(0.75, 0.92), np.float32) * rng.uniform(0.97, 1.03, 3)
    return composite(image, alpha, fog_rgb)


def add_water_spray(rng, image, view, scale_px):
    """Dust-suppression spray: thin white jets of droplets arcing from a nozzle, a faint mist."""
    h, w = image.shape[:2]
    for _ in range(rng.integers(1, 4)):
        nozzle = rng.uniform(0.1, 0.9, 2) * [w, h]
        heading = rng.uniform(0, 2 * math.pi) if not view.oblique else rng.uniform(-2.6, -0.5)
        length_px = min(h, w) * rng.uniform(0.15, 0.45)
        steps = np.linspace(0, 1, 400)
        sag = (rng.uniform(0.1, 0.4) * length_px) * steps**2  # the jet falls under gravity
        px = nozzle[0] + math.cos(heading) * length_px * steps
        py = nozzle[1] + math.sin(heading) * length_px * steps + (sag if view.oblique else 0)
        jet = np.zeros((h, w), np.float32)
        for fan in np.linspace(-1, 1, rng.integers(3, 9)):
            spread_px = fan * steps * length_px * rng.uniform(0.05, 0.15)
            xs = np.clip(px - math.sin(heading) * spread_px, 0, w - 1).astype(int)
            ys = np.clip(py + math.cos(heading) * spread_px, 0, h - 1).astype(int)
            jet[ys, xs] = 1.0
        droplets = (rng.random((h, w)) < 0.5).astype(np.float32)
        jet = ndimage.gaussian_filter(ndimage.grey_dilation(jet, size=2) * droplets, 0.7)
        mist = ndimage.gaussian_filter(jet, length_px * 0.06) * 3
        alpha = np.clip(jet * rng.uniform(0.6, 1.0) + mist * rng.uniform(0.05, 0.2), 0, 0.9)
        white = np.array([0.93, 0.95, 0.98], np.float32)
        image = composite(image, alpha, white)
        if not view.oblique:  # wet ground below the jet darkens
            wet = np.clip(ndimage.gaussian_filter(jet, scale_px * 0.5) * 4, 0, 0.35)
            image = image * (1 - wet[..., None])
    return image


def add_clouds(rng, image, view, soil_rgb):
    """Clouds in the sky of an oblique view; in a nadir view, their shadows on the ground."""
    h, w = image.shape[:2]
    if view.oblique and view.horizon_y > 0.1 * h:
        alpha, colour = clouds(rng, h, w, view.horizon_y, None)
        image = composite(image, alpha, colour)
    shadow = np.clip((fractal_noise(rng, h, w, max(h, w) * 0.4, 3) - 0.55) * 4, 0, 1)
    return image * (1 - rng.uniform(0.2, 0.45) * shadow[..., None])


# ----------------------------------------------------------------------------- camera


def camera_effects(rng, image):
    """Exposure, white balance, blur and sensor noise; JPEG quality is returned for the encoder."""
    image = image * rng.uniform(0.75, 1.25) * rng.uniform(0.93, 1.07, 3).astype(np.float32)
    image = np.clip(image, 0, 1) ** rng.uniform(0.8, 1.25)
    if rng.random() < 0.5:
        sigma_px = rng.uniform(0.3, 1.2)
        image = ndimage.gaussian_filter(image, (sigma_px, sigma_px, 0))
    image = image + rng.normal(0, rng.uniform(0, 0.025), image.shape).astype(np.float32)
    jpeg_quality = int(rng.integers(45, 96))
    return np.clip(image, 0, 1), jpeg_quality


# ----------------------------------------------------------------------------- one sample


def render_sample(seed, index, size_px, width_px=None):
    """One labelled image before JPEG: (rgb uint8 H×W×3, mask bool H×W, label dict, jpeg quality).

    Some scenes are rendered at 16:9 and squeezed to the output width, so that a
    detector fed whole video frames resized to a square has seen that squeeze.
    """
    rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
    out_h = size_px
    out_w = width_px or size_px
    squeeze = width_px is None and rng.random() < 0.4
    h, w = out_h, (int(round(out_h * 16 / 9)) if squeeze else out_w)
    scale_px = min(h, w) * rng.uniform(0.06, 0.16)  # size of a typical object (a truck, a roof)

    has_plume = rng.random() < PLUME_IMAGE_SHARE
    hard_negative = None
    if not has_plume and rng.random() < HARD_NEGATIVE_SHARE:
        hard_negative = HARD_NEGATIVES[rng.integers(len(HARD_NEGATIVES))]
    oblique = rng.random() < (0.8 if hard_negative == "cloud" else 0.4)
    view = View(rng, h, w, oblique)
    if hard_negative == "cloud" and oblique:
        view.horizon_y = h * rng.uniform(0.25, 0.55)
    emphasis = hard_negative if hard_negative in ("bare_soil", "roofs", "machines") else None
    image, soil_rgb, _sky = view.render(rng, scale_px, emphasis)

    if hard_negative == "cloud" or (oblique and view.horizon_y > 0.1 * h and rng.random() < 0.3):
        image = add_clouds(rng, image, view, soil_rgb)
    if hard_negative == "water_spray" or (has_plume and rng.random() < 0.08):
        image = add_water_spray(rng, image, view, scale_px)

    alpha_total = np.zeros((h, w), np.float32)
    plumes = []
    if has_plume:
        count = int(rng.choice([1, 2, 3], p=[0.55, 0.3, 0.15]))
        image, alpha_total, plumes = add_plumes(rng, image, view, count)
    if hard_negative == "fog" or (has_plume and rng.random() < 0.05):
        image = add_fog(rng, image, view)

    image, jpeg_quality = camera_effects(rng, image)
    if w != out_w:
        image = resize_rgb(image, out_w, out_h)
        alpha_total = resize_field(alpha_total, out_w, out_h)
    mask = alpha_total > MASK_ALPHA_THRESHOLD

    x_scale = out_w / w
    labelled = []
    for plume in plumes:
        own = plume["alpha"] > MASK_ALPHA_THRESHOLD
        ys, xs = np.nonzero(own)
        if len(xs) == 0:
            continue
        box = [float(xs.min()) * x_scale, float(ys.min()), float(xs.max() + 1) * x_scale, float(ys.max() + 1)]
        labelled.append(
            {
                "box": [round(v, 1) for v in box],  # x0, y0, x1, y1 in output pixels (x1, y1 exclusive)
                "source_xy": [round(plume["source_xy"][0] * x_scale, 1), round(plume["source_xy"][1], 1)],
                "area_px": int(round(own.sum() * x_scale)),
                "contrast": round(plume["contrast"], 3),  # mean |I - J| over its mask, 0..1
            }
        )
    label = {
        "index": index,
        "has_plume": bool(labelled),
        "hard_negative": hard_negative,
        "view": "oblique" if oblique else "aerial",
        "squeezed_16x9": squeeze,
        "plumes": labelled,
    }
    rgb = (np.clip(image, 0, 1) * 255 + 0.5).astype(np.uint8)
    return rgb, mask, label, jpeg_quality


def resize_rgb(image, out_w, out_h):
    channels = [resize_field(image[..., c], out_w, out_h) for c in range(3)]
    return np.stack(channels, axis=-1)


def resize_field(field, out_w, out_h):
    return np.asarray(
        Image.fromarray(field.astype(np.float32), mode="F").resize((out_w, out_h), Image.BILINEAR),
        np.float32,
    )


def jpeg_roundtrip(rgb, quality):
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    return np.asarray(Image.open(buffer).convert("RGB"))


def render_array_sample(args):
    """For in-memory data sets: the image after its JPEG round trip, and the mask."""
    seed, index, size_px = args
    rgb, mask, label, quality = render_sample(seed, index, size_px)
    return jpeg_roundtrip(rgb, quality), mask, label


def generate_arrays(seed, count, size_px, workers=2):
    """count images as uint8 arrays: images N×H×W×3, masks N×H×W, labels list."""
    images = np.zeros((count, size_px, size_px, 3), np.uint8)
    masks = np.zeros((count, size_px, size_px), bool)
    labels = []
    jobs = [(seed, i, size_px) for i in range(count)]
    with Pool(workers) as pool:
        for i, (rgb, mask, label) in enumerate(pool.imap(render_array_sample, jobs, chunksize=16)):
            images[i], masks[i] = rgb, mask
            labels.append(label)
    return images, masks, labels


# ----------------------------------------------------------------------------- CLI


def write_one(args):
    out_dir, seed, index, height_px, width_px = args
    rgb, mask, label, quality = render_sample(seed, index, height_px, width_px)
    name = f"{index:06d}"
    Image.fromarray(rgb).save(os.path.join(out_dir, "images", name + ".jpg"), quality=quality)
    Image.fromarray(mask.astype(np.uint8) * 255).save(os.path.join(out_dir, "masks", name + ".png"))
    label["image"] = f"images/{name}.jpg"
    label["mask"] = f"masks/{name}.png"
    return label


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="output folder")
    parser.add_argument("--count", type=int, required=True, help="number of images")
    parser.add_argument("--seed", type=int, required=True, help="random seed of the set")
    parser.add_argument("--size", type=int, default=256, help="image height in pixels (and width)")
    parser.add_argument("--width", type=int, default=None, help="image width if not square")
    parser.add_argument("--first", type=int, default=0, help="index of the first image")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    os.makedirs(os.path.join(args.out, "images"), exist_ok=True)
    os.makedirs(os.path.join(args.out, "masks"), exist_ok=True)
    jobs = [(args.out, args.seed, i, args.size, args.width) for i in range(args.first, args.first + args.count)]
    with Pool(args.workers) as pool:
        labels = pool.map(write_one, jobs, chunksize=8)
    summary = {
        "seed": args.seed,
        "height_px": args.size,
        "width_px": args.width or args.size,
        "mask_alpha_threshold": MASK_ALPHA_THRESHOLD,
        "box_format": "x0, y0, x1, y1 in pixels, x1 and y1 exclusive",
        "images": labels,
    }
    with open(os.path.join(args.out, "labels.json"), "w") as f:
        json.dump(summary, f, indent=1)
    positives = sum(label["has_plume"] for label in labels)
    print(f"wrote {len(labels)} images ({positives} with plumes) to {args.out}")


if __name__ == "__main__":
    main()
