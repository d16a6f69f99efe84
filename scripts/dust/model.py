"""The dust-plume segmentation network: a small U-Net that works at half resolution.

Plume edges are soft and ill-defined, so predicting the mask at half resolution
and upsampling it bilinearly loses nothing that matters and halves the cost of
every layer (the full-resolution stages of a U-Net are its most expensive).
"""

import torch
from torch import nn
from torch.nn import functional as F

BASE_CHANNELS = (12, 24, 48, 96)  # per level: 1/2, 1/4, 1/8, 1/16 of the input


def conv_bn_relu(in_ch, out_ch, stride=1):
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, 3, stride=stride, padding=1, bias=False),
        nn.BatchNorm2d(out_ch),
        nn.ReLU(inplace=True),
    )


def double_conv(in_ch, out_ch):
    return nn.Sequential(conv_bn_relu(in_ch, out_ch), conv_bn_relu(out_ch, out_ch))


class DustUNet(nn.Module):
    """Input N×3×H×W RGB in [0, 1] (H, W multiples of 16); output N×1×H×W plume probability."""

    def __init__(self, channels=BASE_CHANNELS):
        super().__init__()
        c0, c1, c2, c3 = channels
        self.stem = nn.Sequential(conv_bn_relu(3, c0, stride=2), conv_bn_relu(c0, c0))
        self.down1 = double_conv(c0, c1)
        self.down2 = double_conv(c1, c2)
        self.down3 = double_conv(c2, c3)
        self.up2 = double_conv(c3 + c2, c2)
        self.up1 = double_conv(c2 + c1, c1)
        self.up0 = double_conv(c1 + c0, c0)
        self.head = nn.Conv2d(c0, 1, 1)

    @staticmethod
    def _up_cat(x, skip):
        x = F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)
        return torch.cat([x, skip], dim=1)

    def logits(self, rgb):
        s0 = self.stem(rgb)  # 1/2
        s1 = self.down1(F.max_pool2d(s0, 2))  # 1/4
        s2 = self.down2(F.max_pool2d(s1, 2))  # 1/8
        s3 = self.down3(F.max_pool2d(s2, 2))  # 1/16
        x = self.up2(self._up_cat(s3, s2))
        x = self.up1(self._up_cat(x, s1))
        x = self.up0(self._up_cat(x, s0))
        half_res = self.head(x)
        return F.interpolate(half_res, scale_factor=2.0, mode="bilinear", align_corners=False)

    def forward(self, rgb):
        return torch.sigmoid(self.logits(rgb))


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


def load_checkpoint(path):
    state = torch.load(path, map_location="cpu")
    model = DustUNet(tuple(state.get("channels", BASE_CHANNELS)))
    model.load_state_dict(state["model"])
    model.eval()
    return model, state


def export_onnx(model, path, height_px, width_px, opset=17):
    """ONNX with a dynamic batch axis and a fixed H×W; input 'image', output 'plume_prob'."""
    model.eval()
    dummy = torch.zeros(1, 3, height_px, width_px)
    torch.onnx.export(
        model,
        dummy,
        path,
        input_names=["image"],
        output_names=["plume_prob"],
        dynamic_axes={"image": {0: "batch"}, "plume_prob": {0: "batch"}},
        opset_version=opset,
        do_constant_folding=True,
    )
