"""SF-Head in the blocks of any GCN backbone, and its two losses."""
from typing import Dict, Optional, Sequence

import torch
import torch.nn as nn

from mmaction.registry import MODELS
from .base import BackbonePlugin, LossContext
from .insertion import output_channels
from ..losses.similarity import cos_from_products, no_autocast
from .sf_head import DOT_ORDER, SQ_ORDER, SFHead

MODES = ('inline', 'auxiliary')


@MODELS.register_module()
class SFHeadPlugin(BackbonePlugin):
    """One :class:`SFHead` at the GCN->TCN seam of each selected block.

    Args:
        groups (int): Channel groups G of every head. Defaults to 8.
        mode (str): ``'inline'``: ``tcn(sf_head(gcn(x)))``, the authors' wiring, at training and
            inference. ``'auxiliary'``: the head reads the GCN output as a side branch during
            training only; its losses reach the backbone, its output is discarded, and
            inference is exactly the bare backbone. Defaults to 'inline'.
        loss_con (dict): F-CL config; its ``loss_weight`` is lambda_con. Defaults to
            ``dict(type='FeatureConsistencyLoss', loss_weight=0.2)``.
        loss_red (dict): F-RL config; its ``loss_weight`` is lambda_red. Defaults to
            ``dict(type='FeatureRedundancyLoss', loss_weight=0.1)``.
        channels (Sequence[int], optional): Channels of each selected block's GCN output,
            when they cannot be read from the GCN unit.
        **kwargs: ``blocks``, ``seam``, ``block_types`` of :class:`BackbonePlugin`.
    """

    def __init__(self, groups: int = 8, mode: str = 'inline',
                 loss_con: Optional[dict] = None, loss_red: Optional[dict] = None,
                 channels: Optional[Sequence[int]] = None, **kwargs):
        if mode not in MODES:
            raise ValueError(f'SFHeadPlugin: unknown mode {mode!r}; choose one of {MODES}')
        kwargs.setdefault('site', 'gcn')
        super().__init__(**kwargs)
        self.groups = groups
        self.mode = mode
        self.affects_inference = mode == 'inline'
        # auxiliary heads run only inside a training loss: no hook at all at inference
        self.taps_while_capturing_only = mode == 'auxiliary'
        self.channels = channels
        self.loss_con = MODELS.build(loss_con or dict(type='FeatureConsistencyLoss',
                                                      loss_weight=0.2))
        self.loss_red = MODELS.build(loss_red or dict(type='FeatureRedundancyLoss',
                                                      loss_weight=0.1))
        self.heads = nn.ModuleList()

    def build_block_modules(self, blocks) -> None:
        if self.channels is not None and len(self.channels) != len(blocks):
            raise ValueError(f'SFHeadPlugin: channels has {len(self.channels)} entries for '
                             f'{len(blocks)} selected blocks')
        for i, (name, block) in enumerate(blocks):
            where = f'SFHeadPlugin, block {i} ({name or "<root>"})'
            c = self.channels[i] if self.channels is not None else output_channels(
                getattr(block, self.seam['gcn']), where)
            if c % (4 * self.groups):
                raise ValueError(f'{where}: GCN output has C={c} channels, not divisible by '
                                 f'4 * groups = {4 * self.groups} (groups={self.groups})')
            self.heads.append(SFHead(c, self.groups))

    def on_tap(self, index: int, output: torch.Tensor, capturing: bool):
        head = self.heads[index]
        if capturing:  # training loss forward: the output and the losses' inner products
            out, stats = head.forward_with_stats(output)
            return (out if self.mode == 'inline' else None), stats
        if self.mode == 'inline':
            return head(output), None
        return None, None  # auxiliary: inference is the bare backbone

    def loss(self, ctx: LossContext) -> Dict[str, torch.Tensor]:
        """Mean of F-CL and of F-RL over the heads, each weighted by its lambda.

        A sample's feature is its whole map over persons and groups, so the per-row inner
        products of the heads are summed over the M rows of each sample (and F-RL's cross
        products over matching person rows), then turned into cosines.
        """
        n, m = ctx.batch_size, ctx.num_person
        records = self.pop_records()
        # every head's small statistics stacked, so that both losses are computed for all the
        # heads at once (a few dozen operations, not a few dozen per head)
        with no_autocast(records[0]['sq']):
            L = len(records)
            sq = torch.stack([r['sq'] for r in records]).float().view(L, n, m, -1).sum(2)
            dot = torch.stack([r['dot'] for r in records]).float().view(L, n, m, -1).sum(2)
            cross = torch.stack([r['cross'] for r in records]).float().view(L, n, m, n, m)
            cross = cross.diagonal(dim1=2, dim2=4).sum(-1)  # (L, n, n): matching persons
            # F-CL: cos(f_r, f) for f in DOT_ORDER, (L, n, 4)
            sq_r = sq[..., SQ_ORDER.index('f_r'), None]
            sq_f = sq[..., [SQ_ORDER.index(name) for name in DOT_ORDER]]
            con = self.loss_con.from_cos(cos_from_products(dot, sq_r, sq_f))
            # F-RL: cos(f_s[i], f_t[j]), (L, n, n)
            sq_s = sq[..., SQ_ORDER.index('f_s'), None]  # (L, n, 1)
            sq_t = sq[:, None, :, SQ_ORDER.index('f_t')]  # (L, 1, n)
            red = self.loss_red.from_cos(cos_from_products(cross, sq_s, sq_t))
        return dict(loss_con=con.mean(), loss_red=red.mean())
