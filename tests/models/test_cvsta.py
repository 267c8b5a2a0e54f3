"""CVSTA (MDR-GCN's attention) as a plug-in in the blocks of the package's and MMAction2's GCNs."""
import copy
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sfhead_mm.models.backbones.mdrgcn import MDRGC
from sfhead_mm.models.plugins.cvsta import CVSTA, CVSTAPlugin, cvsta_mid_channels
from tests.conftest import REPO

BACKBONES = ['stgcn', '2s-agcn', 'ctrgcn', 'infogcn', 'hdgcn', 'blockgcn']


def with_cvsta(name, **plugin):
    cfg = Config.fromfile(osp.join(REPO, 'configs', '_base_', 'models', f'{name}.py')).model
    bare = MODELS.build(cfg)
    cfg.update(type='PluginRecognizerGCN', plugins=[dict(type='CVSTAPlugin', **plugin)])
    return bare, MODELS.build(cfg)


def cvsta_params(cin, cout, reduction=8):
    mid = cvsta_mid_channels(cin, reduction)
    return 2 * (cin * mid + mid) + mid * cout + cout


def test_mid_channels_are_c8_and_eight_for_coordinates():
    assert cvsta_mid_channels(3) == 8 and cvsta_mid_channels(64) == 8
    assert cvsta_mid_channels(256) == 32 and cvsta_mid_channels(256, 4) == 64
    attn = CVSTA(64, 128)
    assert attn(torch.randn(2, 64, 10, 25)).shape == (2, 128, 10, 25)


@pytest.mark.parametrize('name', BACKBONES)
def test_inserted_into_every_block_and_trains(name):
    bare, model = with_cvsta(name)
    plugin = model.plugins[0]
    assert len(plugin.attn) == len(plugin.block_names) >= 9
    added = sum(p.numel() for p in plugin.parameters())
    assert sum(p.numel() for p in model.parameters()) - sum(
        p.numel() for p in bare.parameters()) == added
    assert added == sum(cvsta_params(a.in_channels, a.out_channels) for a in plugin.attn)
    assert model.inference_affected() == ['CVSTAPlugin']
    x = torch.randn(2, 1, 2, 12, 25, 3)
    samples = [ActionDataSample().set_gt_label(i) for i in (0, 1)]
    model.train()
    losses = model(x, samples, mode='loss')
    losses['loss_cls'].backward()
    assert plugin.attn[0].conv_tv.weight.grad is not None
    # the backbone's own keys are untouched: a baseline checkpoint loads
    missing = model.load_state_dict(bare.state_dict(), strict=False).missing_keys
    assert missing and all(k.startswith('plugins.0.attn.') for k in missing)


def test_output_is_the_gcn_output_times_cvsta_of_the_gcn_input():
    for residual in (False, True):
        _, model = with_cvsta('ctrgcn', blocks=[1], residual=residual)
        model.eval()
        block = model.backbone.net[1]
        attn = model.plugins[0].attn[0]
        x = torch.randn(2, 64, 12, 25)
        with torch.no_grad():
            y = block.gcn(x)  # the hook has already weighted it
            model.plugins[0].detach()
            bare = block.gcn(x)
            w = attn(x)
        expected = bare + bare * w if residual else bare * w
        torch.testing.assert_close(y, expected)
        assert not torch.allclose(y, bare)


def test_same_attention_as_inside_mdrgcn():
    """CVSTA with MDR-GCN's conv_t / conv2 (f_V) / conv_tv weights gives its f_R."""
    gc = MDRGC(64, 128)
    attn = CVSTA(64, 128)
    attn.conv_t.load_state_dict(gc.conv_t.state_dict())
    attn.conv_v.load_state_dict(gc.conv2.state_dict())
    attn.conv_tv.load_state_dict(gc.conv_tv.state_dict())
    x = torch.randn(2, 64, 10, 17)
    f_v = gc.conv2(x).mean(-2).unsqueeze(-2)
    f_t = gc.conv_t(x).mean(-1, keepdim=True)
    torch.testing.assert_close(attn(x), gc.conv_tv(torch.tanh(f_v * f_t)))


def test_options_and_errors():
    _, model = with_cvsta('stgcn', blocks=[0, 9], reduction=4)
    a0, a9 = model.plugins[0].attn
    assert (a0.in_channels, a0.mid_channels, a0.out_channels) == (3, 8, 64)
    assert (a9.in_channels, a9.mid_channels) == (256, 64)
    _, model = with_cvsta('stgcn', blocks=[0], mid_channels=4)
    assert model.plugins[0].attn[0].mid_channels == 4
    with pytest.raises(ValueError, match='site must be "gcn"'):
        CVSTAPlugin(site='block')
    with pytest.raises(ValueError, match='in_channels has 1 entries for 10'):
        with_cvsta('stgcn', in_channels=[3])
    copy.deepcopy(model)(torch.randn(1, 1, 2, 8, 25, 3), mode='tensor')  # EMA / soups
