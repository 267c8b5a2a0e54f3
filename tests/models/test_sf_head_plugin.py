"""The plugin's losses (from per-row inner products) equal the loss classes on the features."""
import pytest
import torch

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample


def _model(mode, groups=8):
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='SFRecognizerGCN', sf_head=dict(groups=groups, mode=mode),
        backbone=dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                      base_channels=32, num_stages=3, inflate_stages=[3], down_stages=[3]),
        cls_head=dict(type='GCNHead', num_classes=4, in_channels=64)))
    with torch.no_grad():  # move the heads off the spec's degenerate initial values
        for p in model.plugins.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    return model.double()


def _reference_losses(model, x, samples):
    """F-CL / F-RL from the features of the plain autograd path and the public loss classes."""
    plugin = model.plugins[0]
    feats = []

    def tap(index, output, capturing):
        out, f = plugin.heads[index](output, return_feats=True)
        feats.append(f)
        return (out if plugin.mode == 'inline' else None), None

    plugin.on_tap = tap
    with model._capturing():  # auxiliary taps exist only while a loss is captured
        backbone_out, _ = model.extract_feat(x)
    scores = model.cls_head(backbone_out)
    loss_cls = model.cls_head.loss_by_feat(scores, samples)['loss_cls']
    n = x.shape[0]
    con = torch.stack([plugin.loss_con(f['f_r'].reshape(n, -1),
                                       [f[k].reshape(n, -1) for k in ('f_c', 'f_s', 'f_t', 'f_o')])
                       for f in feats]).mean()
    red = torch.stack([plugin.loss_red(f['f_s'].reshape(n, -1), f['f_t'].reshape(n, -1))
                       for f in feats]).mean()
    return dict(loss_cls=loss_cls, loss_con=con, loss_red=red)


@pytest.mark.parametrize('mode', ['inline', 'auxiliary'])
@pytest.mark.parametrize('groups', [8, 2])
def test_losses_and_gradients_equal_the_feature_path(mode, groups):
    torch.manual_seed(3)
    x = torch.randn(3, 1, 2, 10, 25, 3, dtype=torch.double)
    x[1, :, 1] = 0  # a sample with one person absent, as in real data
    samples = [ActionDataSample().set_gt_label(i % 4) for i in range(3)]

    model, ref = _model(mode, groups), _model(mode, groups)
    ref.load_state_dict(model.state_dict())
    losses = model(x, samples, mode='loss')
    ref_losses = _reference_losses(ref, x, samples)
    for key in ('loss_cls', 'loss_con', 'loss_red'):
        torch.testing.assert_close(losses[key].double(), ref_losses[key].double(),
                                   rtol=1e-6, atol=1e-9, msg=key)
    total = lambda d: d['loss_cls'] + d['loss_con'] + d['loss_red']  # noqa: E731
    total(losses).backward()
    total(ref_losses).backward()
    for (name, p), p_ref in zip(model.named_parameters(), ref.parameters()):
        if p_ref.grad is None:
            assert p.grad is None or not p.grad.any(), name
            continue
        torch.testing.assert_close(p.grad, p_ref.grad, rtol=1e-5, atol=1e-8, msg=name)


def test_losses_of_all_heads_are_computed_at_once():
    """F-CL and F-RL of every head in one set of operations: as many for 3 heads as for 2
    (computed head by head they took about 160 a head)."""
    from torch.utils._python_dispatch import TorchDispatchMode

    class Count(TorchDispatchMode):
        n = 0

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            self.n += not func.is_view
            return func(*args, **(kwargs or {}))

    counts = {}
    for blocks in ([0, 1], [0, 1, 2]):
        torch.manual_seed(0)
        model = MODELS.build(dict(
            type='SFRecognizerGCN', sf_head=dict(groups=2, blocks=blocks),
            backbone=dict(type='STGCN', graph_cfg=dict(layout='nturgb+d', mode='stgcn_spatial'),
                          base_channels=32, num_stages=3, inflate_stages=[3], down_stages=[3]),
            cls_head=dict(type='GCNHead', num_classes=4, in_channels=64)))
        x = torch.randn(3, 1, 2, 10, 25, 3)
        samples = [ActionDataSample().set_gt_label(i % 4) for i in range(3)]
        plugin = model.plugins[0]
        loss = plugin.loss
        with Count() as count:
            def counted(ctx):
                before = count.n
                out = loss(ctx)
                counts[len(blocks)] = count.n - before
                return out
            plugin.loss = counted
            model(x, samples, mode='loss')
    assert counts[2] == counts[3] > 0
