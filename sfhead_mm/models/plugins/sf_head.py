"""SF-Head: Synchronized spatial-temporal extraction (SSTE) + adaptive cross-dimensional feature
aggregation (AC-FA), the module inserted between the GCN and TCN units of a block.

The forward pass is the one fixed in ``shared/notes/sf-head-spec.md`` (the authors' published
module). This implementation computes the same function with fewer passes over the feature map
than a literal transcription, because the head sits on the hot path of every block:

* the three AC-FA gates never materialise their gated maps: ``f_r`` is accumulated as
  ``f_c * (w2 * s_tv + w3) + f_t * (w0 * s_cv) + f_s * (w1 * s_tc)``, where the ``s`` are the
  small sigmoid maps, broadcast over the pooled axis;
* the spatial branch folds GroupNorm and the ``sw``/``sb`` affine into one per-channel
  ``a * x + b`` (GroupNorm with one channel per group is a per-channel standardisation);
* the concatenation of ``[f_t, f_s, f_r, f_o]``, the un-grouping and the 2-group channel shuffle
  are one ``torch.stack`` that writes each branch straight to its shuffled channel positions;
* the gates' 2 -> 1 channel 7x7 convolutions run on channels-last maps, which oneDNN handles
  about 4x faster than the default layout (forward + backward, 2-core CPU).

``tests/models/test_sf_head.py`` checks that this equals a plain transcription of the spec.
"""
import contextlib
from typing import Dict, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from .sf_head_function import DOT_ORDER, SQ_ORDER, SFHeadFunction, channel_moments

BRANCHES = ('f_t', 'f_s', 'f_c', 'f_o', 'f_r')


class ZPoolGate(nn.Module):
    """Attention map from max- and mean-pooling one axis: ``sigmoid(BN(conv7x7([max, mean])))``.

    Returns the (small) sigmoid map only; the caller multiplies it into the features, so that
    the multiplication can be fused with the aggregation.

    Args:
        kernel_size (int): Convolution kernel size. Defaults to 7.
    """

    def __init__(self, kernel_size: int = 7):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel_size, padding=kernel_size // 2, bias=False)
        self.bn = nn.BatchNorm2d(1)

    def forward(self, x: torch.Tensor, dim: int, transpose: bool = False) -> torch.Tensor:
        """Pool ``x`` of shape (N, c, T, V) over ``dim`` in {1, 2, 3}.

        Args:
            x (torch.Tensor): Features (N, c, T, V).
            dim (int): The pooled axis.
            transpose (bool): Lay the 2D map out with x's remaining axes swapped (the
                authors' ``permute(0, 3, 2, 1)`` branch covers frame x channel, not
                channel x frame); the kernel is applied in that orientation.

        Returns:
            torch.Tensor: The gate, broadcastable to ``x`` (size 1 on ``dim``).
        """
        gate = self.from_pooled(x.amax(dim), x.mean(dim), transpose)  # (N, a, b)
        return gate.unsqueeze(dim)

    def from_pooled(self, mx: torch.Tensor, avg: torch.Tensor,
                    transpose: bool = False) -> torch.Tensor:
        """The gate from already pooled maps ``mx``, ``avg`` of shape (N, a, b) -> (N, a, b)."""
        # The layout of the (N, 2, a, b) map decides oneDNN's speed for this 2 -> 1 channel 7x7
        # convolution (2-core CPU, 128 x 2 x 64 x 25): with a backward to come, channels-last is
        # 4x faster (15 vs 61 ms forward + backward); forward only, the default layout is
        # (3.7 vs 6.1 ms).
        if torch.is_grad_enabled():
            pooled = torch.stack((mx, avg), -1).permute(0, 3, 1, 2)
        else:
            pooled = torch.stack((mx, avg), 1)
        weight = self.conv.weight
        if transpose:
            # conv(map^T, w) == conv(map, w^T)^T: keep the cheap (a, b) layout (oneDNN is
            # several times slower on maps only 1-2 wide) and transpose the kernel instead.
            weight = weight.transpose(2, 3)
        return torch.sigmoid(self.bn(F.conv2d(pooled, weight, padding=self.conv.padding)))[:, 0]


@MODELS.register_module()
class SFHead(BaseModule):
    """Synchronized and Fine-grained Head.

    Args:
        in_channels (int): Channels C of the feature map it refines; must be divisible by
            ``4 * groups``.
        groups (int): Channel groups G folded into the batch. Defaults to 8.
        init_cfg (dict, optional): Initialisation config (the spec's initial values are set in
            ``__init__``).

    Shapes:
        - input ``x``: (B, C, T, V), with B = N * M (persons folded into the batch).
        - output: (B, C, T, V).
        - branch features (``return_feats=True``): each (B * G, C / (4G), T, V).
    """

    def __init__(self, in_channels: int, groups: int = 8, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        if groups < 1 or in_channels % (4 * groups) != 0:
            raise ValueError(
                f'SFHead: in_channels={in_channels} is not divisible by 4 * groups = '
                f'{4 * groups} (groups={groups}); choose groups so that C % (4G) == 0')
        self.in_channels = in_channels
        self.groups = groups
        c = in_channels // (4 * groups)
        self.branch_channels = c
        # SSTE: per-channel gate parameters shared by all groups (spec initial values).
        self.cweight = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.cbias = nn.Parameter(torch.ones(1, c, 1, 1))
        self.sweight = nn.Parameter(torch.zeros(1, c, 1, 1))
        self.sbias = nn.Parameter(torch.ones(1, c, 1, 1))
        self.gn = nn.GroupNorm(c, c)
        # AC-FA gates: cv pools T (map over channel x joint), tc pools V (frame x channel),
        # tv pools C (frame x joint).
        self.gate_cv = ZPoolGate()
        self.gate_tc = ZPoolGate()
        self.gate_tv = ZPoolGate()
        self.eta = nn.Parameter(torch.ones(4))

    def extra_repr(self) -> str:
        return f'in_channels={self.in_channels}, groups={self.groups}'

    def _spatial(self, x3: torch.Tensor) -> torch.Tensor:
        """``x3 * sigmoid(sw * GN(x3) + sb)`` with GN folded into one affine per channel."""
        var, mean = channel_moments(x3, (2, 3))
        gn = self.gn
        scale = gn.weight.view(1, -1, 1, 1) * torch.rsqrt(var + gn.eps)
        a = self.sweight * scale
        b = self.sweight * (gn.bias.view(1, -1, 1, 1) - mean * scale) + self.sbias
        return x3 * torch.sigmoid(torch.addcmul(b, a, x3))

    def branches(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        """The branch features, without assembling the output (what the losses read).

        Args:
            x (torch.Tensor): (B, C, T, V).

        Returns:
            dict: ``f_t``, ``f_s``, ``f_c``, ``f_o``, ``f_r``, each (B * G, C / 4G, T, V).
        """
        B, C, T, V = x.shape
        if C != self.in_channels:
            raise ValueError(f'SFHead built for {self.in_channels} channels got {C}')
        G, c = self.groups, self.branch_channels
        x1, x2, x3, x4 = x.reshape(B * G, 4 * c, T, V).split(c, dim=1)

        # SSTE
        f_t = x1 * torch.sigmoid(self.cweight * x1.mean((2, 3), keepdim=True) + self.cbias)
        f_s = self._spatial(x3)
        f_c, f_o = x2, x4

        # AC-FA, fused: f_r = w0*gate_cv(f_t) + w1*gate_tc(f_s) + w2*gate_tv(f_c) + w3*f_c
        w = torch.softmax(self.eta, 0)
        s_cv = self.gate_cv(f_t, 2)
        s_tc = self.gate_tc(f_s, 3, transpose=True)
        s_tv = self.gate_tv(f_c, 1)
        f_r = f_c * (w[2] * s_tv + w[3])
        f_r = torch.addcmul(f_r, f_t, w[0] * s_cv)
        f_r = torch.addcmul(f_r, f_s, w[1] * s_tc)
        return dict(f_t=f_t, f_s=f_s, f_c=f_c, f_o=f_o, f_r=f_r)

    def forward(self, x: torch.Tensor, return_feats: bool = False
                ) -> Union[torch.Tensor, Tuple[torch.Tensor, Dict[str, torch.Tensor]]]:
        """Refine ``x``.

        Args:
            x (torch.Tensor): (B, C, T, V).
            return_feats (bool): Also return the branch features (see :meth:`branches`), from
                the same forward pass.

        Returns:
            torch.Tensor | tuple: The refined map (B, C, T, V), output channels
            ``shuffle(ungroup(cat([f_t, f_s, f_r, f_o])))``; with ``return_feats`` also the
            dict of branch features.
        """
        if not return_feats and self._fused():
            with self._param_precision(x) as x:
                if torch.is_grad_enabled() and (x.requires_grad or self.eta.requires_grad):
                    return self._forward_train(x)
                return self._forward_no_grad(x)
        feats = self.branches(x)
        B, _, T, V = x.shape
        out = self._shuffled_concat(
            (feats['f_t'], feats['f_s'], feats['f_r'], feats['f_o']), B, T, V)
        return (out, feats) if return_feats else out

    def _fused(self) -> bool:
        """The fused paths need an even G; tracing (FLOP counters, export) needs plain ops."""
        return self.groups % 2 == 0 and not torch.jit.is_tracing()

    @contextlib.contextmanager
    def _param_precision(self, x: torch.Tensor):
        """Run a fused path in the parameters' dtype with autocast off.

        The fused paths write into preallocated tensors, which needs one dtype throughout;
        under autocast the features arrive in half precision while the head's parameters are
        float32. The head is elementwise work, so float32 costs little, and the next layer's
        autocast casts its output back down.
        """
        dtype = self.eta.dtype
        if torch.is_autocast_enabled(x.device.type):
            with torch.autocast(device_type=x.device.type, enabled=False):
                yield x.to(dtype)
        else:
            yield x if x.dtype == dtype else x.to(dtype)

    def _forward_train(self, x: torch.Tensor, with_stats: bool = False):
        """Training path: one autograd Function with a hand-derived backward."""
        if x.shape[1] != self.in_channels:
            raise ValueError(f'SFHead built for {self.in_channels} channels got {x.shape[1]}')
        gates = (self.gate_cv, self.gate_tc, self.gate_tv)
        gate_params = [p for g in gates for p in (g.conv.weight, g.bn.weight, g.bn.bias)]
        return SFHeadFunction.apply(x, self.cweight, self.cbias, self.sweight, self.sbias,
                                    self.gn.weight, self.gn.bias, self.eta, *gate_params, self,
                                    with_stats)

    def forward_with_stats(self, x: torch.Tensor) -> Tuple[torch.Tensor, Dict[str, torch.Tensor]]:
        """The output and the inner products the losses need, per backbone row.

        This is what :class:`SFHeadPlugin` uses in training: F-CL and F-RL only need, for each
        sample, norms and inner products of the branch features, so the features themselves
        are never copied out of the output tensor.

        Args:
            x (torch.Tensor): (B, C, T, V).

        Returns:
            tuple: ``out`` (B, C, T, V) and a dict with ``sq`` (B, 5): squared norms of
            ``f_t, f_s, f_c, f_o, f_r``; ``dot`` (B, 4): ``f_r . f_t, f_s, f_c, f_o``;
            ``cross`` (B, B): ``f_s[i] . f_t[j]``.
        """
        if not self._fused():
            feats = self.branches(x)
            B, _, T, V = x.shape
            out = self._shuffled_concat(
                (feats['f_t'], feats['f_s'], feats['f_r'], feats['f_o']), B, T, V)
            return out, self.stats_from_feats(feats, B)
        with self._param_precision(x) as x:
            out, sq, dot, cross = self._forward_train(x, with_stats=True)
        return out, dict(sq=sq, dot=dot, cross=cross)

    @staticmethod
    def stats_from_feats(feats: Dict[str, torch.Tensor], rows: int) -> Dict[str, torch.Tensor]:
        """The statistics of :meth:`forward_with_stats` from branch features (plain autograd)."""
        flat = {k: v.reshape(rows, -1) for k, v in feats.items()}
        sq = torch.stack([flat[k].square().sum(1) for k in SQ_ORDER], 1)
        dot = torch.stack([(flat['f_r'] * flat[k]).sum(1) for k in DOT_ORDER], 1)
        return dict(sq=sq, dot=dot, cross=flat['f_s'] @ flat['f_t'].t())

    def _forward_no_grad(self, x: torch.Tensor) -> torch.Tensor:
        """Inference path: every branch is computed straight into its shuffled output slot.

        Without autograd the intermediate maps need not be kept, so each branch is written
        once, in place, into the output (viewed so that its four branch slots are strided
        views), and nothing else of the map's size is allocated.
        """
        B, C, T, V = x.shape
        if C != self.in_channels:
            raise ValueError(f'SFHead built for {self.in_channels} channels got {C}')
        G, c, H = self.groups, self.branch_channels, self.groups // 2
        x1, x2, x3, x4 = x.view(B, 2, H, 4, c, T, V).unbind(3)  # each (B, 2, H, c, T, V)
        out = x.new_empty(B, H, 4, c, 2, T, V)  # the shuffled channel order
        f_t, f_s, f_r, f_o = out.permute(0, 4, 1, 2, 3, 5, 6).unbind(3)

        def per_channel(p):  # (1, c, 1, 1) parameter -> broadcastable to (B, 2, H, c, T, V)
            return p.view(1, 1, 1, c, 1, 1)

        gate = torch.sigmoid(per_channel(self.cweight) * x1.mean((4, 5), keepdim=True)
                             + per_channel(self.cbias))
        torch.mul(x1, gate, out=f_t)

        var, mean = channel_moments(x3, (4, 5))
        gn, sw = self.gn, per_channel(self.sweight)
        scale = per_channel(gn.weight) * torch.rsqrt(var + gn.eps)
        torch.addcmul(sw * (per_channel(gn.bias) - mean * scale) + per_channel(self.sbias),
                      sw * scale, x3, out=f_s)
        f_s.sigmoid_()
        f_s.mul_(x3)

        w = torch.softmax(self.eta, 0)
        s_cv = self.gate_cv.from_pooled(f_t.amax(4).reshape(B * G, c, V),
                                        f_t.mean(4).reshape(B * G, c, V))
        s_tc = self.gate_tc.from_pooled(f_s.amax(5).reshape(B * G, c, T),
                                        f_s.mean(5).reshape(B * G, c, T), transpose=True)
        s_tv = self.gate_tv.from_pooled(x2.amax(3).reshape(B * G, T, V),
                                        x2.mean(3).reshape(B * G, T, V))
        torch.mul(x2, (w[2] * s_tv + w[3]).view(B, 2, H, 1, T, V), out=f_r)
        f_r.addcmul_(f_t, (w[0] * s_cv).view(B, 2, H, c, 1, V))
        f_r.addcmul_(f_s, (w[1] * s_tc).view(B, 2, H, c, T, 1))
        f_o.copy_(x4)
        return out.view(B, C, T, V)

    def _shuffled_concat(self, branches, B: int, T: int, V: int) -> torch.Tensor:
        """``shuffle(ungroup(cat(branches)))`` written in one pass.

        Pre-shuffle channel ``p = g*4c + b*c + k`` (group g, branch b, channel k) goes to
        output channel ``2*(p mod C/2) + p div C/2``. With G even and ``g = h*G/2 + q`` that is
        the memory order (q, b, k, h): stack the branches on a new axis after q, each viewed
        as (B, q, k, h, T, V).
        """
        G, c = self.groups, self.branch_channels
        if G % 2:
            # Odd G: groups straddle the two shuffle halves; fall back to the literal form.
            cat = torch.cat(branches, 1).reshape(B, 2, -1, T, V)
            return cat.transpose(1, 2).reshape(B, 4 * G * c, T, V)
        views = [f.view(B, 2, G // 2, c, T, V).permute(0, 2, 3, 1, 4, 5) for f in branches]
        return torch.stack(views, 2).view(B, 4 * G * c, T, V)

    @staticmethod
    def num_params(in_channels: int, groups: int = 8) -> int:
        """Parameters of one head: 6 per branch channel plus 304 for the gates and ``eta``."""
        return 6 * (in_channels // (4 * groups)) + 3 * (2 * 49 + 2) + 4
