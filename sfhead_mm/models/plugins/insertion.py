"""Finding the GCN -> TCN seam of every block of a backbone, and tapping it, by configuration.

A *block* is any submodule that has a GCN child and a TCN child (by default attributes named
``gcn`` and ``tcn``, the naming of MMAction2's ``STGCNBlock``/``AAGCNBlock`` and of this
package's backbones). Blocks are found in module order, so index 0 is the first block.

A *tap* is a forward hook: on a block's GCN unit (``site='gcn'``, its output is what the TCN
reads) or on the block itself (``site='block'``, the block's output). A hook may return a new
output, which is how an inline head sits between GCN and TCN without editing the backbone: the
backbone's code and state-dict keys stay exactly as they were, so a baseline checkpoint loads into
the same model with a head (only the head's keys are new).
"""
from typing import Callable, List, Optional, Sequence, Tuple, Union

import torch.nn as nn

BlockSelection = Union[str, Sequence[int]]


class SeamNotFoundError(ValueError):
    """No block matching the configured pattern was found in a backbone."""


def find_blocks(backbone: nn.Module, gcn: str = 'gcn', tcn: str = 'tcn',
                block_types: Optional[Sequence[str]] = None) -> List[Tuple[str, nn.Module]]:
    """All ``(name, module)`` pairs of ``backbone`` with children ``gcn`` and ``tcn``.

    Args:
        backbone (nn.Module): The backbone to search.
        gcn (str): Attribute name of the GCN unit in a block.
        tcn (str): Attribute name of the TCN unit in a block.
        block_types (Sequence[str], optional): Only accept blocks of these class names.

    Raises:
        SeamNotFoundError: naming the backbone and what was searched for.
    """
    found = []
    for name, module in backbone.named_modules():
        if not (isinstance(getattr(module, gcn, None), nn.Module)
                and isinstance(getattr(module, tcn, None), nn.Module)):
            continue
        if block_types is not None and type(module).__name__ not in block_types:
            continue
        found.append((name, module))
    if not found:
        types = sorted({type(m).__name__ for m in backbone.modules()})
        restrict = f' of type {list(block_types)}' if block_types else ''
        raise SeamNotFoundError(
            f'{type(backbone).__name__}: no block{restrict} with both a `.{gcn}` and a '
            f'`.{tcn}` submodule (searched {len(types)} module types: {", ".join(types)}). '
            f'Set the plugin\'s `seam=dict(gcn=..., tcn=...)` (and `block_types`) to the '
            f'attribute names this backbone uses.')
    return found


def select_blocks(blocks: Sequence, selection: BlockSelection, owner: str) -> List[int]:
    """Indices chosen by ``selection``: ``'all'`` or 0-based indices (negative from the end)."""
    n = len(blocks)
    if selection == 'all':
        return list(range(n))
    if isinstance(selection, str):
        raise ValueError(f'{owner}: blocks={selection!r}; use "all" or a list of indices')
    chosen = []
    for idx in selection:
        if not -n <= int(idx) < n:
            raise ValueError(f'{owner}: block index {idx} out of range; the backbone has {n} '
                             f'blocks (0..{n - 1})')
        chosen.append(int(idx) % n)
    if len(set(chosen)) != len(chosen):
        raise ValueError(f'{owner}: block indices {list(selection)} repeat a block')
    return sorted(chosen)


def output_channels(unit: nn.Module, where: str) -> int:
    """Output channels of a GCN unit (``out_channels`` attribute, else its last BatchNorm)."""
    channels = getattr(unit, 'out_channels', None)
    if isinstance(channels, int):
        return channels
    norms = [m for m in unit.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if norms:
        return norms[-1].num_features
    raise ValueError(f'{where}: cannot tell the output channels of {type(unit).__name__} '
                     f'(no `out_channels` attribute, no BatchNorm); give the plugin '
                     f'`channels=[...]`, one per selected block')


class TapHook:
    """Forward hook calling ``callback(index, output)``; a non-None return replaces the output.

    A callable object rather than a closure so that ``copy.deepcopy`` of a model (EMA, model
    soups) copies the hook together with the plugin it points to.
    """

    def __init__(self, callback: Callable, index: int):
        self.callback = callback
        self.index = index

    def __call__(self, module, inputs, output):
        return self.callback(self.index, output)


def attach_taps(blocks: Sequence[Tuple[str, nn.Module]], indices: Sequence[int], site: str,
                gcn: str, callback: Callable) -> list:
    """Register one :class:`TapHook` per selected block; returns the hook handles.

    ``callback(i, output)`` receives ``i``, the position within ``indices``.
    """
    if site not in ('gcn', 'block'):
        raise ValueError(f'tap site must be "gcn" or "block", got {site!r}')
    handles = []
    for i, idx in enumerate(indices):
        block = blocks[idx][1]
        target = getattr(block, gcn) if site == 'gcn' else block
        handles.append(target.register_forward_hook(TapHook(callback, i)))
    return handles
