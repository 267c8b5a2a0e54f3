"""Mixed-precision training on CPU: the forward under bfloat16 autocast.

mmengine 0.10.7's ``AmpOptimWrapper`` refuses to start without a GPU/NPU/MLU/MUSA device (an
assert in its ``__init__``), although its ``autocast`` supports the CPU with bfloat16. This
wrapper is mmengine's plain ``OptimWrapper`` whose ``optim_context`` (the context the model's
``train_step`` runs its forward and loss in) is ``mmengine.runner.amp.autocast`` on the CPU.
bfloat16 has float32's exponent range, so there is no loss scaling (``AmpOptimWrapper``'s
``loss_scale`` does not apply). Parameters, gradients and the optimizer stay float32.

MMAction2's heads compute a top-k accuracy from the scores with numpy inside the loss, which
numpy cannot do on bfloat16 tensors: the model must hand the head float32 scores, as
``PluginRecognizerGCN`` (and so every recognizer of this package) does. ``tools/train.py --amp``
builds a stock ``RecognizerGCN`` config as ``PluginRecognizerGCN`` without plugins (the same
computation and state dict) for that reason.

    optim_wrapper = dict(type='CPUAmpOptimWrapper', optimizer=dict(type='SGD', lr=0.1))
"""
from contextlib import contextmanager
from typing import Union

import torch
import torch.nn as nn
from mmengine.optim import OptimWrapper
from mmengine.runner.amp import autocast

from mmaction.registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class CPUAmpOptimWrapper(OptimWrapper):
    """``OptimWrapper`` with the forward under CPU autocast.

    Args:
        dtype (str | torch.dtype): The autocast dtype; CPU autocast supports ``'bfloat16'``
            (the default).
        **kwargs: ``optimizer``, ``accumulative_counts``, ``clip_grad`` of ``OptimWrapper``.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs):
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        if self.cast_dtype != torch.bfloat16:
            raise ValueError(f'CPUAmpOptimWrapper: dtype={dtype!r}; CPU autocast supports '
                             f'bfloat16 only')

    @contextmanager
    def optim_context(self, model: nn.Module):
        with super().optim_context(model), autocast(device_type='cpu', dtype=self.cast_dtype):
            yield
