"""HD-GCN and BlockGCN: built from their configs, trained and run, with SF-Head in every block."""
import os.path as osp

import pytest
import torch
from mmengine.config import Config

from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from sfhead_mm.models.backbones.blockgcn import BlockGCN
from sfhead_mm.models.backbones.hdgcn import HDGCN, HDGCNBlock
from sfhead_mm.models.plugins import find_blocks

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# Whole recognizer (backbone + 120-class GCNHead), NTU-120 3D joints, counted from the authors'
# code for that setting (Jho-Yonsei/HD-GCN with CoM 21, ZhouYuxuanYX/BlockGCN with its
# topological embedding): the targets are 1.675M and 1.388M within 2%.
TARGETS = {'hdgcn': 1_675_400, 'blockgcn': 1_388_200}

# A small version of each model: 4 blocks, 16 -> 32 channels, so a step takes well under a second.
TINY = {
    'hdgcn': dict(base_channels=16, num_stages=4, inflate_stages=[3], down_stages=[3]),
    'blockgcn': dict(base_channels=16, num_stages=4, inflate_stages=[3], down_stages=[3]),
}


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    # Tiny shapes gain nothing from threads, and on a loaded 2-core machine OpenMP's spinning
    # threads make each op 10-100x slower.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def config(name: str, tiny: bool = True) -> Config:
    cfg = Config.fromfile(osp.join(REPO, 'configs', name))
    if tiny:
        key = 'hdgcn' if 'hdgcn' in name else 'blockgcn'
        cfg.merge_from_dict(dict(model=dict(backbone=TINY[key],
                                            cls_head=dict(in_channels=32))))
        if 'sfhead' in name:  # G=4 so that 16-channel blocks divide by 4G
            cfg.merge_from_dict(dict(model=dict(sf_head=dict(groups=4))))
    return cfg


def batch(n=2, M=2, T=12, V=25, C=3, classes=120):
    torch.manual_seed(0)
    x = torch.randn(n, 1, M, T, V, C)
    samples = [ActionDataSample().set_gt_label(i % classes) for i in range(n)]
    return x, samples


@pytest.mark.parametrize('name', ['hdgcn', 'blockgcn'])
def test_parameter_count_matches_authors(name):
    model = MODELS.build(config(f'{name}_ntu120.py', tiny=False).model)
    count = sum(p.numel() for p in model.parameters())
    assert abs(count - TARGETS[name]) / TARGETS[name] < 0.02
    assert count == TARGETS[name]  # the same architecture gives the very same count
    assert len(find_blocks(model.backbone)) == 10


@pytest.mark.parametrize('name', ['hdgcn_ntu120.py', 'blockgcn_ntu120.py',
                                  'hdgcn_sfhead_ntu120.py', 'blockgcn_sfhead_ntu120.py'])
def test_train_step_and_predict(name):
    model = MODELS.build(config(name).model)
    x, samples = batch()
    losses = model(x, samples, mode='loss')
    expected = {'loss_cls', 'loss_con', 'loss_red'} if 'sfhead' in name else {'loss_cls'}
    assert expected <= set(losses)
    total = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert torch.isfinite(total)
    total.backward()
    unused = [n for n, p in model.named_parameters() if p.requires_grad and p.grad is None]
    assert not unused, f'parameters that never receive a gradient: {unused[:5]}'
    if 'sfhead' in name:  # one head per block, each fed by that block's GCN unit
        blocks = find_blocks(model.backbone)
        assert len(blocks) == 4 and len(model.plugins[0].heads) == 4
        assert [b.gcn.out_channels for _, b in blocks] == [16, 16, 32, 32]

    model.eval()
    with torch.no_grad():
        preds = model(x, samples, mode='predict')
        feats = model(x, mode='tensor')
    assert len(preds) == 2 and preds[0].pred_score.shape == (120, )
    assert feats.shape == (2, 2, 32, 6, 25)  # (N, M, C_out, T_out, V)


@pytest.mark.parametrize('name', ['hdgcn/hdgcn_nwucla.py', 'blockgcn/blockgcn_nwucla.py'])
def test_nwucla_layout(name):
    cfg = config(name)
    model = MODELS.build(cfg.model)
    x, samples = batch(M=1, V=20, classes=10)
    model(x, samples, mode='loss')['loss_cls'].backward()
    if 'hdgcn' in name:
        # The authors' NW-UCLA default CoM (spine) gives 6 levels, hence 5 graph layers.
        assert model.backbone.graph.A.shape == (5, 3, 20, 20)


def test_hdgcn_graph_follows_com():
    a = HDGCN(graph_cfg=dict(layout='nturgb+d', com='spine_base'), **TINY['hdgcn'])
    b = HDGCN(graph_cfg=dict(layout='nturgb+d', com=0), **TINY['hdgcn'])
    c = HDGCN(graph_cfg=dict(layout='nturgb+d'), **TINY['hdgcn'])
    assert torch.equal(a.gcn[0].gcn.PA, b.gcn[0].gcn.PA)
    assert not torch.equal(a.gcn[0].gcn.PA, c.gcn[0].gcn.PA)
    # First block: no A-HA, no block residual (the authors' l1); the others have both.
    assert a.gcn[0].gcn.aha is None and a.gcn[0].residual is None
    assert all(isinstance(blk, HDGCNBlock) and blk.gcn.aha is not None for blk in a.gcn[1:])


def test_blockgcn_topology_is_per_sample():
    """Each sample's topological feature reaches its own persons, whatever the batch holds
    (the authors' code tiles the batch instead, and scales by the batch's range)."""
    # Double precision: a batch of one and of three must agree to rounding, not to 1e-4.
    model = BlockGCN(graph_cfg=dict(layout='nturgb+d'), **TINY['blockgcn']).eval().double()
    torch.manual_seed(1)
    x = torch.randn(3, 2, 8, 25, 3, dtype=torch.double)
    with torch.no_grad():
        full = model(x)
        alone = model(x[1:2])
        swapped = model(x[[2, 0, 1]])
        no_topo = model.topo
        model.topo = None
        plain = model(x)
    torch.testing.assert_close(alone[0], full[1])
    torch.testing.assert_close(swapped, full[[2, 0, 1]])
    assert not torch.allclose(plain, full)  # the embedding does change the output
    assert no_topo(x).shape == (3, 64)


def test_blockgcn_bone_stream_topology_equals_joint_topology():
    from mmaction.datasets.transforms import JointToBone
    joints = torch.randn(2, 2, 10, 25, 3)
    to_bone = JointToBone(dataset='nturgb+d')  # MMAction2's bone stream (M, T, V, C)
    bones = torch.stack([torch.from_numpy(to_bone(dict(keypoint=j.numpy()))['keypoint'])
                         for j in joints])
    from_joints = BlockGCN(graph_cfg=dict(layout='nturgb+d'), **TINY['blockgcn'])
    from_bones = BlockGCN(graph_cfg=dict(layout='nturgb+d'), topo_cfg=dict(source='bone'),
                          **TINY['blockgcn'])
    torch.testing.assert_close(from_bones.topo.diagram(bones), from_joints.topo.diagram(joints),
                               rtol=1e-4, atol=1e-5)


def test_without_topological_embedding():
    cfg = config('blockgcn_ntu120.py', tiny=False)
    cfg.model.backbone.topo_cfg = None
    model = MODELS.build(cfg.model)
    # 1,388,200 - 128,896 (structure elements 256 + ten Linear/BN projections).
    assert sum(p.numel() for p in model.parameters()) == 1_259_304


@pytest.mark.parametrize('cls', [HDGCN, BlockGCN])
def test_shape_mismatch_is_reported_up_front(cls):
    model = cls(graph_cfg=dict(layout='nturgb+d'), **TINY[cls.__name__.lower()])
    with pytest.raises(ValueError, match='V=20 joints'):
        model(torch.randn(1, 2, 8, 20, 3))
    with pytest.raises(ValueError, match='C=2 channels'):
        model(torch.randn(1, 2, 8, 25, 2))
    with pytest.raises(KeyError, match='unknown graph_cfg keys'):
        cls(graph_cfg=dict(layout='nturgb+d', strategy='x'))


def test_blockgcn_trains_on_a_batch_of_one():
    # The topological projections normalise over samples; one sample falls back to the running
    # statistics (and leaves them alone) instead of BatchNorm1d's "more than 1 value" error.
    model = BlockGCN(graph_cfg=dict(layout='nturgb+d'), **TINY['blockgcn']).train()
    before = model.topo_proj[0].bn.running_mean.clone()
    model(torch.randn(1, 2, 8, 25, 3)).sum().backward()
    assert torch.equal(model.topo_proj[0].bn.running_mean, before)
    assert model.topo.centres.grad is not None
