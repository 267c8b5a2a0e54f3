"""Initial weights as the authors' code draws them (issue 19, item 5).

Models are built from their configs and initialised as the Runner does (``model.init_weights()``).
What the reference repositories do (read from Uason-Chen/CTR-GCN ``model/ctrgcn.py``,
stnoah1/infogcn ``model/{infogcn,modules,ms_tcn}.py``, Jho-Yonsei/HD-GCN ``model/HDGCN.py``,
ZhouYuxuanYX/BlockGCN ``model/BlockGCN.py``):

- classifier weights N(0, sqrt(2 / num_class)) in all four;
- MS-TCN: ``self.apply(weights_init)`` (Kaiming fan-out convs, BatchNorm weights N(1, 0.02)) in
  CTR-GCN, HD-GCN and BlockGCN; no init at all (PyTorch's defaults) in InfoGCN;
- the GCN unit's output BatchNorm starts at 1e-6 in CTR-GCN, HD-GCN and InfoGCN, at 1 in BlockGCN
  (its ``bn_init(self.bn, 1e-6)`` is followed by two loops that reset every BatchNorm to 1).
"""
import math
import os.path as osp

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config

from mmaction.registry import MODELS
from sfhead_mm.models.utils.tcn import MultiScaleTCN
from tests.conftest import REPO

CONFIGS = {'ctrgcn': 'ctrgcn_ntu120.py', 'hdgcn': 'hdgcn_ntu120.py',
           'blockgcn': 'blockgcn_ntu120.py', 'infogcn': 'infogcn_ntu120.py'}


def build(config: str, seed: int = 0):
    cfg = Config.fromfile(osp.join(REPO, 'configs', config))
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model


def classifier(model) -> nn.Linear:
    head = model.cls_head
    return head.decoder if hasattr(head, 'decoder') else head.fc


def tcn_modules(model, kind):
    return [m for tcn in model.backbone.modules() if isinstance(tcn, MultiScaleTCN)
            for m in tcn.modules() if isinstance(m, kind)]


@pytest.fixture(scope='module')
def models():
    return {name: build(config) for name, config in CONFIGS.items()}


@pytest.mark.parametrize('name', sorted(CONFIGS))
def test_classifier_is_normal_with_std_sqrt_2_over_num_classes(models, name):
    fc = classifier(models[name])
    assert fc.out_features == 120
    target = math.sqrt(2 / 120)  # 0.129
    assert abs(fc.weight.std().item() - target) / target < 0.1
    assert abs(fc.weight.mean().item()) < 0.01


@pytest.mark.parametrize('config', ['ctrgcn/ctrgcn_nwucla.py', 'hdgcn/hdgcn_nwucla.py',
                                    'blockgcn/blockgcn_nwucla.py'])
def test_classifier_std_follows_the_number_of_classes(config):
    fc = classifier(build(config))
    target = math.sqrt(2 / fc.out_features)  # 0.447 for NW-UCLA's 10 classes
    assert fc.out_features == 10
    assert abs(fc.weight.std().item() - target) / target < 0.1


@pytest.mark.parametrize('name', ['ctrgcn', 'hdgcn', 'blockgcn'])
def test_ms_tcn_batchnorm_weights_are_drawn_around_one(models, name):
    w = torch.cat([bn.weight.detach() for bn in tcn_modules(models[name], nn.BatchNorm2d)])
    assert w.numel() > 1000
    assert abs(w.mean().item() - 1) < 0.005
    assert abs(w.std().item() - 0.02) / 0.02 < 0.1
    b = torch.cat([bn.bias.detach() for bn in tcn_modules(models[name], nn.BatchNorm2d)])
    assert not b.any()


@pytest.mark.parametrize('name', ['ctrgcn', 'hdgcn', 'blockgcn'])
def test_ms_tcn_convs_are_kaiming_fan_out_with_zero_bias(models, name):
    for conv in tcn_modules(models[name], nn.Conv2d):
        fan_out = conv.out_channels * conv.weight[0, 0].numel()
        if conv.weight.numel() >= 4096:
            target = math.sqrt(2 / fan_out)
            assert abs(conv.weight.std().item() - target) / target < 0.1
        assert not conv.bias.any()


def test_infogcn_ms_tcn_keeps_pytorch_defaults(models):
    """kaiming_uniform(a=sqrt(5)): std 1 / sqrt(3 fan_in); bias U(+-1/sqrt(fan_in)); BN 1, 0."""
    convs = tcn_modules(models['infogcn'], nn.Conv2d)
    assert convs
    for conv in convs:
        fan_in = conv.weight[0].numel()
        if conv.weight.numel() >= 4096:
            target = 1 / math.sqrt(3 * fan_in)
            assert abs(conv.weight.std().item() - target) / target < 0.1
        assert conv.bias.abs().max().item() <= 1 / math.sqrt(fan_in)
        assert conv.bias.any()
    for bn in tcn_modules(models['infogcn'], nn.BatchNorm2d):
        assert torch.equal(bn.weight, torch.ones_like(bn.weight))
        assert not bn.bias.any()


@pytest.mark.parametrize('name,scale', [('ctrgcn', 1e-6), ('hdgcn', 1e-6), ('infogcn', 1e-6),
                                        ('blockgcn', 1.)])
def test_gcn_unit_output_batchnorm_scale(models, name, scale):
    units = [m.gcn for m in models[name].backbone.modules()
             if isinstance(getattr(m, 'gcn', None), nn.Module) and hasattr(m.gcn, 'bn')]
    assert len(units) >= 9
    for unit in units:
        w = unit.bn.weight
        assert torch.allclose(w, torch.full_like(w, scale)), (name, w[:3])


def test_ms_tcn_default_bn_init_is_unchanged():
    """Backbones that do not ask for the draw (MDR-GCN) keep BatchNorm weights at exactly 1."""
    tcn = MultiScaleTCN(24, 24, dilations=(1, 2))
    for m in tcn.modules():
        if isinstance(m, nn.BatchNorm2d):
            assert torch.equal(m.weight, torch.ones_like(m.weight))
