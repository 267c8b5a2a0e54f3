"""FR-Head (Zhou et al., CVPR 2023): a training-only feature refinement head on several blocks.

:class:`FRHead` is the head of one stage: spatial-temporal decoupling of the stage's feature map
into two 256-d vectors, each refined by an :class:`FRContrastiveLoss` with its own prototypes.
:class:`FRHeadPlugin` puts one on the output of each selected block (paper: blocks 1, 5, 8, 10;
0-based ``(0, 4, 7, 9)``) and returns ``w_cl * sum_i lambda_i (CL(F_s^i) + CL(F_t^i))``.

Its taps exist only while the recognizer computes a training loss, so inference runs the bare
backbone: no hook, no head, no extra cost (the head's parameters stay in the checkpoint under
``plugins.<i>.``, where a plain ``RecognizerGCN`` ignores them).
"""
import math
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from mmaction.registry import MODELS
from .base import BackbonePlugin, LossContext
from .insertion import find_blocks, output_channels

PAPER_BLOCKS = (0, 4, 7, 9)
PAPER_STAGE_WEIGHTS = (0.1, 0.2, 0.5, 1.0)


class DecoupleBranch(nn.Module):
    """One branch of the decoupling: 1x1 conv, BN, ReLU, flatten, linear to ``hidden``.

    The BN + ReLU and the final linear are not in the paper's text; they are in the authors'
    code, and the paper's +0.53M parameter count includes the linear.

    Args:
        in_channels (int): C of the stage.
        length (int): Size of the kept axis (V for the spatial branch, T' for the temporal).
        hidden (int): C_h. The squeeze width is ``hidden // length``.
    """

    def __init__(self, in_channels: int, length: int, hidden: int):
        super().__init__()
        width = hidden // length
        self.squeeze = nn.Sequential(nn.Conv2d(in_channels, width, 1), nn.BatchNorm2d(width),
                                     nn.ReLU(inplace=True))
        self.fc = nn.Linear(width * length, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(N, C, 1, V) or (N, C, T', 1) -> (N, hidden)."""
        return self.fc(self.squeeze(x).flatten(1))


@MODELS.register_module()
class FRHead(BaseModule):
    """FR-Head of one stage: ST-decoupled features and their two contrastive losses.

    Args:
        in_channels (int): C of the stage's feature map.
        num_frames (int): T' of the stage's feature map.
        num_joints (int): V.
        num_classes (int): K.
        hidden_channels (int): C_h. Defaults to 256.
        loss_cl (dict, optional): Config of the contrastive loss, one per branch; ``num_classes``
            and ``feat_dim`` are filled in. Defaults to ``dict(type='FRContrastiveLoss')``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self, in_channels: int, num_frames: int, num_joints: int, num_classes: int,
                 hidden_channels: int = 256, loss_cl: Optional[dict] = None, init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        for name, length in (('num_joints', num_joints), ('num_frames', num_frames)):
            if not 0 < length <= hidden_channels:
                raise ValueError(f'FRHead: {name}={length} must be in 1..hidden_channels '
                                 f'({hidden_channels}); the squeeze width is '
                                 f'hidden_channels // {name}')
        self.in_channels, self.num_frames, self.num_joints = in_channels, num_frames, num_joints
        self.spatial = DecoupleBranch(in_channels, num_joints, hidden_channels)
        self.temporal = DecoupleBranch(in_channels, num_frames, hidden_channels)
        cfg = {'type': 'FRContrastiveLoss', **(loss_cl or {})}
        cfg.update(num_classes=num_classes, feat_dim=hidden_channels)
        self.loss_spatial = MODELS.build(cfg)
        self.loss_temporal = MODELS.build(dict(cfg))

    def forward(self, spatial: torch.Tensor, temporal: torch.Tensor):
        """Refined features from the person-averaged pooled maps.

        Args:
            spatial (torch.Tensor): Mean over T, (N, C, 1, V).
            temporal (torch.Tensor): Mean over V, (N, C, T', 1).

        Returns:
            tuple[torch.Tensor]: ``F_s`` and ``F_t``, each (N, hidden_channels).
        """
        return self.spatial(spatial), self.temporal(temporal)

    def loss(self, spatial: torch.Tensor, temporal: torch.Tensor, labels: torch.Tensor,
             probs: torch.Tensor) -> torch.Tensor:
        """``CL(F_s) + CL(F_t)`` (eq. 2); updates the prototypes in training mode."""
        f_s, f_t = self(spatial, temporal)
        return self.loss_spatial(f_s, labels, probs) + self.loss_temporal(f_t, labels, probs)


def graph_joints(backbone: nn.Module) -> Optional[int]:
    """V from the backbone's graph: MMAction2's ``graph.num_node``, ``graph.num_joints`` or the
    last size of ``graph.A``; None when there is no such graph."""
    graph = getattr(backbone, 'graph', None)
    for name in ('num_node', 'num_joints'):
        if isinstance(getattr(graph, name, None), int):
            return getattr(graph, name)
    adjacency = getattr(graph, 'A', None)
    return int(adjacency.shape[-1]) if adjacency is not None else None


def temporal_stride(block: nn.Module, tcn: str) -> int:
    """Temporal stride of a block: the largest stride along T of the convs/pools of its TCN."""
    strides = [1]
    for m in getattr(block, tcn).modules():
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
            s = m.stride
            strides.append(int(s[0] if isinstance(s, (tuple, list)) else s))
    return max(strides)


@MODELS.register_module()
class FRHeadPlugin(BackbonePlugin):
    """FR-Head on the outputs of selected blocks, as a training-only loss.

    Args:
        num_frames (int): Frames T of the training clips fed to the backbone
            (the ``clip_len`` of the training pipeline's frame sampler); each head's temporal
            branch is sized for the T' its block outputs. Defaults to 64 (the paper's NTU
            setting).
        num_joints (int, optional): V. Defaults to the backbone's ``graph.num_node``.
        num_classes (int, optional): K. Defaults to the recognizer's ``cls_head.num_classes``.
        hidden_channels (int): C_h. Defaults to 256.
        stage_weights (Sequence[float]): lambda_i, one per selected block.
            Defaults to (0.1, 0.2, 0.5, 1.0).
        loss_weight (float): w_cl. Defaults to 0.1.
        loss_cl (dict, optional): Options of :class:`FRContrastiveLoss` (``temperature``,
            ``momentum``, ``calibrate``, ...).
        frames (Sequence[int], optional): T' of each selected block, when it cannot be derived
            from ``num_frames`` and the TCN strides.
        channels (Sequence[int], optional): C of each selected block, when it cannot be read
            from its GCN unit.
        blocks (Sequence[int]): 0-based block indices. Defaults to (0, 4, 7, 9).
        **kwargs: ``seam``, ``block_types``, ``site`` (default ``'block'``) of
            :class:`BackbonePlugin`.
    """

    taps_while_capturing_only = True

    def __init__(self, num_frames: int = 64, num_joints: Optional[int] = None,
                 num_classes: Optional[int] = None, hidden_channels: int = 256,
                 stage_weights: Sequence[float] = PAPER_STAGE_WEIGHTS, loss_weight: float = 0.1,
                 loss_cl: Optional[dict] = None, frames: Optional[Sequence[int]] = None,
                 channels: Optional[Sequence[int]] = None,
                 blocks: Sequence[int] = PAPER_BLOCKS, **kwargs):
        kwargs.setdefault('site', 'block')
        super().__init__(blocks=blocks, **kwargs)
        self.num_frames = num_frames
        self.num_joints = num_joints
        self.num_classes = num_classes
        self.hidden_channels = hidden_channels
        self.stage_weights = [float(w) for w in stage_weights]
        self.loss_weight = loss_weight
        self.loss_cl = dict(loss_cl or {})
        self.frames = frames
        self.channels = channels
        self.heads = nn.ModuleList()
        self._frames_by_block: Dict[str, int] = {}

    # ---------------------------------------------------------------- wiring
    def attach(self, backbone: nn.Module, cls_head: Optional[nn.Module] = None) -> None:
        if self.num_classes is None:
            self.num_classes = getattr(cls_head, 'num_classes', None)
            if self.num_classes is None:
                raise ValueError('FRHeadPlugin: num_classes not given and the recognizer has no '
                                 '`cls_head.num_classes`; set plugins=[dict(type="FRHeadPlugin", '
                                 'num_classes=K)]')
        if self.num_joints is None:
            self.num_joints = graph_joints(backbone)
            if self.num_joints is None:
                raise ValueError(f'FRHeadPlugin: num_joints not given and '
                                 f'{type(backbone).__name__} has no `graph` telling it; set '
                                 f'num_joints=V')
        # T' after every block, from the clip length and the TCN strides (ceil: 'same' padding)
        t = self.num_frames
        for name, block in find_blocks(backbone, self.seam['gcn'], self.seam['tcn'],
                                       self.block_types):
            before = t
            t = math.ceil(t / temporal_stride(block, self.seam['tcn']))
            self._frames_by_block[name] = t if self.site == 'block' else before
        super().attach(backbone, cls_head)

    def build_block_modules(self, blocks) -> None:
        n = len(blocks)
        for what, values in (('stage_weights', self.stage_weights), ('frames', self.frames),
                             ('channels', self.channels)):
            if values is not None and len(values) != n:
                raise ValueError(f'FRHeadPlugin: {what} has {len(values)} entries for {n} '
                                 f'selected blocks {[name for name, _ in blocks]}')
        for i, (name, block) in enumerate(blocks):
            where = f'FRHeadPlugin, block {i} ({name or "<root>"})'
            c = self.channels[i] if self.channels is not None else output_channels(
                getattr(block, self.seam['gcn']), where)
            t = self.frames[i] if self.frames is not None else self._frames_by_block[name]
            self.heads.append(FRHead(c, t, self.num_joints, self.num_classes,
                                     self.hidden_channels, self.loss_cl))

    def on_tap(self, index: int, output: torch.Tensor, capturing: bool):
        if not capturing:
            return None, None
        # The two pooled maps are all the head needs; pooling here (not in ``loss``) keeps
        # nothing of the full map alive beyond what autograd already holds.
        return None, dict(spatial=output.mean(2, keepdim=True),
                          temporal=output.mean(3, keepdim=True))

    # ----------------------------------------------------------------- losses
    def _person_means(self, rec: Dict[str, torch.Tensor], ctx: LossContext, i: int):
        """The record's two pooled maps, checked against the head and averaged over persons."""
        head = self.heads[i]
        spatial, temporal = rec['spatial'], rec['temporal']  # (N*M, C, 1, V), (N*M, C, T', 1)
        n, m = ctx.batch_size, ctx.num_person
        got = (spatial.shape[1], temporal.shape[2], spatial.shape[3])
        want = (head.in_channels, head.num_frames, head.num_joints)
        if spatial.shape[0] != n * m or got != want:
            raise ValueError(
                f'FRHeadPlugin: block {self.block_names[i]!r} outputs (C, T\', V) = {got}, but '
                f'its head was built for {want} (num_frames={self.num_frames} through the TCN '
                f'strides, num_joints={self.num_joints}). Set num_frames to the training clip '
                f'length (clip_len of the train pipeline), or frames=[...] / channels=[...] per '
                f'selected block')
        # average over persons (authors' code: raw.view(N, M, C, T, V).mean(1))
        return (spatial.reshape(n, m, *spatial.shape[1:]).mean(1),
                temporal.reshape(n, m, *temporal.shape[1:]).mean(1))

    def loss(self, ctx: LossContext) -> Dict[str, torch.Tensor]:
        """``loss_fr = w_cl * sum_i lambda_i (CL(F_s^i) + CL(F_t^i))`` (eq. 1, 2, 10)."""
        # TP/FN/FP and p_ik of every stage come from the final classifier, as constants
        probs = ctx.cls_scores.detach().float().softmax(dim=1)
        terms: List[torch.Tensor] = []
        for i, rec in enumerate(self.pop_records()):
            spatial, temporal = self._person_means(rec, ctx, i)
            terms.append(self.stage_weights[i] *
                         self.heads[i].loss(spatial, temporal, ctx.labels, probs))
        return dict(loss_fr=self.loss_weight * torch.stack(terms).sum())
