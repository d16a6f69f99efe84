"""ShuffleNetV2 0.5× (Megvii ShuffleNet-Series layout, as FastestDet ships it), written from the
layout in ../shared/data/README.md so that its pretrained state dict loads strictly.

Feature maps for a 256×256 input: 24×64×64 (after the max-pool), 48×32×32, 96×16×16, 192×8×8.
"""

import torch
from torch import nn

STAGE_REPEATS = (4, 8, 4)
STAGE_CHANNELS = (24, 48, 96, 192)  # first_conv, stage2, stage3, stage4


def conv_bn(in_ch, out_ch, kernel, stride=1, groups=1, relu=True):
    layers = [
        nn.Conv2d(in_ch, out_ch, kernel, stride, kernel // 2, groups=groups, bias=False),
        nn.BatchNorm2d(out_ch),
    ]
    if relu:
        layers.append(nn.ReLU(inplace=True))
    return layers


class ShuffleBlock(nn.Module):
    """A stage's first block (stride 2) has two branches on the whole input; the others split the
    input channels by even and odd index and pass the even ones through unchanged."""

    def __init__(self, in_ch, out_ch, stride):
        super().__init__()
        self.stride = stride
        mid_ch = out_ch // 2
        main_in = in_ch if stride == 2 else in_ch // 2
        main_out = out_ch - main_in
        self.branch_main = nn.Sequential(
            *conv_bn(main_in, mid_ch, 1),
            *conv_bn(mid_ch, mid_ch, 3, stride, groups=mid_ch, relu=False),
            *conv_bn(mid_ch, main_out, 1),
        )
        if stride == 2:
            self.branch_proj = nn.Sequential(
                *conv_bn(in_ch, in_ch, 3, stride, groups=in_ch, relu=False),
                *conv_bn(in_ch, in_ch, 1),
            )

    def forward(self, x):
        if self.stride == 2:
            return torch.cat([self.branch_proj(x), self.branch_main(x)], 1)
        return torch.cat([x[:, 0::2], self.branch_main(x[:, 1::2])], 1)


def make_stage(in_ch, out_ch, repeats):
    blocks = [ShuffleBlock(in_ch, out_ch, 2)] + [ShuffleBlock(out_ch, out_ch, 1) for _ in range(repeats - 1)]
    return nn.Sequential(*blocks)


class ShuffleNetV2Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        c0, c2, c3, c4 = STAGE_CHANNELS
        self.first_conv = nn.Sequential(*conv_bn(3, c0, 3, 2))
        self.max_pool = nn.MaxPool2d(3, 2, 1)
        self.stage2 = make_stage(c0, c2, STAGE_REPEATS[0])
        self.stage3 = make_stage(c2, c3, STAGE_REPEATS[1])
        self.stage4 = make_stage(c3, c4, STAGE_REPEATS[2])

    def forward(self, x):
        """x normalised as the weights expect; returns the maps at strides 4, 8, 16 and 32."""
        s1 = self.max_pool(self.first_conv(x))
        s2 = self.stage2(s1)
        s3 = self.stage3(s2)
        s4 = self.stage4(s3)
        return s1, s2, s3, s4


def load_pretrained(path):
    backbone = ShuffleNetV2Backbone()
    backbone.load_state_dict(torch.load(path, map_location="cpu"), strict=True)
    return backbone
