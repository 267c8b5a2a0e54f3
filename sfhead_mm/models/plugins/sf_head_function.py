"""SF-Head's training path as one autograd Function with a hand-derived backward.

Why: the head sits in every block, and most of its cost is elementwise passes over feature-map
sized tensors. Under plain autograd each op keeps its own temporaries and its backward adds more
(mean/var backward, max-pool masks, gradient accumulation of several consumers). Here the forward
writes every branch once, straight into its shuffled output slot, and the backward produces the
input gradient slot by slot. The gates' small maps (the pooled 2-channel maps, their 7x7
convolutions, BatchNorms, sigmoids and the softmax of ``eta``) stay ordinary autograd, on a small
side graph (nested ``torch.autograd.grad``).

For the losses, the Function can also return, per backbone row (B = N * M rows), the few inner
products F-CL and F-RL need: squared norms of f_t, f_s, f_c, f_o, f_r; the dot products of f_r with
the four others; and the matrix of f_s . f_t between rows. The losses then run on these small
tensors, and their gradients come back into the same backward as a handful of scaled additions,
instead of autograd keeping and differentiating five feature-map-sized copies.

Layout: with G groups (G even), H = G / 2, c = C / 4G, the input is viewed as
(B, 2, H, 4, c, T, V) (group g = h * H + q) and the output as (B, H, 4, c, 2, T, V), which is
exactly ``shuffle(ungroup(cat([f_t, f_s, f_r, f_o])))``; every branch is a strided
(B, 2, H, c, T, V) view of either.

Equality with the plain formulation (values and all gradients, with and without the statistics)
is tested in ``tests/models/test_sf_head.py`` and ``tests/models/test_sf_head_plugin.py``.
"""
from typing import Tuple

import torch
from torch.autograd.function import once_differentiable

#: Order of the squared norms in the ``sq`` statistics, and of the dot products (with f_r).
SQ_ORDER = ('f_t', 'f_s', 'f_c', 'f_o', 'f_r')
DOT_ORDER = ('f_t', 'f_s', 'f_c', 'f_o')
_ROW_DIMS = (1, 2, 3, 4, 5)


def channel_moments(x: torch.Tensor, dims) -> Tuple[torch.Tensor, torch.Tensor]:
    """Biased variance and mean over ``dims`` (kept), as ``E[x^2] - E[x]^2``.

    ``torch.var_mean`` (Welford) measured ~20-40x slower on CPU than a mean plus a norm over the
    same (T, V) block (4.0 ms vs 0.2 ms for a 16x64x64x25 map, one thread). The features are
    batch-normalised activations, so the cancellation of the two-moment form is harmless; the
    clamp guards the last bit of rounding.
    """
    n = 1
    for d in dims:
        n *= x.shape[d]
    mean = x.mean(dims, keepdim=True)
    sq = torch.linalg.vector_norm(x, dim=dims, keepdim=True).square() / n
    return (sq - mean.square()).clamp_min(0), mean


def _per_channel(p: torch.Tensor, c: int) -> torch.Tensor:
    return p.view(1, 1, 1, c, 1, 1)


def _per_row(v: torch.Tensor) -> torch.Tensor:
    return v.view(-1, 1, 1, 1, 1, 1)


def _sum_per_channel(t: torch.Tensor) -> torch.Tensor:
    """(B, 2, H, c, 1, 1) -> (1, c, 1, 1): gradient of a parameter shared by all groups."""
    return t.sum((0, 1, 2)).view(1, -1, 1, 1)


def _pool_backward(grad: torch.Tensor, f: torch.Tensor, dim: int, fmax: torch.Tensor,
                   dmax: torch.Tensor, dmean: torch.Tensor) -> None:
    """Add the gradients of ``amax(f, dim)`` and ``mean(f, dim)`` to ``grad`` (in place).

    Ties of the maximum share its gradient evenly, as ``torch.amax``'s backward does.
    """
    n = f.shape[dim]
    grad.add_((dmean / n).unsqueeze(dim))
    mask = f == fmax.unsqueeze(dim)
    count = mask.sum(dim, keepdim=True)
    grad.addcmul_(mask, dmax.unsqueeze(dim) / count)


def _views(x: torch.Tensor, out: torch.Tensor, groups: int, c: int):
    B, C, T, V = x.shape
    H = groups // 2
    xs = x.view(B, 2, H, 4, c, T, V).unbind(3)
    slots = out.view(B, H, 4, c, 2, T, V).permute(0, 4, 1, 2, 3, 5, 6).unbind(3)
    return xs, slots


class SFHeadFunction(torch.autograd.Function):
    """``SFHead(x)`` for training; with ``with_stats`` also the loss statistics.

    ``apply(x, cweight, cbias, sweight, sbias, gn_weight, gn_bias, eta, *gate_params, head,
    with_stats)``; returns ``out`` (B, C, T, V), or ``(out, sq, dot, cross)`` with ``sq``
    (B, 5) in :data:`SQ_ORDER`, ``dot`` (B, 4) = f_r . f_k in :data:`DOT_ORDER` and ``cross``
    (B, B) = f_s[i] . f_t[j], all per backbone row.
    """

    @staticmethod
    def forward(ctx, x: torch.Tensor, cweight, cbias, sweight, sbias, gn_weight, gn_bias,
                eta, *rest):
        head, with_stats = rest[-2], rest[-1]
        gate_params = rest[:-2]
        B, C, T, V = x.shape
        G, c = head.groups, head.branch_channels
        out = x.new_empty(B, C, T, V)
        (x1, x2, x3, x4), (f_t, f_s, f_r, f_o) = _views(x, out, G, c)

        # SSTE, temporal: f_t = x1 * sigmoid(cw * mean_TV(x1) + cb)
        mean1 = x1.mean((4, 5), keepdim=True)
        g1 = torch.sigmoid(_per_channel(cweight, c) * mean1 + _per_channel(cbias, c))
        torch.mul(x1, g1, out=f_t)

        # SSTE, spatial: f_s = x3 * sigmoid(sw * GN(x3) + sb), GN folded into a * x3 + b
        var3, mean3 = channel_moments(x3, (4, 5))
        rstd3 = torch.rsqrt(var3 + head.gn.eps)
        sw = _per_channel(sweight, c)
        scale = _per_channel(gn_weight, c) * rstd3
        a = sw * scale
        b = sw * (_per_channel(gn_bias, c) - mean3 * scale) + _per_channel(sbias, c)
        torch.addcmul(b, a, x3, out=f_s)
        f_s.sigmoid_()
        f_s.mul_(x3)

        # AC-FA gates on a small side graph
        pooled = [f_t.amax(4), f_t.mean(4), f_s.amax(5), f_s.mean(5), x2.amax(3), x2.mean(3)]
        leaves = [p.detach().requires_grad_() for p in pooled]
        H = G // 2
        with torch.enable_grad():
            w = torch.softmax(eta, 0)
            s_cv = head.gate_cv.from_pooled(leaves[0].reshape(B * G, c, V),
                                            leaves[1].reshape(B * G, c, V))
            s_tc = head.gate_tc.from_pooled(leaves[2].reshape(B * G, c, T),
                                            leaves[3].reshape(B * G, c, T), transpose=True)
            s_tv = head.gate_tv.from_pooled(leaves[4].reshape(B * G, T, V),
                                            leaves[5].reshape(B * G, T, V))
            coef_c = (w[2] * s_tv + w[3]).view(B, 2, H, 1, T, V)
            coef_t = (w[0] * s_cv).view(B, 2, H, c, 1, V)
            coef_s = (w[1] * s_tc).view(B, 2, H, c, T, 1)

        # AC-FA aggregation: f_r = f_c * coef_c + f_t * coef_t + f_s * coef_s; f_o = x4
        torch.mul(x2, coef_c.detach(), out=f_r)
        f_r.addcmul_(f_t, coef_t.detach())
        f_r.addcmul_(f_s, coef_s.detach())
        f_o.copy_(x4)

        ctx.head = head
        ctx.side = (leaves, (coef_c, coef_t, coef_s))
        ctx.gate_params = gate_params
        ctx.with_stats = with_stats
        ctx.set_materialize_grads(False)
        ctx.save_for_backward(x, out, cweight, sweight, gn_weight, gn_bias, g1, mean1, mean3,
                              rstd3, a, b, pooled[0], pooled[2], pooled[4])
        if not with_stats:
            return out
        feats = (f_t, f_s, x2, x4, f_r)
        sq = torch.stack([torch.linalg.vector_norm(f, dim=_ROW_DIMS).square() for f in feats],
                         1)
        dot = torch.stack([(f_r * f).sum(_ROW_DIMS) for f in feats[:4]], 1)
        cross = f_s.reshape(B, -1) @ f_t.reshape(B, -1).t()
        return out, sq, dot, cross

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_out, grad_sq=None, grad_dot=None, grad_cross=None) -> Tuple:
        (x, out, cweight, sweight, gn_weight, gn_bias, g1, mean1, mean3, rstd3, a, b,
         max_cv, max_tc, max_tv) = ctx.saved_tensors
        head = ctx.head
        B, C, T, V = x.shape
        G, c = head.groups, head.branch_channels
        (x1, x2, x3, x4), (f_t, f_s, f_r, _) = _views(x, out, G, c)
        if grad_out is None:  # only the statistics were used (auxiliary mode)
            grad_out = torch.zeros_like(out)
        _, (g_t, g_s, g_r, g_o) = _views(x, grad_out.contiguous(), G, c)
        grad_x = torch.empty_like(x)
        (gx1, gx2, gx3, gx4), _ = _views(grad_x, out, G, c)
        leaves, (coef_c, coef_t, coef_s) = ctx.side

        # Total gradient of f_r: its output slot, plus the statistics' terms.
        stats = ctx.with_stats and any(g is not None for g in (grad_sq, grad_dot))
        feats = (f_t, f_s, x2, x4, f_r)
        if stats:
            g_r = g_r.clone()
            if grad_sq is not None:  # d |f_r|^2 = 2 f_r
                g_r.addcmul_(f_r, _per_row(2 * grad_sq[:, 4]))
            if grad_dot is not None:  # d (f_r . f) / d f_r = f
                for k, f in enumerate(feats[:4]):
                    g_r.addcmul_(f, _per_row(grad_dot[:, k]))

        # Each branch's gradient: its output slot (f_o) or its use in f_r (f_t, f_s, f_c) ...
        grad_ft = torch.addcmul(g_t, g_r, coef_t.detach())
        grad_fs = torch.addcmul(g_s, g_r, coef_s.detach())
        torch.mul(g_r, coef_c.detach(), out=gx2)
        gx4.copy_(g_o)
        # ... plus the statistics' terms.
        grads = (grad_ft, grad_fs, gx2, gx4)
        if ctx.with_stats and grad_sq is not None:  # d |f|^2 = 2 f
            for k, (f, g) in enumerate(zip(feats[:4], grads)):
                g.addcmul_(f, _per_row(2 * grad_sq[:, k]))
        if ctx.with_stats and grad_dot is not None:  # d (f_r . f) / d f = f_r
            for k, g in enumerate(grads):
                g.addcmul_(f_r, _per_row(grad_dot[:, k]))
        if ctx.with_stats and grad_cross is not None:  # cross = S T^T
            shape = (B, 2, G // 2, c, T, V)
            grad_fs.add_((grad_cross @ f_t.reshape(B, -1)).view(shape))
            grad_ft.add_((grad_cross.t() @ f_s.reshape(B, -1)).view(shape))

        # f_r's coefficients, then the side graph (gates, eta)
        d_coef_c = (g_r * x2).sum(3, keepdim=True)
        d_coef_t = (g_r * f_t).sum(4, keepdim=True)
        d_coef_s = (g_r * f_s).sum(5, keepdim=True)
        params = [head.eta, *ctx.gate_params]
        grads = torch.autograd.grad((coef_c, coef_t, coef_s), leaves + params,
                                    (d_coef_c, d_coef_t, d_coef_s), allow_unused=True)
        d_pool, d_params = grads[:6], grads[6:]

        # f_t, f_s, x2 (f_c): the gradients of their gates' pooling
        _pool_backward(grad_ft, f_t, 4, max_cv, d_pool[0], d_pool[1])
        _pool_backward(grad_fs, f_s, 5, max_tc, d_pool[2], d_pool[3])
        _pool_backward(gx2, x2, 3, max_tv, d_pool[4], d_pool[5])

        # x1 through f_t = x1 * sigmoid(cw * mean(x1) + cb)
        n = T * V
        k1 = (grad_ft * x1).sum((4, 5), keepdim=True)
        dz1 = k1 * g1 * (1 - g1)
        torch.mul(grad_ft, g1, out=gx1)
        gx1.add_(dz1 * _per_channel(cweight, c) / n)
        d_cweight = _sum_per_channel(dz1 * mean1)
        d_cbias = _sum_per_channel(dz1)

        # x3 through f_s = x3 * s, s = sigmoid(z), z = sw * GN(x3) + sb
        s = torch.addcmul(b, a, x3).sigmoid_()
        t1 = grad_fs.mul_(s)  # dL/dx3 through the product (grad_fs is not needed after)
        gz = s.neg_().add_(1).mul_(t1).mul_(x3)  # dL/dz = g * x3 * s * (1 - s)
        s1 = gz.sum((4, 5), keepdim=True)
        s2 = rstd3 * ((gz * x3).sum((4, 5), keepdim=True) - mean3 * s1)  # sum(dL/dz * xhat)
        sw = _per_channel(sweight, c)
        gamma = _per_channel(gn_weight, c)
        alpha = rstd3 * sw * gamma
        beta1 = -alpha * rstd3 * s2 / n
        beta0 = -alpha * s1 / n - beta1 * mean3
        torch.addcmul(t1, alpha, gz, out=gx3)
        gx3.addcmul_(x3, beta1)
        gx3.add_(beta0)
        d_sweight = _sum_per_channel(gamma * s2 + _per_channel(gn_bias, c) * s1)
        d_sbias = _sum_per_channel(s1)
        d_gn_weight = _sum_per_channel(sw * s2).view(-1)
        d_gn_bias = _sum_per_channel(sw * s1).view(-1)

        return (grad_x, d_cweight, d_cbias, d_sweight, d_sbias, d_gn_weight, d_gn_bias,
                *d_params, None, None)
