"""The dust-plume network: a pretrained ShuffleNetV2 0.5× backbone, a small feature-pyramid decoder
for the per-pixel plume mask, and an image-level head that says whether the frame holds a plume.

The mask is predicted at a quarter of the input resolution (64×64 for 256×256) and upsampled
bilinearly: plume edges are soft, and geotag needs the blob and its source side, not crisp edges.
The image head sees the deepest features (mean- and max-pooled) and the mask's strongest logit, so
that it can veto whole-frame look-alikes (cloud, haze, pale soil) that light up the mask.
The backbone was trained on inputs scaled to 0..1 with no mean or std (checked against its first
BatchNorm's running statistics), which is what src/detect already feeds.
"""

import torch
from torch import nn
from torch.nn import functional as F

from backbone import STAGE_CHANNELS, ShuffleNetV2Backbone, conv_bn, load_pretrained

DECODER_CHANNELS = 48


class DustPlumeNet(nn.Module):
    """Input N×3×H×W RGB in [0, 1] (H, W multiples of 32); outputs the plume logits N×1×H×W and the
    image logit N×1."""

    def __init__(self, backbone=None):
        super().__init__()
        self.backbone = backbone or ShuffleNetV2Backbone()
        d = DECODER_CHANNELS
        self.lateral = nn.ModuleList([nn.Sequential(*conv_bn(c, d, 1)) for c in STAGE_CHANNELS])
        self.smooth = nn.Sequential(*conv_bn(d, d, 3, groups=d, relu=False), *conv_bn(d, d, 1))
        self.mask_head = nn.Conv2d(d, 1, 1)
        self.image_head = nn.Linear(2 * STAGE_CHANNELS[-1] + 1, 1)

    def logits(self, rgb):
        features = self.backbone(rgb)
        x = self.lateral[-1](features[-1])
        for lateral, feature in zip(self.lateral[-2::-1], features[-2::-1]):
            x = lateral(feature) + F.interpolate(x, size=feature.shape[-2:], mode="bilinear", align_corners=False)
        quarter = self.mask_head(self.smooth(x))
        mask_logits = F.interpolate(quarter, size=rgb.shape[-2:], mode="bilinear", align_corners=False)
        deepest = features[-1]
        pooled = torch.cat(
            [deepest.mean((2, 3)), deepest.amax((2, 3)), quarter.amax((2, 3))], 1
        )
        return mask_logits, self.image_head(pooled)

    def forward(self, rgb):
        mask_logits, image_logit = self.logits(rgb)
        return torch.sigmoid(mask_logits), torch.sigmoid(image_logit)


def build(pretrained_path=None):
    return DustPlumeNet(load_pretrained(pretrained_path) if pretrained_path else None)


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def load_checkpoint(path):
    state = torch.load(path, map_location="cpu")
    model = DustPlumeNet()
    model.load_state_dict(state["model"])
    model.eval()
    return model, state


def export_onnx(model, path, height_px, width_px, opset=17):
    """ONNX with a dynamic batch axis and a fixed H×W; input 'image', outputs 'plume_prob' and
    'image_prob'."""
    model.eval()
    dummy = torch.zeros(1, 3, height_px, width_px)
    torch.onnx.export(
        model,
        dummy,
        path,
        input_names=["image"],
        output_names=["plume_prob", "image_prob"],
        dynamic_axes={"image": {0: "batch"}, "plume_prob": {0: "batch"}, "image_prob": {0: "batch"}},
        opset_version=opset,
        do_constant_folding=True,
    )
