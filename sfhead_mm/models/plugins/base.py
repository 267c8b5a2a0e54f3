"""Base class of everything a recognizer wires into its backbone: SF-Head, FR-Head, ...

A plugin taps the GCN->TCN seams (or block outputs) of the blocks it is configured for (see
:mod:`.insertion`), records what it needs while the recognizer computes a training loss, and turns
the records into loss terms. It is owned by the recognizer (its parameters live under
``plugins.<i>.``), never by the backbone, so the backbone's code and checkpoint keys are untouched.
"""
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from .insertion import attach_taps, find_blocks, select_blocks


@dataclass
class LossContext:
    """What the recognizer hands to each plugin's :meth:`BackbonePlugin.loss`.

    Attributes:
        batch_size (int): N, samples (clips) in the batch; taps hold N * M rows.
        num_person (int): M, persons per sample in the backbone's input.
        backbone_out (torch.Tensor): Backbone output (N, M, C, T, V).
        cls_scores (torch.Tensor): Classifier logits (N, num_classes).
        labels (torch.Tensor): Ground-truth class indices (N,).
        pooled (torch.Tensor): The pooled feature the classifier reads (N, C): mean over
            T, V, then over persons, as MMAction2's ``GCNHead`` computes it.
    """

    batch_size: int
    num_person: int
    backbone_out: torch.Tensor
    cls_scores: torch.Tensor
    labels: torch.Tensor
    pooled: torch.Tensor


class BackbonePlugin(BaseModule):
    """A training-time add-on tapped into the blocks of a GCN backbone.

    Args:
        blocks (str | Sequence[int] | None): ``'all'`` or 0-based block indices; ``None`` for a
            plugin that taps nothing and works from the :class:`LossContext` alone (e.g. a
            loss on ``ctx.pooled``). Defaults to 'all'.
        seam (dict): Attribute names of the GCN and TCN units inside a block.
            Defaults to ``dict(gcn='gcn', tcn='tcn')``.
        block_types (Sequence[str], optional): Only blocks of these class names.
        site (str): ``'gcn'`` taps the GCN output (the seam), ``'block'`` the block output.
        init_cfg (dict, optional): Initialisation config.
    """

    #: Whether the plugin changes what the backbone computes at inference.
    affects_inference = False
    #: Register the taps only while a training loss is being captured, so that no hook runs at
    #: all outside it (a training-only head then costs nothing at inference, not even a call).
    taps_while_capturing_only = False

    def __init__(self, blocks='all', seam: Optional[dict] = None,
                 block_types: Optional[Sequence[str]] = None, site: str = 'gcn',
                 init_cfg=None):
        super().__init__(init_cfg=init_cfg)
        self.seam = {**dict(gcn='gcn', tcn='tcn'), **(seam or {})}
        self.block_selection = blocks
        self.block_types = block_types
        self.site = site
        self.block_names: List[str] = []
        self._handles: list = []
        self._tap_plan = None  # (blocks, indices): what to tap, kept for lazy registration
        self._capturing = False
        self._records: List[Optional[Dict[str, torch.Tensor]]] = []

    # ---------------------------------------------------------------- wiring
    def attach(self, backbone: nn.Module, cls_head: Optional[nn.Module] = None) -> None:
        """Find the blocks, build per-block modules, register the taps.

        Args:
            backbone (nn.Module): The recognizer's backbone.
            cls_head (nn.Module, optional): The recognizer's head, for plugins that size
                themselves from it (``num_classes``, ``in_channels``); unused here.
        """
        if self.block_selection is None:  # a plugin without taps
            return
        owner = type(self).__name__
        blocks = find_blocks(backbone, self.seam['gcn'], self.seam['tcn'], self.block_types)
        indices = select_blocks(blocks, self.block_selection, owner)
        self.block_names = [blocks[i][0] for i in indices]
        self.build_block_modules([blocks[i] for i in indices])
        self._records = [None] * len(indices)
        self._tap_plan = (blocks, indices)
        if not self.taps_while_capturing_only:
            self._register_taps()

    def _register_taps(self) -> None:
        if self._tap_plan is not None and not self._handles:
            blocks, indices = self._tap_plan
            self._handles = attach_taps(blocks, indices, self.site, self.seam['gcn'],
                                        self._on_tap)

    def detach(self) -> None:
        """Remove the taps (e.g. before exporting the bare backbone)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._tap_plan = None

    def build_block_modules(self, blocks) -> None:
        """Create per-block submodules; ``blocks`` are the selected ``(name, module)`` pairs."""

    # ------------------------------------------------------------- capturing
    def start_capture(self) -> None:
        self._capturing = True
        self._records = [None] * len(self._records)
        if self.taps_while_capturing_only:
            self._register_taps()

    def stop_capture(self) -> None:
        self._capturing = False
        if self.taps_while_capturing_only:
            for handle in self._handles:
                handle.remove()
            self._handles = []

    def pop_records(self) -> List[Dict[str, torch.Tensor]]:
        records, self._records = self._records, [None] * len(self._records)
        missing = [self.block_names[i] for i, r in enumerate(records) if r is None]
        if missing:
            raise RuntimeError(f'{type(self).__name__}: blocks {missing} did not run in this '
                               f'forward pass; their taps recorded nothing')
        return records

    def _on_tap(self, index: int, output):
        new_output, record = self.on_tap(index, output, self._capturing)
        if self._capturing and record is not None:
            self._records[index] = record
        return new_output

    def on_tap(self, index: int, output: torch.Tensor, capturing: bool):
        """Handle one tapped output.

        Returns:
            tuple: ``(new_output or None, record or None)``.
        """
        raise NotImplementedError

    # ----------------------------------------------------------------- losses
    def loss(self, ctx: LossContext) -> Dict[str, torch.Tensor]:
        """Loss terms (already weighted), from the records of the last captured forward."""
        raise NotImplementedError
