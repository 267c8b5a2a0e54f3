"""The modified cosine distance of SF-Head (eq. 10), shared by F-RL and F-CL.

``d(u, v) = 1 - exp(-alpha * (cos(u, v) + 1))``: 0 at cos = -1, ``1 - exp(-2 alpha)`` at cos = 1
(it grows with similarity, despite its name).

Numerics: features are flattened whole maps (thousands of values), so everything is computed in
float32 with autocast disabled, and the norms carry an epsilon on the *squared* norm. That keeps a
zero vector finite (cos = 0) and bounds the gradient at zero by ``1 / sqrt(eps)`` (1e3), which
still fits in fp16 when autocast hands the gradient back to half-precision features.
"""
import contextlib

import torch

NORM_EPS = 1e-6


def no_autocast(tensor: torch.Tensor):
    """Context that turns autocast off for the device of ``tensor`` (no-op when it is off)."""
    if torch.is_autocast_enabled(tensor.device.type):
        return torch.autocast(device_type=tensor.device.type, enabled=False)
    return contextlib.nullcontext()


def flatten_rows(x: torch.Tensor) -> torch.Tensor:
    """(N, ...) -> (N, D) float32: one row per sample."""
    if x.dim() < 1 or x.shape[0] == 0:
        raise ValueError(f'expected features of shape (N, ...) with N >= 1, got {tuple(x.shape)}')
    return x.reshape(x.shape[0], -1).float()


def unit_rows(x: torch.Tensor) -> torch.Tensor:
    """Rows scaled to (almost) unit norm: ``x / sqrt(|x|^2 + eps)``."""
    return x * torch.rsqrt(x.pow(2).sum(1, keepdim=True) + NORM_EPS)


def distance_from_cos(cos: torch.Tensor, alpha: float) -> torch.Tensor:
    """Eq. 10 from a cosine similarity."""
    return 1.0 - torch.exp(-alpha * (cos + 1.0))


def cos_from_products(dot: torch.Tensor, sq_u: torch.Tensor, sq_v: torch.Tensor) -> torch.Tensor:
    """Cosine from an inner product and the squared norms, with the same epsilon as above.

    ``dot`` may be (N,) with ``sq_u``, ``sq_v`` (N,), or (N, N) with ``sq_u`` (N, 1) and
    ``sq_v`` (1, N).
    """
    return dot * torch.rsqrt(sq_u + NORM_EPS) * torch.rsqrt(sq_v + NORM_EPS)
